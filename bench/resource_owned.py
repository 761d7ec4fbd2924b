"""A plug-in feature for bench/resource_auth.py: the same kit resource twice, once as
`petsage feature new --resource` makes it by default and once with `auth: none`.

- `/bench-owned-pets`: owned rows (`OwnedRow`) behind `Access.scopes("bench_pets")`, so a read
  needs a token with `bench_pets:read` and reaches only the caller's own rows;
- `/bench-open-pets`: the same columns, unowned, behind `Access.none()`.

Both routers come from `resource_router`, as a generated feature's do, so the two `GET
/{id}` differ only by the identity work. The tables sit on a metadata of their own: the
benchmark creates and seeds them, and the platform's migration checks never see them.
"""

from __future__ import annotations

from pydantic import MISSING, BaseModel, ConfigDict, Field
from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from petsage.blueprint import Feature
from petsage.database.base import NAMING_CONVENTION
from petsage.resources import (
    Access,
    OwnedRow,
    Resource,
    ResourcePatch,
    ResourcePublic,
    ResourceRow,
    listed,
    resource_router,
)

OWNED_PATH = "/bench-owned-pets"
OPEN_PATH = "/bench-open-pets"
SCOPE_FEATURE = "bench_pets"
NAME_MAX = 100


class AuthBenchBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OwnedPet(OwnedRow, AuthBenchBase):
    __tablename__ = "bench_owned_pets"

    name: Mapped[str] = mapped_column(String(NAME_MAX), info=listed(sort=True))
    species: Mapped[str] = mapped_column(String(12), index=True, info=listed(filter=True))


class OpenPet(ResourceRow, AuthBenchBase):
    __tablename__ = "bench_open_pets"

    name: Mapped[str] = mapped_column(String(NAME_MAX), info=listed(sort=True))
    species: Mapped[str] = mapped_column(String(12), index=True, info=listed(filter=True))


class PetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=NAME_MAX)
    species: str = Field(min_length=1, max_length=12)


class PetUpdate(ResourcePatch):
    name: str | MISSING = Field(default=MISSING, min_length=1, max_length=NAME_MAX)
    species: str | MISSING = Field(default=MISSING, min_length=1, max_length=12)


class PetPublic(ResourcePublic):
    name: str
    species: str


owned_pets = Resource(OwnedPet, PetPublic, noun="owned bench pet")
open_pets = Resource(OpenPet, PetPublic, noun="open bench pet")
owned_router = resource_router(
    owned_pets,
    create=PetCreate,
    update=PetUpdate,
    prefix=OWNED_PATH,
    tag="bench",
    one="an owned pet",
    plural="owned pets",
    access=Access.scopes(SCOPE_FEATURE),
)
open_router = resource_router(
    open_pets,
    create=PetCreate,
    update=PetUpdate,
    prefix=OPEN_PATH,
    tag="bench",
    one="an open pet",
    plural="open pets",
    access=Access.none(),
)

feature = Feature(
    name="resource_owned",
    summary="The identity benchmark's protected and open resources",
    routers=(owned_router, open_router),
)
