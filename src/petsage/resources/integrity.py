"""References and unique values: checked before a write where a query can, explained after a
refused flush where only the database can tell (two writers racing for one value).

Generic over the mapped table: a foreign key's target table is found through its `ForeignKey`,
so a feature's references are checked without importing the feature that owns the target.
Refusals are classified by SQLSTATE (PostgreSQL) and SQLite's extended result code, never by
message text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Index, Integer, UniqueConstraint, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.resources.errors import ReferenceNotFound, UniqueConflict
from petsage.resources.row import noun_of, owner_column

_UNIQUE = frozenset({"23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})
_FOREIGN_KEY = frozenset({"23503", "SQLITE_CONSTRAINT_FOREIGNKEY"})
# PostgreSQL's INTEGER range: a reference outside it cannot exist, and asyncpg would refuse to
# send it (a 500) rather than find nothing.
_INT32 = range(-(2**31), 2**31)
# The chain is IntegrityError <- SQLAlchemy's adapted error <- the driver's error.
_MAX_CHAIN = 8


@dataclass(frozen=True)
class UniqueSet:
    """Fields whose values together must be unique, and the constraint's name if known."""

    name: str | None
    fields: tuple[str, ...]


class IntegrityGuard:
    """The references and unique sets of one mapped class, keyed by attribute name."""

    def __init__(self, row: type[Any], noun: str) -> None:
        self.noun = noun
        attributes = {prop.columns[0]: prop.key for prop in inspect(row).column_attrs}
        self._references = {
            attributes[column]: column for column in attributes if _single_foreign_key(column)
        }
        owner = owner_column(row.__table__)
        # An owned table's values are unique per owner (`UniqueConstraint(owner_id, field)`):
        # the clash is the field's, the owner is the caller.
        kept = {column: key for column, key in attributes.items() if column is not owner}
        self._unique_sets = tuple(_unique_sets(row.__table__, kept))

    async def check_references(
        self, session: AsyncSession, values: dict[str, Any], owner: str | None = None
    ) -> None:
        """422 naming every field of `values` that refers to a missing row; with `owner`, a
        row of an owned table that someone else owns is missing too (its existence does not
        leak)."""
        missing: dict[str, str] = {}
        for name, column in self._references.items():
            value = values.get(name)
            if value is not None and not await _exists(session, column, value, owner):
                target = next(iter(column.foreign_keys)).column
                missing[name] = f"no {noun_of(target.table)} has {target.key} {value}"
        if missing:
            raise ReferenceNotFound(missing)

    def target(self, name: str) -> Column[Any]:
        """The column that the reference `name` refers to (in another table, maybe another
        feature's)."""
        column = self._references.get(name)
        if column is None:
            raise ValueError(f"{name!r} is not a reference of the {self.noun}")
        target: Column[Any] = next(iter(column.foreign_keys)).column
        return target

    async def referenced_row(
        self, session: AsyncSession, name: str, value: Any, owner: str | None = None
    ) -> Mapping[str, Any] | None:
        """The row the reference `name` = `value` points at, keyed by its table's column
        names; None when there is none, or (with `owner`) when someone else owns it."""
        target = self.target(name)
        conditions = _matching(target, value, owner)
        if conditions is None:
            return None
        result = await session.execute(select(target.table).where(*conditions).limit(1))
        found = result.mappings().first()
        return None if found is None else {str(key): found[key] for key in found}

    def explain(self, exc: IntegrityError, values: dict[str, Any]) -> Exception:
        """The domain error a refused flush of `values` means, else `exc` itself."""
        kind = _refusal_kind(exc)
        if kind in _UNIQUE:
            clashing = self._clashing(_constraint_name(exc), values)
            return UniqueConflict(self.noun, clashing) if clashing else exc
        if kind in _FOREIGN_KEY:
            # Our check passed, then the row referred to went away before the flush.
            gone = [name for name in self._references if values.get(name) is not None]
            return ReferenceNotFound(dict.fromkeys(gone, "refers to a row that no longer exists"))
        return exc

    def _clashing(self, constraint: str | None, values: dict[str, Any]) -> tuple[str, ...]:
        named = [each for each in self._unique_sets if constraint and each.name == constraint]
        written = [each for each in self._unique_sets if set(each.fields) & values.keys()]
        found = named or written
        return tuple(dict.fromkeys(field for each in found for field in each.fields))


def _single_foreign_key(column: Column[Any]) -> bool:
    return len(column.foreign_keys) == 1 and all(
        len(key.constraint.columns) == 1 for key in column.foreign_keys if key.constraint
    )


async def _exists(
    session: AsyncSession, column: Column[Any], value: Any, owner: str | None
) -> bool:
    target = next(iter(column.foreign_keys)).column
    conditions = _matching(target, value, owner)
    if conditions is None:
        return False
    found = await session.scalar(select(target).where(*conditions).limit(1))
    return found is not None


def _matching(
    target: Column[Any], value: Any, owner: str | None
) -> list[ColumnElement[bool]] | None:
    """The conditions finding `value` in `target` (owned by `owner` when its table is owned
    and `owner` is given); None when no row can match."""
    if isinstance(target.type, Integer) and isinstance(value, int) and value not in _INT32:
        return None
    conditions = [target == value]
    owned_by = owner_column(target.table) if owner is not None else None
    if owned_by is not None:
        conditions.append(owned_by == owner)
    return conditions


def _unique_sets(table: Any, attributes: dict[Any, str]) -> Iterator[UniqueSet]:
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            fields = tuple(attributes[c] for c in constraint.columns if c in attributes)
            yield UniqueSet(_name(constraint), fields)
    for index in table.indexes:
        if isinstance(index, Index) and index.unique:
            fields = tuple(attributes[c] for c in index.columns if c in attributes)
            yield UniqueSet(_name(index), fields)


def _name(constraint: UniqueConstraint | Index) -> str | None:
    # With the metadata's naming convention, SQLAlchemy has filled in unnamed ones already.
    name = constraint.name
    return str(name) if isinstance(name, str) and name else None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    link: BaseException | None = exc
    for _ in range(_MAX_CHAIN):
        if link is None:
            return
        yield link
        link = link.__cause__ or link.__context__


def _refusal_kind(exc: IntegrityError) -> str | None:
    """PostgreSQL's SQLSTATE, or SQLite's extended result code name."""
    for link in _chain(exc.orig or exc):
        for attribute in ("sqlstate", "sqlite_errorname"):
            kind = getattr(link, attribute, None)
            if isinstance(kind, str):
                return kind
    return None


def _constraint_name(exc: IntegrityError) -> str | None:
    """The refusing constraint's name; asyncpg gives it, SQLite does not."""
    for link in _chain(exc.orig or exc):
        name = getattr(link, "constraint_name", None)
        if isinstance(name, str):
            return name
    return None
