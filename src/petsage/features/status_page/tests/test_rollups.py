"""Rollups, runs and the summary against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from petsage.database.session import Database
from petsage.features.status_page import rollups, service, store
from petsage.features.status_page.models import Window
from petsage.features.status_page.orm import StatusDailyRollup
from petsage.features.status_page.service import StatusPolicy
from petsage.features.status_page.tests.seeding import add_change, add_run
from petsage.features.status_page.timeline import OVERALL, Run
from petsage.features.status_page.uptime import DAY, Tally, day_start
from petsage.health.history import HealthEvent
from petsage.health.lifecycle import Phase
from petsage.health.model import Status
from petsage.settings import Settings

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = day_start(NOW.date())
HOUR = timedelta(hours=1)
POLICY = StatusPolicy(
    checks={"database": True, "cache": False},
    merge_seconds=300,
    history_days=30,
    alive_within=180,
)


def run_with(settings: Settings, work: Callable[[Database], Awaitable[None]]) -> None:
    async def main() -> None:
        database = Database.from_settings(settings)
        try:
            await work(database)
        finally:
            await database.dispose()

    asyncio.run(main())


async def seed_three_days(database: Database) -> None:
    """Instance "a" since three days ago, live; database down 06:00-12:00 two days ago."""
    async with database.session() as session:
        await add_run(session, "a", TODAY - 3 * DAY, last_seen=NOW)
        await add_change(session, "a", "database", Status.ERROR, TODAY - 2 * DAY + 6 * HOUR)
        await add_change(session, "a", "database", Status.OK, TODAY - 2 * DAY + 12 * HOUR)


async def rows(database: Database) -> dict[tuple[object, str], StatusDailyRollup]:
    async with database.session() as session:
        found = await session.scalars(select(StatusDailyRollup))
        return {(row.day, row.check_name): row for row in found}


def test_completed_days_roll_up_once_and_the_same_on_a_second_pass(
    migrated_settings: Settings,
) -> None:
    async def work(database: Database) -> None:
        await seed_three_days(database)
        async with database.session() as session:
            done = await rollups.roll_up(session, POLICY, now=NOW, keep_days=400)
        assert done[-3:] == [(TODAY - n * DAY).date() for n in (3, 2, 1)]
        first = await rows(database)
        day = (TODAY - 2 * DAY).date()
        assert first[(day, "database")].seconds_error == 6 * 3600
        assert first[(day, "database")].seconds_ok == 18 * 3600
        assert first[(day, "database")].incidents == 1
        assert first[(day, OVERALL)].seconds_error == 6 * 3600
        assert first[((TODAY - 4 * DAY).date(), "database")].seconds_unknown == 86400

        # Both instances of a pair rolling up at once: the same rows, no conflict.
        async def roll_up_again() -> None:
            async with database.session() as session:
                await rollups.roll_up_day(session, POLICY, day, now=NOW)

        await asyncio.gather(roll_up_again(), roll_up_again())
        again = await rows(database)
        assert {k: v.seconds_error for k, v in again.items()} == {
            k: v.seconds_error for k, v in first.items()
        }

    run_with(migrated_settings, work)


def test_old_rollups_are_pruned(migrated_settings: Settings) -> None:
    async def work(database: Database) -> None:
        old, kept = (TODAY - 401 * DAY).date(), (TODAY - 399 * DAY).date()
        async with database.session() as session:
            await store.save_rollups(
                session,
                [
                    store.DayRollup(old, "database", Tally(ok=86400), 0),
                    store.DayRollup(kept, "database", Tally(ok=86400), 0),
                ],
            )
            await rollups.roll_up(session, POLICY, now=NOW, keep_days=400)
        found = await rows(database)
        assert (kept, "database") in found
        assert (old, "database") not in found

    run_with(migrated_settings, work)


def test_the_bars_outlive_the_raw_events(migrated_settings: Settings) -> None:
    async def work(database: Database) -> None:
        await seed_three_days(database)
        async with database.session() as session:
            await rollups.roll_up(session, POLICY, now=NOW, keep_days=400)
            await session.execute(delete(HealthEvent))  # as the 30-day pruning would
        async with database.session() as session:
            summary = await service.compute_summary(session, POLICY, now=NOW, phase=Phase.SERVING)
        database_row = summary.checks[0]
        bar = database_row.days[-3]
        assert (bar.date, bar.status, bar.incidents) == ((TODAY - 2 * DAY).date(), "error", 1)
        assert bar.uptime == pytest.approx(0.75)
        assert summary.days[-3].status == "error"
        assert summary.days[-10].status == "no_data"
        assert database_row.days[-1].status == "ok"
        assert database_row.status == "ok"
        assert summary.banner == "operational"
        known = 3 * 86400 + (NOW - TODAY).total_seconds()
        assert database_row.uptime[Window.WEEK] == pytest.approx(1 - 6 * 3600 / known)
        assert database_row.uptime[Window.DAY] == 1.0
        (incident,) = summary.incidents  # stored by the rollup, the raw events gone
        assert incident.check == "database"
        assert incident.started_at == TODAY - 2 * DAY + 6 * HOUR
        assert incident.ended_at == TODAY - 2 * DAY + 12 * HOUR
        assert incident.severity == "error"

    run_with(migrated_settings, work)


def test_a_crashed_run_ends_at_its_last_heartbeat(migrated_settings: Settings) -> None:
    async def work(database: Database) -> None:
        async with database.session() as session:
            await add_run(session, "gone", NOW - 5 * HOUR, last_seen=NOW - 3 * HOUR)
            await add_run(session, "live", NOW - 2 * HOUR, last_seen=NOW - timedelta(minutes=1))
            await add_run(session, "done", NOW - 2 * HOUR, stopped=NOW - HOUR)
        async with database.session() as session:
            runs = await store.load_runs(session, NOW - DAY, NOW, now=NOW, alive_within=180)
        assert sorted(runs, key=lambda r: r.instance_id) == [
            Run("done", NOW - 2 * HOUR, NOW - HOUR),
            Run("gone", NOW - 5 * HOUR, NOW - 3 * HOUR),
            Run("live", NOW - 2 * HOUR, NOW),
        ]

    run_with(migrated_settings, work)


def test_runs_past_the_raw_retention_are_pruned(migrated_settings: Settings) -> None:
    async def work(database: Database) -> None:
        async with database.session() as session:
            await add_run(session, "old", NOW - 40 * DAY, stopped=NOW - 31 * DAY)
            await add_run(session, "new", NOW - 40 * DAY, last_seen=NOW)
            await rollups.roll_up(session, POLICY, now=NOW, keep_days=400)
        async with database.session() as session:
            runs = await store.load_runs(session, NOW - 50 * DAY, NOW, now=NOW, alive_within=180)
        assert [run.instance_id for run in runs] == ["new"]

    run_with(migrated_settings, work)
