"""Request and response models of the `activity_tracker` feature.

OpenAPI reads them. Each field's rules are stated once, in its type below.
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import MISSING, AwareDatetime, BaseModel, ConfigDict, Field

from petsage.resources import NotFuture, OwnedPublic, ResourcePatch

PetId = Annotated[int, Field(ge=1, le=2147483647, examples=[1])]
Kind = Annotated[
    Literal["walk", "run", "play", "swim", "training", "other"],
    Field(examples=["walk"]),
]
StartedAt = Annotated[
    AwareDatetime,
    NotFuture(slack_seconds=300),
    Field(examples=["2026-03-29T07:30:00Z"]),
]
DurationMinutes = Annotated[int, Field(ge=1, le=1440, examples=[45])]
DistanceKm = Annotated[
    Decimal,
    Field(max_digits=7, decimal_places=3, ge=Decimal("0"), le=Decimal("1000"), examples=["3.2"]),
]
Intensity = Literal["low", "moderate", "high"]
Notes = Annotated[str, Field(min_length=1, max_length=2000)]


class ActivityBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pet_id: PetId
    kind: Kind
    started_at: StartedAt
    duration_minutes: DurationMinutes
    distance_km: DistanceKm | None = None
    intensity: Intensity | None = None
    notes: Notes | None = None


class ActivityCreate(ActivityBase):
    """What a POST takes."""


class ActivityUpdate(ResourcePatch):
    """What a PATCH takes: only the fields sent change; null clears an optional field."""

    pet_id: PetId | MISSING = MISSING
    kind: Kind | MISSING = MISSING
    started_at: StartedAt | MISSING = MISSING
    duration_minutes: DurationMinutes | MISSING = MISSING
    distance_km: DistanceKm | None = None
    intensity: Intensity | None = None
    notes: Notes | None = None


class ActivityPublic(ActivityBase, OwnedPublic):
    """One stored activity."""
