"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time, always returned timezone-aware in UTC.

    PostgreSQL stores `timestamptz` and asyncpg returns aware values already; SQLite has no
    time zone type, so values are stored as naive UTC text (fixed width, so they sort in time
    order) and made aware again on the way out. A naive value passed in is taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        # A TypeDecorator says `object` unless told: the kit reads this to offer `_gte`/`_lte`.
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = as_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return as_utc(value)


def as_utc(value: datetime) -> datetime:
    """`value` in UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class PartialDateText(TypeDecorator[str]):
    """A partial date (`2019-05-04`, or only the year `2019`; `petsage.resources.PartialDate`)
    stored as its text, String(10).

    Its own type so the resource kit knows the column is ordered (filters `_gte`/`_lte`, sort)
    by ISO text order, which is time order, a year before the days of that year: `2019` <
    `2019-01-01` < `2019-05-04` < `2020`.
    """

    impl = String(10)
    cache_ok = True

    @property
    def python_type(self) -> type[str]:
        return str
