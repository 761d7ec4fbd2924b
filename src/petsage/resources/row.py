"""The ORM side: `ResourceRow`, the columns every resource table has, and `listed`, which marks
the columns a list may filter or sort by.

The marks live in each column's `info`, so the kit reads them from the mapped table: adding a
filterable column edits the feature's orm.py and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import AnyUrl
from sqlalchemy import Column, Integer, Numeric, String, Table
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from petsage.database.columns import PartialDateText, UTCDateTime

LISTED = "petsage.listed"
# Where `Resource` writes its noun (table.info), so another resource's reference check can say
# "no pet profile has id 9" without importing the feature that owns the table.
NOUN = "petsage.noun"
# Types whose values have an order: their filters also get `_gte` and `_lte`.
ORDERED_TYPES: tuple[type, ...] = (int, float, Decimal, date, datetime)
ALWAYS_SORTABLE = ("id", "created_at")
# Marks the owner column in its `info`: the kit finds it on any table, a referred one included.
OWNER = "petsage.owner"
OWNER_COLUMN = "owner_id"
# An access token's `sub` is at most 255 characters (OpenID Connect Core 2).
OWNER_MAX = 255


def utc_now() -> datetime:
    return datetime.now(UTC)


def listed(*, filter: bool = False, sort: bool = False) -> dict[str, Any]:
    """A column's `info`: `filter=True` adds `?name=` (and `_gte`/`_lte` for ordered types) to
    the list, `sort=True` lets `?sort=` name it."""
    return {LISTED: ListedAs(filter=filter, sort=sort)}


@dataclass(frozen=True)
class ListedAs:
    filter: bool
    sort: bool


class ResourceRow:
    """Mixin of a resource's ORM model: `class PetProfile(ResourceRow, Base)`.

    `version` is SQLAlchemy's `version_id_col`: every UPDATE and DELETE says
    `WHERE id = ? AND version = ?` and raises `StaleDataError` when another writer got there
    first, so a write never overwrites a change it did not see.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 (a class-level directive)
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class OwnedRow(ResourceRow):
    """Mixin of a resource whose rows belong to someone: `class PetProfile(OwnedRow, Base)`.

    `owner_id` holds the subject (`sub`) of the access token that created the row, set by the
    kit, never from a request body. A caller sees and changes only the rows they own, unless
    their token carries the resource's admin scope (`petsage.resources.Access`).

    Every call filters on `owner_id`, so it has an index of its own (`ix_<table>_owner_id`),
    unless the model sets `owner_indexed = False` because another of its indexes leads with
    `owner_id` (a B-tree on (owner_id, x) serves `owner_id = ?` as well).
    """

    owner_indexed: ClassVar[bool] = True

    @declared_attr
    def owner_id(cls) -> Mapped[str]:  # noqa: N805 (a class-level directive)
        return mapped_column(
            String(OWNER_MAX), nullable=False, index=cls.owner_indexed, info={OWNER: True}
        )


def owner_column(table: Table) -> Column[Any] | None:
    """The owner column of `table` (an `OwnedRow`'s), None when its rows belong to nobody."""
    for column in table.columns:
        if column.info.get(OWNER):
            return column
    return None


def listed_as(column: Column[Any]) -> ListedAs:
    found = column.info.get(LISTED)
    return found if isinstance(found, ListedAs) else ListedAs(filter=False, sort=False)


def python_type(column: Column[Any]) -> type | None:
    """The Python type of the column's values, None when the type does not say."""
    try:
        found: type = column.type.python_type
    except NotImplementedError:
        return None
    return found


def is_ordered(column: Column[Any]) -> bool:
    if isinstance(column.type, PartialDateText):  # text, in time order (ISO)
        return True
    kind = python_type(column)
    # bool is an int subclass, but "flag_gte" means nothing.
    return kind is not None and kind is not bool and issubclass(kind, ORDERED_TYPES)


def noun_of(table: Table) -> str:
    """What one row of `table` is called: the noun its `Resource` gave, else "row of <table>"."""
    noun = table.info.get(NOUN)
    return noun if isinstance(noun, str) else f"row of {table.name}"


def storable(column: Column[Any], value: Any) -> Any:
    """What `column` stores for a validated `value`.

    - A URL field's value is pydantic's URL object, which no driver takes: its text.
    - A decimal is rounded to the column's scale here rather than by the database, so the
      answer to a POST or PATCH says `2.00`, as every later read does, not the `2.0` sent
      (both under one ETag otherwise).
    """
    if isinstance(value, AnyUrl):
        return str(value)
    scale = column.type.scale if isinstance(column.type, Numeric) else None
    if isinstance(value, Decimal) and scale is not None:
        return value.quantize(Decimal(1).scaleb(-scale))
    return value
