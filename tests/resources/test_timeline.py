"""`petsage.resources.timeline`: local days and ISO weeks of an IANA zone as UTC spans, across
Europe/Berlin's DST changes, and their sums in one query on SQLite and PostgreSQL (the example
pets' `created_at` stands in for an activity's start, `weight_g` for what is summed)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.database.columns import UTCDateTime
from petsage.resources import QueryRefused
from petsage.resources.timeline import (
    Span,
    _sqlite_text,
    bucket_totals,
    buckets,
    check_range,
    day_start,
    local_instant,
    time_zone,
)
from tests.resources.conftest import OWNER, Served
from tests.resources.example_pets.orm import ExamplePet

BERLIN = ZoneInfo("Europe/Berlin")
SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)  # the last Sundays of March, October
HOUR = timedelta(hours=1)


def _problem(refused: pytest.ExceptionInfo[QueryRefused]) -> tuple[list[Any], str]:
    (only,) = refused.value.context["problems"]
    return only["location"], only["type"]


def test_a_berlin_day_is_23_hours_in_spring_and_25_in_autumn() -> None:
    lengths = {
        day: [bucket.hi - bucket.lo for bucket in buckets(day, day, "day", BERLIN)]
        for day in (SPRING, AUTUMN, SPRING + timedelta(days=1))
    }

    assert lengths == {SPRING: [23 * HOUR], AUTUMN: [25 * HOUR], date(2026, 3, 30): [24 * HOUR]}
    assert day_start(SPRING, BERLIN) == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert day_start(SPRING + timedelta(days=1), BERLIN) == datetime(2026, 3, 29, 22, tzinfo=UTC)


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 3, 29, 1, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 59, 59, 999_999, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    ],
)
def test_a_bound_sent_to_sqlite_is_the_text_its_column_holds(instant: datetime) -> None:
    # What a UTCDateTime column stores on SQLite is SQLAlchemy's processor's text: a bound
    # written otherwise would compare wrongly with the stored values.
    dialect = sqlite.dialect()
    stored = UTCDateTime().process_bind_param(instant, dialect)
    as_text = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert as_text is not None

    assert _sqlite_text(instant) == as_text(stored)


def test_a_day_whose_midnight_is_skipped_begins_at_the_change() -> None:
    # Santiago de Chile moves from 24:00 (-04) to 01:00 (-03): 2026-09-06 has no 00:00.
    santiago = ZoneInfo("America/Santiago")

    (day,) = buckets(date(2026, 9, 6), date(2026, 9, 6), "day", santiago)

    assert (day.lo, day.hi - day.lo) == (datetime(2026, 9, 6, 4, tzinfo=UTC), 23 * HOUR)


def test_days_follow_each_other_without_gap() -> None:
    cut = buckets(date(2026, 1, 1), date(2026, 12, 31), "day", BERLIN)

    assert len(cut) == 365
    assert all(one.hi == after.lo for one, after in itertools.pairwise(cut))
    assert {bucket.days for bucket in cut} == {1}


def test_weeks_run_monday_to_sunday_clipped_to_the_range() -> None:
    # Thursday 2026-03-26 to Tuesday 2026-04-07.
    cut = buckets(date(2026, 3, 26), date(2026, 4, 7), "week", BERLIN)

    assert [(bucket.start, bucket.days) for bucket in cut] == [
        (date(2026, 3, 26), 4),
        (date(2026, 3, 30), 7),
        (date(2026, 4, 6), 2),
    ]
    # The first holds the spring change: 4 days less an hour.
    assert cut[0].hi - cut[0].lo == 4 * 24 * HOUR - HOUR
    assert cut[-1].hi == day_start(date(2026, 4, 8), BERLIN)


@pytest.mark.parametrize("name", ["Europe/Nowhere", "../etc/passwd", "", "/usr"])
def test_an_unknown_zone_is_refused_naming_the_parameter(name: str) -> None:
    with pytest.raises(QueryRefused) as refused:
        time_zone(name)

    assert _problem(refused) == (["query", "tz"], "time_zone_unknown")


def test_ranges_reversed_or_longer_than_366_days_are_refused() -> None:
    check_range(date(2024, 1, 1), date(2024, 12, 31))  # a leap year: 366 days
    check_range(SPRING, SPRING)
    with pytest.raises(QueryRefused) as reversed_range:
        check_range(SPRING, SPRING - timedelta(days=1))
    with pytest.raises(QueryRefused) as too_long:
        check_range(date(2025, 1, 1), date(2026, 1, 2))

    assert _problem(reversed_range) == (["query", "to"], "range_reversed")
    assert _problem(too_long) == (["query", "from"], "range_too_long")


def _store(served: Served, owner: str, local_times: list[datetime], grams: int) -> None:
    async def work(session: AsyncSession) -> None:
        for each in local_times:
            at = local_instant(each, BERLIN)
            session.add(
                ExamplePet(name="Rex", species="dog", owner_id=owner, weight_g=grams, created_at=at)
            )

    served.run(work)


def _totals(served: Served, spans: list[Any]) -> list[tuple[int, int]]:
    async def work(session: AsyncSession) -> list[tuple[int, int]]:
        found = await bucket_totals(
            session,
            ExamplePet,
            spans,
            at=ExamplePet.created_at,
            where=(ExamplePet.owner_id == OWNER,),
            sums={"grams": ExamplePet.weight_g},
            count=ExamplePet.id,
        )
        assert [each.span for each in found] == spans
        return [(each.count, int(each.sums["grams"])) for each in found]

    return served.run(work)


@pytest.mark.usefixtures("api")
def test_rows_land_in_their_local_day_across_both_changes(served: Served) -> None:
    # 23:30 and 00:30 local on each side of each change; bob's rows are not counted.
    around = [
        datetime(2026, 3, 28, 23, 30),  # 22:30Z, Saturday
        datetime(2026, 3, 29, 0, 30),  # 23:30Z the day before, yet Sunday
        datetime(2026, 3, 29, 23, 30),  # 21:30Z, Sunday (summer time)
        datetime(2026, 3, 30, 0, 30),  # 22:30Z, Monday
        datetime(2026, 10, 24, 23, 30),  # 21:30Z, Saturday (summer time)
        datetime(2026, 10, 25, 0, 30),  # 22:30Z the day before, yet Sunday
        datetime(2026, 10, 25, 23, 30),  # 22:30Z, Sunday (winter time)
        datetime(2026, 10, 26, 0, 30),  # 23:30Z, Monday
    ]
    _store(served, OWNER, around, grams=100)
    _store(served, "bob", around, grams=1)

    spring = buckets(date(2026, 3, 27), date(2026, 3, 31), "day", BERLIN)
    autumn = buckets(date(2026, 10, 24), date(2026, 10, 26), "day", BERLIN)
    weeks = buckets(date(2026, 3, 23), date(2026, 4, 5), "week", BERLIN)

    assert _totals(served, spring) == [(0, 0), (1, 100), (2, 200), (1, 100), (0, 0)]
    assert _totals(served, autumn) == [(1, 100), (2, 200), (1, 100)]
    assert _totals(served, weeks) == [(3, 300), (1, 100)]


@pytest.mark.usefixtures("api")
def test_any_spans_are_summed_empty_ones_as_zeros(served: Served) -> None:
    _store(served, OWNER, [datetime(2026, 5, 4, 12)], grams=7)
    noon = local_instant(datetime(2026, 5, 4, 12), BERLIN)

    spans = [Span(noon, noon + HOUR), Span(noon - HOUR, noon), Span(noon, noon)]

    assert _totals(served, spans) == [(1, 7), (0, 0), (0, 0)]
    assert _totals(served, []) == []
