"""status_incidents keep their downtime: the latest stretch's start and the seconds before it.

A merged incident stored by a day's rollup counted its whole span as downtime, gaps included.
Rows stored before this revision get NULL and 0: their span still counts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch: SQLite rebuilds the table where it cannot alter it; PostgreSQL alters in place.
    with op.batch_alter_table("status_incidents") as batch:
        batch.add_column(sa.Column("resumed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("down_before", sa.Float(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("status_incidents") as batch:
        batch.drop_column("down_before")
        batch.drop_column("resumed_at")
