"""What a list asks for (`ListQuery`) and what a resource's table allows it to ask
(`ListShape`), both free of HTTP types: `petsage.resources.http` builds the query parameters
from the shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import Column, inspect

from petsage.resources.errors import QueryRefused, problem
from petsage.resources.row import ALWAYS_SORTABLE, is_ordered, listed_as

# PostgreSQL's INTEGER stops at 2**31 - 1: no larger id can exist, and the driver would refuse
# to send one, so the HTTP side refuses it with a 422 instead of failing with a 500. No offset
# past it can find a row either.
ID_MAX = 2**31 - 1
LIMIT_DEFAULT = 20
LIMIT_MAX = 100
SORT_PARAMETER = "sort"
Comparison = Literal["eq", "gte", "lte"]
# A filter's parameter name is the field's, or the field's with one of these suffixes.
SUFFIXES: dict[Comparison, str] = {"eq": "", "gte": "_gte", "lte": "_lte"}


@dataclass(frozen=True)
class Filter:
    """`field <comparison> value`: `?species=dog` is `Filter("species", "eq", "dog")`."""

    field: str
    comparison: Comparison
    value: Any

    @property
    def parameter(self) -> str:
        return self.field + SUFFIXES[self.comparison]


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


BY_ID = (SortKey("id"),)


@dataclass(frozen=True)
class ListQuery:
    """One page of a list: its bounds, its filters (all must hold) and its order, which always
    ends in `id` so that pages neither overlap nor skip."""

    limit: int = LIMIT_DEFAULT
    offset: int = 0
    filters: tuple[Filter, ...] = ()
    sort: tuple[SortKey, ...] = BY_ID


@dataclass(frozen=True)
class ListShape:
    """The filters and sort keys a table's `listed(...)` marks allow, and the order of a list
    that asks for none (`default_sort`: by `id` unless the resource says otherwise)."""

    filters: tuple[Filter, ...]  # each with value None: the parameters a list may take
    sortable: frozenset[str]
    columns: dict[str, Column[Any]] = field(repr=False)
    default_sort: tuple[SortKey, ...] = BY_ID

    @classmethod
    def of(cls, row: type[Any], *, order: str | None = None) -> ListShape:
        """The shape of the mapped class `row`, keyed by its attribute names; `order` (a
        `sort` parameter's text, `-started_at`) is its lists' default order. An order over
        keys that cannot be sorted by is a mistake in the code: ValueError."""
        shape = cls._of(row)
        if not order:
            return shape
        try:
            return replace(shape, default_sort=shape.sort_keys(order))
        except QueryRefused as refused:
            found = "; ".join(each["message"] for each in refused.context["problems"])
            raise ValueError(f"order {order!r}: {found}") from None

    @property
    def default_order(self) -> str:
        """The default order as a `sort` parameter says it: `-started_at,id`."""
        return ",".join(("-" if key.descending else "") + key.field for key in self.default_sort)

    @classmethod
    def _of(cls, row: type[Any]) -> ListShape:
        columns = {prop.key: prop.columns[0] for prop in inspect(row).column_attrs}
        filters: list[Filter] = []
        sortable = set(ALWAYS_SORTABLE)
        for name, column in columns.items():
            marks = listed_as(column)
            if marks.filter:
                comparisons: tuple[Comparison, ...] = (
                    ("eq", "gte", "lte") if is_ordered(column) else ("eq",)
                )
                filters.extend(Filter(name, kind, None) for kind in comparisons)
            if marks.sort:
                sortable.add(name)
        return cls(tuple(filters), frozenset(sortable), columns)

    @property
    def parameters(self) -> frozenset[str]:
        """Every query parameter a list takes."""
        names = {"limit", "offset", SORT_PARAMETER}
        return frozenset(names | {each.parameter for each in self.filters})

    def sort_keys(self, text: str | None) -> tuple[SortKey, ...]:
        """`-birth_date,name` as sort keys, `id` appended; unknown or repeated keys refused.
        No text: the default order."""
        if not text:
            return self.default_sort
        keys = [_sort_key(part.strip()) for part in text.split(",")]
        names = [key.field for key in keys]
        problems = [
            problem(
                ["query", SORT_PARAMETER],
                f"cannot sort by `{name}`; sortable: {', '.join(sorted(self.sortable))}",
                "unknown_sort_key",
            )
            for name in names
            if name not in self.sortable
        ]
        problems += [
            problem(["query", SORT_PARAMETER], f"`{name}` is named twice", "repeated_sort_key")
            for name in sorted({name for name in names if names.count(name) > 1})
        ]
        if problems:
            raise QueryRefused(problems)
        if "id" in names:
            # Keys after `id` could never decide an order: ids are unique.
            return tuple(keys[: names.index("id") + 1])
        return (*keys, *BY_ID)


def _sort_key(part: str) -> SortKey:
    if part.startswith("-"):
        return SortKey(part[1:], descending=True)
    return SortKey(part.removeprefix("+"))
