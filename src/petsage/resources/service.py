"""`Resource`: list, create, read, change and delete the rows of one ORM model.

A generated feature's service.py is one line: `pets = Resource(Pet, PetPublic, noun="pet")`.
No HTTP types here; every method takes the caller's session and flushes, never commits
(`SessionDep` commits once, before the response is sent).

Rows of an `OwnedRow` table belong to the subject that created them: every method takes the
`caller`, sees only their rows (another owner's row is "not found", so its existence does not
leak) unless the caller may see every row, and refuses a reference to a row it cannot see as
if that row did not exist. `caller=None` (an open resource, or code of the feature itself)
reaches every row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from petsage.resources.access import Caller
from petsage.resources.errors import (
    NullRefused,
    PreconditionFailed,
    ResourceInUse,
    ResourceNotFound,
)
from petsage.resources.etag import ETagMatch, etag_of
from petsage.resources.integrity import IntegrityGuard
from petsage.resources.query import Filter, ListQuery, ListShape, SortKey
from petsage.resources.row import NOUN, ResourceRow, noun_of, owner_column, storable, utc_now
from petsage.resources.schemas import Page, ResourcePatch, ResourcePublic

if TYPE_CHECKING:
    from petsage.resources.http import ListQueryDependency

RowT = TypeVar("RowT", bound=ResourceRow)
PublicT = TypeVar("PublicT", bound=ResourcePublic)


class Resource(Generic[RowT, PublicT]):
    """The rows of `row`, answered as `public`; `noun` names one in messages ("pet profile");
    `order` is a list's order when the caller asks for none (`"-started_at"`; default `id`)."""

    def __init__(
        self, row: type[RowT], public: type[PublicT], *, noun: str, order: str | None = None
    ) -> None:
        self.row, self.public, self.noun = row, public, noun
        self.shape = ListShape.of(row, order=order)
        self._integrity = IntegrityGuard(row, noun)
        self._owner = owner_column(row.__table__)  # type: ignore[attr-defined]
        # Read by other resources' reference checks, which know only the table.
        row.__table__.info[NOUN] = noun  # type: ignore[attr-defined]

    @cached_property
    def list_query(self) -> ListQueryDependency:
        """The FastAPI dependency parsing a list's query parameters into a `ListQuery`:
        `Annotated[ListQuery, Depends(pets.list_query)]`."""
        # Imported here: the dependency is FastAPI's business, and this module stays free of it.
        from petsage.resources.http import list_query_dependency  # noqa: PLC0415

        return list_query_dependency(self.shape, self.public)

    @property
    def owned(self) -> bool:
        """Whether its rows belong to someone (an `OwnedRow` table)."""
        return self._owner is not None

    async def list(
        self, session: AsyncSession, query: ListQuery, *, caller: Caller | None = None
    ) -> Page[PublicT]:
        """One page in the query's order, and how many rows match in all."""
        conditions = [self._condition(each) for each in query.filters]
        conditions += self._visible(caller)  # the caller's rows only
        total = await session.scalar(select(func.count()).select_from(self.row).where(*conditions))
        statement = select(self.row).where(*conditions)
        statement = statement.order_by(*map(self._order, query.sort))
        rows = await session.scalars(statement.limit(query.limit).offset(query.offset))
        items = [self.public.model_validate(row) for row in rows]
        # The page of the concrete model, so that each item serialises with all its fields.
        return Page[self.public](  # type: ignore[name-defined]
            items=items, total=total or 0, limit=query.limit, offset=query.offset
        )

    async def create(
        self, session: AsyncSession, data: BaseModel, *, caller: Caller | None = None
    ) -> PublicT:
        """Add a row from `data`, owned by the caller; flushed, so the answer carries its id
        and version."""
        values = self._storable(data.model_dump())
        await self._integrity.check_references(session, values, _seen(caller))
        now = utc_now()
        kept: dict[str, Any] = {"created_at": now, "updated_at": now}
        if self._owner is not None:
            if caller is None:
                raise ValueError(f"a {self.noun} belongs to someone: create it for a caller")
            kept[self._owner.key] = caller.subject
        row = self.row(**{**values, **kept})
        session.add(row)
        await self._flush(session, values, id=None)
        return self.public.model_validate(row)

    async def get(self, session: AsyncSession, id: int, *, caller: Caller | None = None) -> PublicT:
        return self.public.model_validate(await self._find(session, id, caller))

    async def referenced(
        self, session: AsyncSession, field: str, value: int, *, caller: Caller | None = None
    ) -> Mapping[str, Any]:
        """The row that `field` (a reference of this resource) = `value` refers to, keyed by
        its table's column names: how a feature reads another feature's row without
        importing it (`await activities.referenced(session, "pet_id", 7, caller=caller)`).

        404 naming the other resource's noun when that row is missing, or when its table is
        owned and `caller` may not see it: another owner's row is as missing as no row.
        """
        found = await self._integrity.referenced_row(session, field, value, _seen(caller))
        if found is None:
            raise ResourceNotFound(noun_of(self._integrity.target(field).table), value)
        return found

    async def update(
        self,
        session: AsyncSession,
        id: int,
        changes: ResourcePatch,
        *,
        if_match: ETagMatch | None = None,
        caller: Caller | None = None,
    ) -> PublicT:
        """Apply the fields sent; the version goes up only when a value actually changed."""
        row = await self._checked(session, id, if_match, caller)
        sent = self._storable(changes.changes())
        refused = [
            name for name, value in sent.items() if value is None and not self._nullable(name)
        ]
        if refused:
            raise NullRefused(refused)
        changed = {name: value for name, value in sent.items() if getattr(row, name) != value}
        if changed:
            await self._integrity.check_references(session, changed, _seen(caller))
            for name, value in changed.items():
                setattr(row, name, value)
            row.updated_at = utc_now()
            await self._flush(session, changed, id=id)
        return self.public.model_validate(row)

    async def delete(
        self,
        session: AsyncSession,
        id: int,
        *,
        if_match: ETagMatch | None = None,
        caller: Caller | None = None,
    ) -> None:
        row = await self._checked(session, id, if_match, caller)
        await session.delete(row)
        try:
            await session.flush()
        except StaleDataError:
            raise PreconditionFailed(self.noun, id) from None
        except IntegrityError as exc:
            raise ResourceInUse(self.noun, id) from exc

    def _visible(self, caller: Caller | None) -> tuple[ColumnElement[bool], ...]:
        owner = _seen(caller)
        if self._owner is None or owner is None:
            return ()
        return (self._owner == owner,)

    async def _find(self, session: AsyncSession, id: int, caller: Caller | None) -> RowT:
        row = await session.get(self.row, id)
        if row is None or not self._sees(caller, row):
            # Another owner's row is as missing as no row: a 404 tells nothing of it.
            raise ResourceNotFound(self.noun, id)
        return row

    def _sees(self, caller: Caller | None, row: RowT) -> bool:
        owner = _seen(caller)
        return self._owner is None or owner is None or getattr(row, self._owner.key) == owner

    async def _checked(
        self, session: AsyncSession, id: int, if_match: ETagMatch | None, caller: Caller | None
    ) -> RowT:
        """The row, when the caller may see it and `if_match` (if given) names its tag."""
        row = await self._find(session, id, caller)
        if if_match is not None and not if_match.matches_strongly(etag_of(row)):
            raise PreconditionFailed(self.noun, id)
        return row

    async def _flush(self, session: AsyncSession, values: dict[str, Any], id: int | None) -> None:
        try:
            await session.flush()
        except StaleDataError:
            # Another writer changed the row between our read and our UPDATE.
            assert id is not None
            raise PreconditionFailed(self.noun, id) from None
        except IntegrityError as exc:
            raise self._integrity.explain(exc, values) from exc

    def _storable(self, values: dict[str, Any]) -> dict[str, Any]:
        columns = self.shape.columns
        return {name: storable(columns[name], value) for name, value in values.items()}

    def _nullable(self, name: str) -> bool:
        return bool(self.shape.columns[name].nullable)

    def _condition(self, each: Filter) -> ColumnElement[bool]:
        column = self.shape.columns[each.field]
        compare: Callable[[Any], ColumnElement[bool]] = {
            "eq": column.__eq__,
            "gte": column.__ge__,
            "lte": column.__le__,
        }[each.comparison]
        return compare(storable(column, each.value))

    def _order(self, key: SortKey) -> ColumnElement[Any]:
        column = self.shape.columns[key.field]
        ordered = column.desc() if key.descending else column.asc()
        if not column.nullable:
            return ordered
        # SQLite puts NULLs first, PostgreSQL last: both say what PostgreSQL does by default.
        return ordered.nulls_first() if key.descending else ordered.nulls_last()


def _seen(caller: Caller | None) -> str | None:
    """The owner whose rows `caller` reaches (None: every row)."""
    return None if caller is None else caller.owner_seen
