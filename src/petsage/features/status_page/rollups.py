"""Daily rollups: each completed UTC day's seconds per status, written once the day is over,
so that the bars and long windows outlive the raw events' retention."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from petsage.features.status_page import store
from petsage.features.status_page.incidents import count_by_day
from petsage.features.status_page.models import DAYS_SHOWN
from petsage.features.status_page.service import StatusPolicy, load_span
from petsage.features.status_page.timeline import OVERALL
from petsage.features.status_page.uptime import DAY, day_start, tally

logger = logging.getLogger("petsage.status_page")


async def roll_up_day(
    session: AsyncSession, policy: StatusPolicy, day: date, *, now: datetime
) -> list[store.DayRollup]:
    """One completed day of every check and of `OVERALL`, saved (insert or replace)."""
    start = day_start(day)
    span = await load_span(session, policy, start, start + DAY, now=now)
    rollups = []
    await store.save_incidents(session, [i for listed in span.incidents.values() for i in listed])
    for name in (*policy.checks, OVERALL):
        if name == OVERALL:
            incidents = [i for listed in span.incidents.values() for i in listed]
        else:
            incidents = span.incidents[name]
        touching = count_by_day(incidents, [day], now)[day]
        counted = tally(span.segments[name], start, start + DAY)
        rollups.append(store.DayRollup(day, name, counted, touching))
    await store.save_rollups(session, rollups)
    return rollups


async def roll_up(
    session: AsyncSession, policy: StatusPolicy, *, now: datetime, keep_days: int
) -> list[date]:
    """Roll up every completed day not rolled up yet (within the raw retention), then prune
    rollups older than `keep_days` and runs older than the raw retention. Idempotent: two
    instances doing it at once write the same rows."""
    today = now.date()
    oldest_raw = (now - timedelta(days=policy.history_days)).date() + DAY
    latest = await store.latest_rollup_day(session)
    first = max(latest + DAY, oldest_raw) if latest else oldest_raw
    done = []
    day = first
    while day < today:
        await roll_up_day(session, policy, day, now=now)
        done.append(day)
        day += DAY
    await store.prune_rollups(session, before=today - timedelta(days=keep_days))
    await store.prune_incidents(session, before=day_start(today) - timedelta(days=DAYS_SHOWN))
    await store.prune_runs(session, ended_before=now - timedelta(days=policy.history_days))
    return done
