"""Request and response models of the `example_pets` feature; OpenAPI reads them."""

from datetime import date
from typing import Literal

from pydantic import MISSING, BaseModel, ConfigDict, Field

from petsage.resources import ID_MAX, OwnedPublic, ResourcePatch

from .orm import CHIP_LENGTH, NAME_MAX

Species = Literal["dog", "cat", "rabbit"]
CHIP_PATTERN = rf"^[0-9]{{{CHIP_LENGTH}}}$"
WEIGHT_MAX_G = 200_000


class ExamplePetBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1, max_length=NAME_MAX, examples=["Rex"], description="What to call it."
    )
    species: Species = Field(examples=["dog"], description="Which kind of animal.")
    birth_date: date | None = Field(default=None, description="When it was born, if known.")
    weight_g: int | None = Field(
        default=None, ge=1, le=WEIGHT_MAX_G, examples=[4200], description="Weight in grams."
    )
    chip_code: str | None = Field(
        default=None,
        pattern=CHIP_PATTERN,
        examples=["276098106543210"],
        description="Its microchip's 15 digits; no two pets share one.",
    )
    mother_id: int | None = Field(
        default=None, ge=1, le=ID_MAX, description="The id of its mother, if she is recorded."
    )


class ExamplePetCreate(ExamplePetBase):
    """What a POST takes."""


class ExamplePetUpdate(ResourcePatch):
    """What a PATCH takes: only the fields to change; a field left out keeps its value."""

    # NOT NULL columns: left out (MISSING) keeps the value, null is refused (422).
    name: str | MISSING = Field(
        default=MISSING, min_length=1, max_length=NAME_MAX, examples=["Max"]
    )
    species: Species | MISSING = Field(default=MISSING, examples=["cat"])
    # Nullable columns: null clears the value.
    birth_date: date | None = Field(default=None)
    weight_g: int | None = Field(default=None, ge=1, le=WEIGHT_MAX_G)
    chip_code: str | None = Field(default=None, pattern=CHIP_PATTERN)
    mother_id: int | None = Field(default=None, ge=1, le=ID_MAX)


class ExamplePetPublic(ExamplePetBase, OwnedPublic):
    """One stored example pet."""
