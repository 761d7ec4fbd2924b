"""A plug-in feature for bench/resource_list.py: `GET /bench-resource-pets`, a kit resource's
list route over a table indexed as a generated resource's is (each filtered or sorted column,
and the composite index of its filter and sort).

The table sits on a metadata of its own: the benchmark creates and seeds it, and the platform's
migration checks never see it. Installed as a distribution would be (an entry point in
`petsage.features`), so `petsage serve` discovers it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import Index, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from petsage.blueprint import Feature
from petsage.database.base import NAMING_CONVENTION
from petsage.http.dependencies import SessionDep
from petsage.resources import (
    LIST_RESPONSES,
    ListQuery,
    Page,
    Resource,
    ResourcePublic,
    ResourceRow,
    listed,
)

PATH = "/bench-resource-pets"
SPECIES = ("dog", "cat", "rabbit", "bird", "reptile", "fish", "small_mammal", "other")
Species = Literal["dog", "cat", "rabbit", "bird", "reptile", "fish", "small_mammal", "other"]


class BenchBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class BenchPet(ResourceRow, BenchBase):
    __tablename__ = "bench_resource_pets"
    # What a request's `indexes: [[species, birth_date]]` renders: the filter and the sort the
    # list asks together, served by one index walk (no sort of every matching row).
    __table_args__ = (Index("ix_bench_resource_pets_species_birth_date", "species", "birth_date"),)

    name: Mapped[str] = mapped_column(String(100))
    species: Mapped[str] = mapped_column(String(12), index=True, info=listed(filter=True))
    birth_date: Mapped[date | None] = mapped_column(index=True, info=listed(filter=True, sort=True))
    weight_g: Mapped[int | None] = mapped_column(index=True, info=listed(sort=True))


class BenchPetBase(BaseModel):
    name: str
    species: Species
    birth_date: date | None = None
    weight_g: int | None = None


class BenchPetPublic(BenchPetBase, ResourcePublic):
    """One stored pet."""


bench_pets = Resource(BenchPet, BenchPetPublic, noun="bench pet")
router = APIRouter(prefix=PATH, tags=["bench"])
ListQueryDep = Annotated[ListQuery, Depends(bench_pets.list_query)]


@router.get("", responses=LIST_RESPONSES)
async def list_bench_pets(session: SessionDep, query: ListQueryDep) -> Page[BenchPetPublic]:
    return await bench_pets.list(session, query)


feature = Feature(name="resource_pets", summary="The list benchmark's target", routers=(router,))
