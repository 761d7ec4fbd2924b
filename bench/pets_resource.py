"""A plug-in feature for bench/attacks.py: `POST /bench-pets`, shaped like a generated resource.

A resource made by `petsage feature new --resource` takes a JSON object with a bounded `name`;
FastAPI reads the whole body and parses it before the model can refuse a name that is too long.
That reading and parsing is where a huge body costs memory, so this route stops there: it
writes nothing, and the benchmark needs no table of its own. The benchmark installs it as a
distribution would (an entry point in `petsage.features`), so `petsage serve` discovers it.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from petsage.blueprint import Feature

PATH = "/bench-pets"
NAME_MAX = 100


class PetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=NAME_MAX)


router = APIRouter(prefix=PATH, tags=["bench"])


@router.post("", status_code=201)
async def create_pet(data: PetCreate) -> PetCreate:
    return data


feature = Feature(name="pets_resource", summary="The body attacks' target", routers=(router,))
