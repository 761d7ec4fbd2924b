"""The ORM model of the `pet_profile` feature.

Its table, `pet_profiles`, is created by migration 0004.
`listed(...)` marks the columns a list may filter and sort by.
`OwnedRow` adds `owner_id`: the subject of the access token that created the row.
"""

from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from petsage.database.base import Base
from petsage.database.columns import PartialDateText
from petsage.resources import OwnedRow, listed


class PetProfile(OwnedRow, Base):
    __tablename__ = "pet_profiles"
    __table_args__ = (
        CheckConstraint(
            "species IN ('dog', 'cat', 'rabbit', 'bird', 'reptile', 'fish', 'small_mammal', "
            "'other')",
            name="species_values",
        ),
        CheckConstraint("sex IN ('female', 'male', 'unknown')", name="sex_values"),
        CheckConstraint("weight_kg >= 0.001 AND weight_kg <= 500", name="weight_kg_range"),
        CheckConstraint(
            "daily_activity_goal_minutes >= 1 AND daily_activity_goal_minutes <= 1440",
            name="daily_activity_goal_minutes_range",
        ),
        UniqueConstraint("owner_id", "microchip_id", name="uq_pet_profiles_microchip_id"),
    )

    name: Mapped[str] = mapped_column(String(100), index=True, info=listed(filter=True, sort=True))
    species: Mapped[str] = mapped_column(
        String(12),
        index=True,
        info=listed(filter=True, sort=True),
    )
    breed: Mapped[str | None] = mapped_column(String(100), index=True, info=listed(filter=True))
    sex: Mapped[str] = mapped_column(String(7), index=True, info=listed(filter=True))
    neutered: Mapped[bool] = mapped_column(index=True, info=listed(filter=True))
    birth_date: Mapped[str | None] = mapped_column(
        PartialDateText(),
        index=True,
        info=listed(sort=True),
    )
    weight_kg: Mapped[Decimal | None] = mapped_column(
        Numeric(6, 3),
        index=True,
        info=listed(sort=True),
    )
    microchip_id: Mapped[str | None] = mapped_column(String(15))
    daily_activity_goal_minutes: Mapped[int | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text())
