"""health_events: one row per change of a health check's status.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "health_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instance_id", sa.String(length=255), nullable=False),
        sa.Column("check_name", sa.String(length=100), nullable=False),
        sa.Column("old_status", sa.String(length=16), nullable=True),
        sa.Column("new_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_events")),
    )
    op.create_index(
        "ix_health_events_check_name_occurred_at",
        "health_events",
        ["check_name", "occurred_at"],
    )
    op.create_index("ix_health_events_occurred_at", "health_events", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_health_events_occurred_at", table_name="health_events")
    op.drop_index("ix_health_events_check_name_occurred_at", table_name="health_events")
    op.drop_table("health_events")
