"""Rows summed per local day or ISO week of an IANA time zone, in one query, in the database.

Times are stored in UTC; a person's day is local. `buckets(first, last, "day", zone)` cuts the
local dates `first`..`last` into days (or weeks from Monday, clipped to the range), each with
the UTC instants it spans, so a day of Europe/Berlin is 23 hours long on the last Sunday of
March and 25 on the last Sunday of October. `bucket_totals` sends the spans as one parameter (a
JSON array on SQLite, two arrays on PostgreSQL) that the query unnests and joins to the table,
so empty buckets come back as zeros and no row reaches Python:

    totals = await bucket_totals(
        session, Activity, spans, at=Activity.started_at, where=(Activity.pet_id == 7,),
        sums={"minutes": Activity.duration_minutes}, count=Activity.id,
    )

The spans' bounds are what the time column (`UTCDateTime`) holds, so they compare as its values
do on both databases: `timestamptz` on PostgreSQL, fixed-width naive UTC text on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    ARRAY,
    CTE,
    ColumnElement,
    DateTime,
    Integer,
    String,
    and_,
    bindparam,
    column,
    func,
    select,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from petsage.database.columns import UTCDateTime
from petsage.resources.errors import QueryRefused, problem

Granularity = Literal["day", "week"]
# A year, leap day included: the longest range a caller may ask to cut.
MAX_DAYS = 366
_DAYS_IN_WEEK = 7
_INDEX, _INSTANT = Integer(), UTCDateTime()
_INDEX_COLUMN, _LO_COLUMN, _HI_COLUMN = (
    column("i", _INDEX),
    column("lo", _INSTANT),
    column("hi", _INSTANT),
)
# The instants every span lies within: the first span's start, the last one's end.
_RANGE_LO = bindparam("range_lo", type_=_INSTANT)
_RANGE_HI = bindparam("range_hi", type_=_INSTANT)


@dataclass(frozen=True, slots=True)
class Span:
    """The instants [lo, hi), both aware, in UTC."""

    lo: datetime
    hi: datetime


@dataclass(frozen=True, slots=True)
class Bucket(Span):
    """A local day, or the days of one ISO week within a range: `start` is its first local
    date, `days` how many local dates it holds (1 for a day; up to 7 for a week)."""

    start: date
    days: int


@dataclass(frozen=True, slots=True)
class Totals:
    """What `bucket_totals` found in one span: each sum (0 when no row), and the row count."""

    span: Span
    sums: Mapping[str, Any]
    count: int


def time_zone(name: str, parameter: str = "tz") -> ZoneInfo:
    """The IANA zone `name` ("Europe/Berlin", "UTC"); a 422 naming `parameter` otherwise."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # ValueError: a key that is no path ("../x", "/etc"), refused before any lookup.
        message = f"{name!r} is not an IANA time zone (such as Europe/Berlin, or UTC)"
        raise QueryRefused([problem(["query", parameter], message, "time_zone_unknown")]) from None


def local_today(zone: ZoneInfo, now: datetime | None = None) -> date:
    """The date it is in `zone` at `now` (default: now)."""
    return (now or datetime.now(UTC)).astimezone(zone).date()


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The date in `zone` at `instant` (aware)."""
    return instant.astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `zone`: its local midnight, or, where a DST
    change skips midnight, the first instant of the day (PEP 495's fold=0 reads a skipped
    time with the offset before the change, which is that instant)."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def local_instant(moment: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of the naive local wall time `moment` in `zone`."""
    return moment.replace(tzinfo=zone).astimezone(UTC)


def check_range(
    first: date, last: date, names: tuple[str, str] = ("from", "to"), max_days: int = MAX_DAYS
) -> None:
    """422 unless `first`..`last` (both included) is 1 to `max_days` days: a reversed range
    names the second parameter, too long a one the first."""
    first_name, last_name = names
    if last < first:
        message = f"{last} is before {first_name} ({first})"
        raise QueryRefused([problem(["query", last_name], message, "range_reversed")])
    days = (last - first).days + 1
    if days > max_days:
        message = f"the range {first}..{last} holds {days} days; at most {max_days} are summed"
        raise QueryRefused([problem(["query", first_name], message, "range_too_long")])


def buckets(first: date, last: date, granularity: Granularity, zone: ZoneInfo) -> list[Bucket]:
    """The local days `first`..`last` (both included), one bucket per day, or per ISO week
    (Monday to Sunday) clipped to the range; each with its UTC bounds."""
    found: list[Bucket] = []
    start = first
    while start <= last:
        if granularity == "day":
            end = start + timedelta(days=1)
        else:
            end = start + timedelta(days=_DAYS_IN_WEEK - start.weekday())
        end = min(end, last + timedelta(days=1))
        found.append(
            Bucket(day_start(start, zone), day_start(end, zone), start, (end - start).days)
        )
        start = end
    return found


async def bucket_totals(
    session: AsyncSession,
    source: Any,
    spans: Sequence[Span],
    *,
    at: InstrumentedAttribute[datetime] | ColumnElement[datetime],
    where: Sequence[ColumnElement[bool]],
    sums: Mapping[str, InstrumentedAttribute[Any] | ColumnElement[Any]],
    count: InstrumentedAttribute[Any] | ColumnElement[Any],
) -> list[Totals]:
    """For each span, in order: the sum of each of `sums` and the count of non-null `count`
    over the rows of `source` (an ORM class or table) matching `where` whose `at` falls in
    the span. One query; a span without rows gives zeros."""
    if not spans:
        return []
    dialect = session.get_bind().dialect
    bounds = _spans(dialect)
    # In the join's ON, not a WHERE: a span no row matches keeps its line (LEFT JOIN).
    whole = _whole_range(dialect, at)
    matching = and_(*where, at >= bounds.c.lo, at < bounds.c.hi, *whole)
    names = list(sums)
    statement = (
        select(
            bounds.c.i,
            func.count(count),
            *(func.coalesce(func.sum(sums[name]), 0) for name in names),
        )
        .select_from(bounds.outerjoin(source, matching))
        .group_by(bounds.c.i)
        .order_by(bounds.c.i)
    )
    values: dict[str, Any] = {}
    if whole:
        values[_RANGE_LO.key] = min(span.lo for span in spans)
        values[_RANGE_HI.key] = max(span.hi for span in spans)
    values.update(_span_values(dialect, spans))
    rows = (await session.execute(statement, values)).all()
    return [
        Totals(spans[row[0]], dict(zip(names, row[2:], strict=True)), int(row[1])) for row in rows
    ]


def _whole_range(
    dialect: Dialect, at: InstrumentedAttribute[datetime] | ColumnElement[datetime]
) -> tuple[ColumnElement[bool], ...]:
    """On PostgreSQL, `at` bounded by all the spans (`range_lo`, `range_hi`); nothing on SQLite.

    Bounded only by the unnested spans' columns, PostgreSQL plans the join on the index of the
    `where` columns alone and filters each span's rows out of all of them; constant bounds let
    it read the range from an index on (..., at) once. SQLite loops over the spans and seeks
    the index per span, but given both it may seek the whole range for every span instead
    (100,000 rows, 90 days: 7 ms instead of 0.3). Parameters, not literals, so the statement's
    text and SQLAlchemy's compiled form are reused.
    """
    if dialect.name != "postgresql":
        return ()
    return (at >= _RANGE_LO, at < _RANGE_HI)


def _spans(dialect: Dialect) -> CTE:
    """The spans as rows (i, lo, hi), from one parameter: `_span_values` gives its value.

    One parameter, not three per span: a year by day is 366 spans, and SQLAlchemy keys its
    statement cache on every bound parameter and converts each value in Python; with 1,098 of
    them that took most of the insights' 52 ms for a year-long streak (bench/pet_insights.py).
    SQLite reads a JSON array of [lo, hi] pairs with `json_each` (`key` is the position), as
    the column's own text; PostgreSQL unnests two `timestamptz` arrays, which asyncpg encodes
    in C. The statement's text is the same whatever the number of spans.
    """
    if dialect.name == "postgresql":
        return _POSTGRES_SPANS
    return _SQLITE_SPANS


def _span_values(dialect: Dialect, spans: Sequence[Span]) -> dict[str, Any]:
    if dialect.name == "postgresql":
        return {"los": [span.lo for span in spans], "his": [span.hi for span in spans]}
    pairs = [[_sqlite_text(span.lo), _sqlite_text(span.hi)] for span in spans]
    return {"spans": json.dumps(pairs, separators=(",", ":"))}


def _sqlite_text(instant: datetime) -> str:
    """The text SQLite holds for `instant` in a UTCDateTime column: SQLAlchemy's DATETIME
    format of the naive UTC value, `2026-03-29 01:00:00.000000`, which `isoformat` writes in C
    (SQLAlchemy's own processor took 1.5 ms of the bench pet's 10.8 ms insights for the same
    text; tests/resources/test_timeline.py compares the two)."""
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


_SQLITE_SPANS = (
    text(
        "SELECT CAST(key AS INTEGER) AS i, json_extract(value, '$[0]') AS lo, "
        "json_extract(value, '$[1]') AS hi FROM json_each(:spans)"
    )
    .bindparams(bindparam("spans", type_=String()))
    .columns(_INDEX_COLUMN, _LO_COLUMN, _HI_COLUMN)
    .cte("spans")
)
_POSTGRES_SPANS = (
    text(
        "SELECT CAST(listed.n - 1 AS INTEGER) AS i, listed.lo, listed.hi "
        "FROM unnest(CAST(:los AS TIMESTAMPTZ[]), CAST(:his AS TIMESTAMPTZ[])) "
        "WITH ORDINALITY AS listed(lo, hi, n)"
    )
    .bindparams(
        bindparam("los", type_=ARRAY(DateTime(timezone=True))),
        bindparam("his", type_=ARRAY(DateTime(timezone=True))),
    )
    .columns(_INDEX_COLUMN, _LO_COLUMN, _HI_COLUMN)
    .cte("spans")
)
