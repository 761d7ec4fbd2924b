"""Request and response models of the `pet_profile` feature.

OpenAPI reads them. Each field's rules are stated once, in its type below.
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import MISSING, BaseModel, ConfigDict, Field

from petsage.resources import NotFuture, OwnedPublic, PartialDate, ResourcePatch

Name = Annotated[str, Field(min_length=1, max_length=100, examples=["Rex"])]
Species = Annotated[
    Literal["dog", "cat", "rabbit", "bird", "reptile", "fish", "small_mammal", "other"],
    Field(examples=["dog"]),
]
Breed = Annotated[str, Field(min_length=1, max_length=100, examples=["Border Collie"])]
Sex = Literal["female", "male", "unknown"]
BirthDate = Annotated[PartialDate, NotFuture(), Field(examples=["2019-05-04"])]
WeightKg = Annotated[
    Decimal,
    Field(max_digits=6, decimal_places=3, ge=Decimal("0.001"), le=Decimal("500")),
]
MicrochipId = Annotated[
    str,
    Field(min_length=15, max_length=15, pattern="^[0-9]{15}$", examples=["276098106235489"]),
]
DailyActivityGoalMinutes = Annotated[int, Field(ge=1, le=1440, examples=[60])]
Notes = Annotated[str, Field(min_length=1, max_length=2000)]


class PetProfileBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    species: Species
    breed: Breed | None = None
    sex: Sex = "unknown"
    neutered: bool = False
    birth_date: BirthDate | None = None
    weight_kg: WeightKg | None = None
    microchip_id: MicrochipId | None = None
    daily_activity_goal_minutes: DailyActivityGoalMinutes | None = None
    notes: Notes | None = None


class PetProfileCreate(PetProfileBase):
    """What a POST takes."""


class PetProfileUpdate(ResourcePatch):
    """What a PATCH takes: only the fields sent change; null clears an optional field."""

    name: Name | MISSING = MISSING
    species: Species | MISSING = MISSING
    breed: Breed | None = None
    sex: Sex | MISSING = MISSING
    neutered: bool | MISSING = MISSING
    birth_date: BirthDate | None = None
    weight_kg: WeightKg | None = None
    microchip_id: MicrochipId | None = None
    daily_activity_goal_minutes: DailyActivityGoalMinutes | None = None
    notes: Notes | None = None


class PetProfilePublic(PetProfileBase, OwnedPublic):
    """One stored pet profile."""
