"""The Pydantic side: the fields every answer carries, the PATCH base, and a page of a list."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

ItemT = TypeVar("ItemT")


class ResourcePublic(BaseModel):
    """Mixin of a resource's answer model: `class PetProfilePublic(PetProfileBase,
    ResourcePublic)`, built from the ORM row."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="Assigned by the server.", examples=[1])
    version: int = Field(
        description="Goes up by one on every change; the `ETag` is made from it.", examples=[1]
    )
    created_at: datetime = Field(description="When it was created (UTC).")
    updated_at: datetime = Field(description="When it last changed (UTC).")


class OwnedPublic(ResourcePublic):
    """Mixin of an owned resource's answer model (`OwnedRow`): `ResourcePublic` and whose row
    it is, so that an admin reaching every owner's rows can tell them apart."""

    owner_id: str = Field(
        description=(
            "Whose it is: the subject (`sub`) of the access token that created it. Set by the "
            "server, never from a body."
        ),
        examples=["alice"],
    )


class ResourcePatch(BaseModel):
    """Base of a PATCH body: every field may be left out, and only the fields sent change.

    Declare a field whose column is NOT NULL as `name: str | MISSING = Field(default=MISSING,
    ...)` (`pydantic.MISSING`): left out it stays, null is refused (422), and its schema stays a
    plain, non-nullable type. A nullable one as `breed: str | None = Field(default=None, ...)`:
    null clears it. `Resource.update` refuses null for a NOT NULL column itself too.
    """

    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict[str, Any]:
        """The fields the caller actually sent, with their values."""
        return self.model_dump(exclude_unset=True)


class Page(BaseModel, Generic[ItemT]):
    """One page of a list, and how many items match in all."""

    items: list[ItemT]
    total: int = Field(description="How many match the filters, on every page.")
    limit: int = Field(description="The page size asked for.")
    offset: int = Field(description="How many were skipped before this page.")
