"""`Resource`: list, create, read, change and delete the rows of one ORM model.

A generated feature's service.py is one line: `pets = Resource(Pet, PetPublic, noun="pet")`.
No HTTP types here; every method takes the caller's session and flushes, never commits
(`SessionDep` commits once, before the response is sent).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from petsage.resources.errors import (
    NullRefused,
    PreconditionFailed,
    ResourceInUse,
    ResourceNotFound,
)
from petsage.resources.etag import ETagMatch, etag_of
from petsage.resources.integrity import IntegrityGuard
from petsage.resources.query import Filter, ListQuery, ListShape, SortKey
from petsage.resources.row import NOUN, ResourceRow, storable, utc_now
from petsage.resources.schemas import Page, ResourcePatch, ResourcePublic

if TYPE_CHECKING:
    from petsage.resources.http import ListQueryDependency

RowT = TypeVar("RowT", bound=ResourceRow)
PublicT = TypeVar("PublicT", bound=ResourcePublic)


class Resource(Generic[RowT, PublicT]):
    """The rows of `row`, answered as `public`; `noun` names one in messages ("pet profile")."""

    def __init__(self, row: type[RowT], public: type[PublicT], *, noun: str) -> None:
        self.row, self.public, self.noun = row, public, noun
        self.shape = ListShape.of(row)
        self._integrity = IntegrityGuard(row, noun)
        # Read by other resources' reference checks, which know only the table.
        row.__table__.info[NOUN] = noun  # type: ignore[attr-defined]

    @cached_property
    def list_query(self) -> ListQueryDependency:
        """The FastAPI dependency parsing a list's query parameters into a `ListQuery`:
        `Annotated[ListQuery, Depends(pets.list_query)]`."""
        # Imported here: the dependency is FastAPI's business, and this module stays free of it.
        from petsage.resources.http import list_query_dependency  # noqa: PLC0415

        return list_query_dependency(self.shape, self.public)

    async def list(self, session: AsyncSession, query: ListQuery) -> Page[PublicT]:
        """One page in the query's order, and how many rows match in all."""
        conditions = [self._condition(each) for each in query.filters]
        total = await session.scalar(select(func.count()).select_from(self.row).where(*conditions))
        statement = select(self.row).where(*conditions)
        statement = statement.order_by(*map(self._order, query.sort))
        rows = await session.scalars(statement.limit(query.limit).offset(query.offset))
        items = [self.public.model_validate(row) for row in rows]
        # The page of the concrete model, so that each item serialises with all its fields.
        return Page[self.public](  # type: ignore[name-defined]
            items=items, total=total or 0, limit=query.limit, offset=query.offset
        )

    async def create(self, session: AsyncSession, data: BaseModel) -> PublicT:
        """Add a row from `data`; flushed, so the answer carries its id and version."""
        values = self._storable(data.model_dump())
        await self._integrity.check_references(session, values)
        now = utc_now()
        row = self.row(**{**values, "created_at": now, "updated_at": now})
        session.add(row)
        await self._flush(session, values, id=None)
        return self.public.model_validate(row)

    async def get(self, session: AsyncSession, id: int) -> PublicT:
        return self.public.model_validate(await self._find(session, id))

    async def update(
        self,
        session: AsyncSession,
        id: int,
        changes: ResourcePatch,
        *,
        if_match: ETagMatch | None = None,
    ) -> PublicT:
        """Apply the fields sent; the version goes up only when a value actually changed."""
        row = await self._checked(session, id, if_match)
        sent = self._storable(changes.changes())
        refused = [
            name for name, value in sent.items() if value is None and not self._nullable(name)
        ]
        if refused:
            raise NullRefused(refused)
        changed = {name: value for name, value in sent.items() if getattr(row, name) != value}
        if changed:
            await self._integrity.check_references(session, changed)
            for name, value in changed.items():
                setattr(row, name, value)
            row.updated_at = utc_now()
            await self._flush(session, changed, id=id)
        return self.public.model_validate(row)

    async def delete(
        self, session: AsyncSession, id: int, *, if_match: ETagMatch | None = None
    ) -> None:
        row = await self._checked(session, id, if_match)
        await session.delete(row)
        try:
            await session.flush()
        except StaleDataError:
            raise PreconditionFailed(self.noun, id) from None
        except IntegrityError as exc:
            raise ResourceInUse(self.noun, id) from exc

    async def _find(self, session: AsyncSession, id: int) -> RowT:
        row = await session.get(self.row, id)
        if row is None:
            raise ResourceNotFound(self.noun, id)
        return row

    async def _checked(self, session: AsyncSession, id: int, if_match: ETagMatch | None) -> RowT:
        """The row, when `if_match` (if given) names its current tag."""
        row = await self._find(session, id)
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
