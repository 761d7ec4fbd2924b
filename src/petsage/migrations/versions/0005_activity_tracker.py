"""The activities table.

Added by `petsage feature new activity_tracker --resource`.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pet_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("distance_km", sa.Numeric(precision=7, scale=3), nullable=True),
        sa.Column("intensity", sa.String(length=8), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.ForeignKeyConstraint(
            ["pet_id"],
            ["pet_profiles.id"],
            name=op.f("fk_activities_pet_id_pet_profiles"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "kind IN ('walk', 'run', 'play', 'swim', 'training', 'other')",
            name=op.f("ck_activities_kind_values"),
        ),
        sa.CheckConstraint(
            "duration_minutes >= 1 AND duration_minutes <= 1440",
            name=op.f("ck_activities_duration_minutes_range"),
        ),
        sa.CheckConstraint(
            "distance_km >= 0 AND distance_km <= 1000",
            name=op.f("ck_activities_distance_km_range"),
        ),
        sa.CheckConstraint(
            "intensity IN ('low', 'moderate', 'high')",
            name=op.f("ck_activities_intensity_values"),
        ),
    )
    op.create_index(op.f("ix_activities_kind"), "activities", ["kind"], unique=False)
    op.create_index(op.f("ix_activities_started_at"), "activities", ["started_at"], unique=False)
    op.create_index(
        op.f("ix_activities_duration_minutes"),
        "activities",
        ["duration_minutes"],
        unique=False,
    )
    op.create_index(op.f("ix_activities_intensity"), "activities", ["intensity"], unique=False)
    op.create_index(
        op.f("ix_activities_pet_id_started_at"),
        "activities",
        ["pet_id", "started_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_activities_owner_id_started_at"),
        "activities",
        ["owner_id", "started_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_activities_kind"), table_name="activities")
    op.drop_index(op.f("ix_activities_started_at"), table_name="activities")
    op.drop_index(op.f("ix_activities_duration_minutes"), table_name="activities")
    op.drop_index(op.f("ix_activities_intensity"), table_name="activities")
    op.drop_index(op.f("ix_activities_pet_id_started_at"), table_name="activities")
    op.drop_index(op.f("ix_activities_owner_id_started_at"), table_name="activities")
    op.drop_table("activities")
