"""The pet_profiles table.

Added by `petsage feature new pet_profile --resource`.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    op.create_table(
        "pet_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("species", sa.String(length=12), nullable=False),
        sa.Column("breed", sa.String(length=100), nullable=True),
        sa.Column("sex", sa.String(length=7), nullable=False),
        sa.Column("neutered", sa.Boolean(), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("weight_kg", sa.Numeric(precision=6, scale=3), nullable=True),
        sa.Column("microchip_id", sa.String(length=15), nullable=True),
        sa.Column("daily_activity_goal_minutes", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pet_profiles")),
        sa.UniqueConstraint("owner_id", "microchip_id", name=op.f("uq_pet_profiles_microchip_id")),
        sa.CheckConstraint(
            "species IN ('dog', 'cat', 'rabbit', 'bird', 'reptile', 'fish', 'small_mammal', "
            "'other')",
            name=op.f("ck_pet_profiles_species_values"),
        ),
        sa.CheckConstraint(
            "sex IN ('female', 'male', 'unknown')",
            name=op.f("ck_pet_profiles_sex_values"),
        ),
        sa.CheckConstraint(
            "weight_kg >= 0.001 AND weight_kg <= 500",
            name=op.f("ck_pet_profiles_weight_kg_range"),
        ),
        sa.CheckConstraint(
            "daily_activity_goal_minutes >= 1 AND daily_activity_goal_minutes <= 1440",
            name=op.f("ck_pet_profiles_daily_activity_goal_minutes_range"),
        ),
    )
    op.create_index(op.f("ix_pet_profiles_name"), "pet_profiles", ["name"], unique=False)
    op.create_index(op.f("ix_pet_profiles_species"), "pet_profiles", ["species"], unique=False)
    op.create_index(op.f("ix_pet_profiles_breed"), "pet_profiles", ["breed"], unique=False)
    op.create_index(op.f("ix_pet_profiles_sex"), "pet_profiles", ["sex"], unique=False)
    op.create_index(op.f("ix_pet_profiles_neutered"), "pet_profiles", ["neutered"], unique=False)
    op.create_index(
        op.f("ix_pet_profiles_birth_date"),
        "pet_profiles",
        ["birth_date"],
        unique=False,
    )
    op.create_index(op.f("ix_pet_profiles_weight_kg"), "pet_profiles", ["weight_kg"], unique=False)
    op.create_index(op.f("ix_pet_profiles_owner_id"), "pet_profiles", ["owner_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pet_profiles_name"), table_name="pet_profiles")
    op.drop_index(op.f("ix_pet_profiles_species"), table_name="pet_profiles")
    op.drop_index(op.f("ix_pet_profiles_breed"), table_name="pet_profiles")
    op.drop_index(op.f("ix_pet_profiles_sex"), table_name="pet_profiles")
    op.drop_index(op.f("ix_pet_profiles_neutered"), table_name="pet_profiles")
    op.drop_index(op.f("ix_pet_profiles_birth_date"), table_name="pet_profiles")
    op.drop_index(op.f("ix_pet_profiles_weight_kg"), table_name="pet_profiles")
    op.drop_index(op.f("ix_pet_profiles_owner_id"), table_name="pet_profiles")
    op.drop_table("pet_profiles")
