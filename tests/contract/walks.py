"""A small open resource for the contract's time rules: walks with a day and a start that may
not be in the future (`NotFuture`, the start with a fast clock's slack), partial dates (a day
or only a year; one optional and not in the future, one required) and a text with a
max_length, as the generator writes these fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import MISSING, AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import MetaData, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from petsage.blueprint import Feature
from petsage.database.base import NAMING_CONVENTION
from petsage.database.columns import PartialDateText, UTCDateTime
from petsage.resources import (
    Access,
    NotFuture,
    PartialDate,
    Resource,
    ResourcePatch,
    ResourcePublic,
    ResourceRow,
    listed,
    resource_router,
)

WALKS = "/contract-walks"
SLACK_SECONDS = 300
NOTES_MAX = 20


class WalkTables(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Walk(ResourceRow, WalkTables):
    __tablename__ = "contract_walks"

    walked_on: Mapped[date] = mapped_column(info=listed(filter=True, sort=True))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), info=listed(filter=True, sort=True))
    born: Mapped[str | None] = mapped_column(PartialDateText(), info=listed(filter=True, sort=True))
    first_seen: Mapped[str] = mapped_column(PartialDateText(), info=listed(filter=True, sort=True))
    notes: Mapped[str | None] = mapped_column(Text())


WalkedOn = Annotated[date, NotFuture(), Field(examples=["2026-01-15"])]
StartedAt = Annotated[AwareDatetime, NotFuture(slack_seconds=SLACK_SECONDS)]
Born = Annotated[PartialDate, NotFuture(), Field(examples=["2019-05-04"])]
# A text's bound is the model's; the column stays TEXT.
Notes = Annotated[str, Field(min_length=1, max_length=NOTES_MAX)]


class WalkBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    walked_on: WalkedOn
    started_at: StartedAt
    born: Born | None = None
    first_seen: PartialDate
    notes: Notes | None = None


class WalkCreate(WalkBase):
    """What a POST takes."""


class WalkUpdate(ResourcePatch):
    walked_on: WalkedOn | MISSING = MISSING
    started_at: StartedAt | MISSING = MISSING
    born: Born | None = None
    first_seen: PartialDate | MISSING = MISSING
    notes: Notes | None = None


class WalkPublic(WalkBase, ResourcePublic):
    """One walk."""


walks = Resource(Walk, WalkPublic, noun="walk")
router = resource_router(
    walks,
    create=WalkCreate,
    update=WalkUpdate,
    prefix=WALKS,
    tag="Contract Walk",
    one="a walk",
    plural="walks",
    access=Access.none(),
)
feature = Feature(name="contract_walks", summary="The contract's time rules.", routers=(router,))
