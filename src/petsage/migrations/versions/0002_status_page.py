"""status_instance_runs, status_daily_rollups and status_incidents: the status page's tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "status_instance_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_instance_runs")),
    )
    op.create_index("ix_status_instance_runs_started_at", "status_instance_runs", ["started_at"])
    op.create_table(
        "status_daily_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("check_name", sa.String(length=100), nullable=False),
        sa.Column("seconds_ok", sa.Float(), nullable=False),
        sa.Column("seconds_degraded", sa.Float(), nullable=False),
        sa.Column("seconds_error", sa.Float(), nullable=False),
        sa.Column("seconds_unknown", sa.Float(), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "check_name", name=op.f("pk_status_daily_rollups")),
    )
    op.create_table(
        "status_incidents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("check_name", sa.String(length=100), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_incidents")),
    )
    op.create_index("ix_status_incidents_started_at", "status_incidents", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_status_incidents_started_at", table_name="status_incidents")
    op.drop_table("status_incidents")
    op.drop_table("status_daily_rollups")
    op.drop_index("ix_status_instance_runs_started_at", table_name="status_instance_runs")
    op.drop_table("status_instance_runs")
