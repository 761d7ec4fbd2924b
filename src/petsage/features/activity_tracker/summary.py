"""The activity summary (hand-written): a pet's activities summed per local day or ISO week.

No HTTP types here. The days are cut in the caller's IANA zone by `petsage.resources.timeline`
and summed by one query in the database (the buckets' UTC bounds, sent as one parameter, joined
to the activities on the (pet_id, started_at) index), so a bucket without activities comes back
with zeros and no activity row reaches Python. The pet is read through the `pet_id` reference, with
the caller's owner check, without importing the pet_profile feature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from petsage.resources import Caller
from petsage.resources.timeline import (
    Bucket,
    Span,
    Totals,
    bucket_totals,
    buckets,
    check_range,
    local_today,
    time_zone,
)

from .insights_models import ActivitySummary, Granularity, SummaryBucket
from .orm import Activity
from .service import activities

# Without `from`, the 30 local days up to `to` (both included); without `to`, up to today.
DEFAULT_DAYS = 30
DEFAULT_ZONE = "UTC"
GOAL_COLUMN = "daily_activity_goal_minutes"
_KM = Decimal("0.001")


async def the_pet(session: AsyncSession, pet_id: int, caller: Caller | None) -> Mapping[str, Any]:
    """The pet's row (its table's columns): 404 "no pet profile has id N" when it is missing
    or the caller may not see it."""
    return await activities.referenced(session, "pet_id", pet_id, caller=caller)


async def pet_totals(session: AsyncSession, pet_id: int, spans: Sequence[Span]) -> list[Totals]:
    """Minutes, distance and sessions of the pet's activities started in each span."""
    return await bucket_totals(
        session,
        Activity,
        spans,
        at=Activity.started_at,
        where=(Activity.pet_id == pet_id,),
        sums={"minutes": Activity.duration_minutes, "distance_km": Activity.distance_km},
        count=Activity.id,
    )


def kilometres(value: Any) -> Decimal:
    """A summed distance to the column's three places (SQLite sums NUMERIC as floats)."""
    return Decimal(str(value)).quantize(_KM)


async def activity_summary(
    session: AsyncSession,
    pet_id: int,
    *,
    first: date | None,
    last: date | None,
    granularity: Granularity,
    tz: str,
    caller: Caller | None,
    now: datetime | None = None,
) -> ActivitySummary:
    """One bucket per local day (or ISO week, clipped to the range) from `first` to `last`,
    both included; 422 for an unknown zone, a reversed range or one over 366 days."""
    zone = time_zone(tz)
    last = last if last is not None else local_today(zone, now)
    first = first if first is not None else last - timedelta(days=DEFAULT_DAYS - 1)
    check_range(first, last)
    pet = await the_pet(session, pet_id, caller)
    goal: int | None = pet[GOAL_COLUMN]
    cut = buckets(first, last, granularity, zone)
    totals = await pet_totals(session, pet_id, cut)
    return ActivitySummary(
        pet_id=pet_id,
        tz=tz,
        granularity=granularity,
        first_day=first,
        last_day=last,
        daily_goal_minutes=goal,
        buckets=[_bucket(bucket, each, goal) for bucket, each in zip(cut, totals, strict=True)],
    )


def _bucket(bucket: Bucket, totals: Totals, goal: int | None) -> SummaryBucket:
    minutes = int(totals.sums["minutes"])
    # A week's goal is the daily goal on each of its days within the range.
    target = None if goal is None else goal * bucket.days
    return SummaryBucket(
        start=bucket.start,
        days=bucket.days,
        minutes=minutes,
        distance_km=kilometres(totals.sums["distance_km"]),
        sessions=totals.count,
        goal_minutes=target,
        goal_met=None if target is None else minutes >= target,
    )
