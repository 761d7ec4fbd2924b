"""The ORM model of the `activity_tracker` feature.

Its table, `activities`, is created by migration 0005.
`listed(...)` marks the columns a list may filter and sort by.
`OwnedRow` adds `owner_id`: the subject of the access token that created the row.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from petsage.database.base import Base
from petsage.database.columns import UTCDateTime
from petsage.resources import OwnedRow, listed


class Activity(OwnedRow, Base):
    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('walk', 'run', 'play', 'swim', 'training', 'other')",
            name="kind_values",
        ),
        CheckConstraint(
            "duration_minutes >= 1 AND duration_minutes <= 1440",
            name="duration_minutes_range",
        ),
        CheckConstraint("distance_km >= 0 AND distance_km <= 1000", name="distance_km_range"),
        CheckConstraint("intensity IN ('low', 'moderate', 'high')", name="intensity_values"),
        Index("ix_activities_pet_id_started_at", "pet_id", "started_at"),
        Index("ix_activities_owner_id_started_at", "owner_id", "started_at"),
    )
    # An index above leads with owner_id: it needs no index of its own.
    owner_indexed = False

    pet_id: Mapped[int] = mapped_column(
        ForeignKey("pet_profiles.id", ondelete="CASCADE"),
        info=listed(filter=True),
    )
    kind: Mapped[str] = mapped_column(String(8), index=True, info=listed(filter=True))
    started_at: Mapped[datetime] = mapped_column(
        UTCDateTime(),
        index=True,
        info=listed(filter=True, sort=True),
    )
    duration_minutes: Mapped[int] = mapped_column(index=True, info=listed(sort=True))
    distance_km: Mapped[Decimal | None] = mapped_column(Numeric(7, 3))
    intensity: Mapped[str | None] = mapped_column(String(8), index=True, info=listed(filter=True))
    notes: Mapped[str | None] = mapped_column(Text())
