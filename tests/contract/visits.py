"""Two small resources for the contract's own tests: owners, and visits that refer to one.

They cover what the kit's example pets do not: a reference to another resource's table
(created through that resource's route, found in /openapi.json), the decimal, float,
date-time, email, URL and UUID kinds, and two optional unique fields (email, token), filtered
and sorted, on both databases.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from pydantic import (
    MISSING,
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
)
from sqlalchemy import ForeignKey, MetaData, Numeric, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from petsage.blueprint import Feature
from petsage.database.base import NAMING_CONVENTION
from petsage.database.columns import UTCDateTime
from petsage.http.dependencies import SessionDep
from petsage.resources import (
    CREATE_RESPONSES,
    DELETE_RESPONSES,
    ID_MAX,
    LIST_RESPONSES,
    READ_RESPONSES,
    UPDATE_RESPONSES,
    IfMatch,
    IfNoneMatch,
    ListQuery,
    Page,
    Resource,
    ResourceId,
    ResourcePatch,
    ResourcePublic,
    ResourceRow,
    etag_headers,
    item_response,
    listed,
)

OWNERS, VISITS = "/contract-owners", "/contract-visits"
FEE_MAX = Decimal("999.99")
URL_MAX = 2083


# As the generator writes a `url` field: the kit stores the URL object's text.
UrlText = Annotated[AnyHttpUrl, Field(max_length=URL_MAX)]


class ContractBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Owner(ResourceRow, ContractBase):
    __tablename__ = "contract_owners"

    name: Mapped[str] = mapped_column(String(50))


class Visit(ResourceRow, ContractBase):
    __tablename__ = "contract_visits"

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("contract_owners.id", ondelete="CASCADE"), info=listed(filter=True)
    )
    fee: Mapped[Decimal] = mapped_column(Numeric(5, 2), info=listed(filter=True, sort=True))
    temperature: Mapped[float | None] = mapped_column(info=listed(sort=True))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), info=listed(filter=True, sort=True))
    paid: Mapped[bool] = mapped_column(default=False, info=listed(filter=True))
    # Two optional unique fields, filtered and sorted: every row a test makes needs its own
    # value of each.
    email: Mapped[str | None] = mapped_column(
        String(254), unique=True, info=listed(filter=True, sort=True)
    )
    site: Mapped[str | None] = mapped_column(String(URL_MAX))
    token: Mapped[UUID | None] = mapped_column(Uuid(), unique=True, info=listed(filter=True))


class OwnerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50, examples=["Ada"])


class OwnerPublic(OwnerCreate, ResourcePublic):
    """One owner."""


class VisitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner_id: int = Field(ge=1, le=ID_MAX)
    fee: Decimal = Field(ge=0, le=FEE_MAX, max_digits=5, decimal_places=2, examples=["42.50"])
    temperature: float | None = Field(default=None, gt=30, le=45)
    seen_at: AwareDatetime
    paid: bool = False
    email: EmailStr | None = Field(default=None, max_length=254)
    site: UrlText | None = None
    token: UUID | None = None


class VisitUpdate(ResourcePatch):
    owner_id: int | MISSING = Field(default=MISSING, ge=1, le=ID_MAX)
    fee: Decimal | MISSING = Field(default=MISSING, ge=0, le=FEE_MAX, decimal_places=2)
    temperature: float | None = Field(default=None, gt=30, le=45)
    seen_at: AwareDatetime | MISSING = MISSING
    paid: bool | MISSING = MISSING
    email: EmailStr | None = Field(default=None, max_length=254)
    site: UrlText | None = None
    token: UUID | None = None


class VisitPublic(ResourcePublic):
    """One visit."""

    owner_id: int
    fee: Decimal
    temperature: float | None
    seen_at: datetime
    paid: bool
    email: str | None
    site: str | None
    token: UUID | None


owners = Resource(Owner, OwnerPublic, noun="owner")
# Hottest first, then cheapest: the contract checks an unsorted list comes in this order.
visits = Resource(Visit, VisitPublic, noun="visit", order="-temperature,fee")
owner_routes = APIRouter(prefix=OWNERS, tags=["Contract Owner"])
visit_routes = APIRouter(prefix=VISITS, tags=["Contract Visit"])
VisitQuery = Annotated[ListQuery, Depends(visits.list_query)]


@owner_routes.post("", status_code=201, responses=CREATE_RESPONSES)
async def create_owner(data: OwnerCreate, session: SessionDep) -> OwnerPublic:
    return await owners.create(session, data)


@owner_routes.delete("/{id}", status_code=204, responses=DELETE_RESPONSES)
async def delete_owner(id: ResourceId, session: SessionDep, if_match: IfMatch) -> None:
    """Deletes the owner's visits with it (ON DELETE CASCADE): a contract case."""
    await owners.delete(session, id, if_match=if_match)


@visit_routes.get("", responses=LIST_RESPONSES)
async def list_visits(session: SessionDep, query: VisitQuery) -> Page[VisitPublic]:
    return await visits.list(session, query)


@visit_routes.post("", status_code=201, responses=CREATE_RESPONSES)
async def create_visit(data: VisitCreate, session: SessionDep, response: Response) -> VisitPublic:
    created = await visits.create(session, data)
    response.headers["Location"] = f"{VISITS}/{created.id}"
    response.headers.update(etag_headers(created))
    return created


@visit_routes.get("/{id}", response_model=VisitPublic, responses=READ_RESPONSES)
async def get_visit(id: ResourceId, session: SessionDep, if_none_match: IfNoneMatch) -> Response:
    return item_response(await visits.get(session, id), if_none_match)


@visit_routes.patch("/{id}", responses=UPDATE_RESPONSES)
async def update_visit(
    id: ResourceId, changes: VisitUpdate, session: SessionDep, if_match: IfMatch, response: Response
) -> VisitPublic:
    updated = await visits.update(session, id, changes, if_match=if_match)
    response.headers.update(etag_headers(updated))
    return updated


@visit_routes.delete("/{id}", status_code=204, responses=DELETE_RESPONSES)
async def delete_visit(id: ResourceId, session: SessionDep, if_match: IfMatch) -> None:
    await visits.delete(session, id, if_match=if_match)


feature = Feature(
    name="contract_visits",
    summary="The contract's own test resources.",
    routers=(owner_routes, visit_routes),
)
