"""The status page's tables, created by migration 0002.

`status_instance_runs`: one row per PetSage process, so that time when none ran is "no data".
`status_daily_rollups`: seconds per status of each check (and `_overall`) per UTC day, kept
for PETSAGE_STATUS_ROLLUP_DAYS, long after the raw events are pruned.
`status_incidents`: the incidents of completed days, so that listing them never reads more
than the last day or two of raw events; with their downtime, which a merged incident's span is
not (migration 0003).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from petsage.database.base import Base
from petsage.database.columns import UTCDateTime
from petsage.health.history import CHECK_NAME_MAX, INSTANCE_ID_MAX, REASON_MAX, STATUS_MAX

INCIDENT_ID_MAX = 32


class StatusInstanceRun(Base):
    """A process's start, its last heartbeat and its graceful stop (NULL until then)."""

    __tablename__ = "status_instance_runs"
    __table_args__ = (Index("ix_status_instance_runs_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(INSTANCE_ID_MAX))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StatusDailyRollup(Base):
    """One check's day (UTC): seconds ok, degraded, error and unknown, and its incidents."""

    __tablename__ = "status_daily_rollups"

    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    check_name: Mapped[str] = mapped_column(String(CHECK_NAME_MAX), primary_key=True)
    seconds_ok: Mapped[float] = mapped_column(Float())
    seconds_degraded: Mapped[float] = mapped_column(Float())
    seconds_error: Mapped[float] = mapped_column(Float())
    seconds_unknown: Mapped[float] = mapped_column(Float())
    incidents: Mapped[int] = mapped_column(Integer())


class StatusIncident(Base):
    """One check's incident within one completed day (joined with its neighbours on read)."""

    __tablename__ = "status_incidents"
    __table_args__ = (Index("ix_status_incidents_started_at", "started_at"),)

    id: Mapped[str] = mapped_column(String(INCIDENT_ID_MAX), primary_key=True)
    check_name: Mapped[str] = mapped_column(String(CHECK_NAME_MAX))
    severity: Mapped[str] = mapped_column(String(STATUS_MAX))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    # Its latest stretch's start (NULL: one stretch) and the seconds down before it: the gaps
    # a merge bridged are not downtime. Rows stored before 0003 have neither: their span counts.
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    down_before: Mapped[float] = mapped_column(Float(), default=0.0, server_default="0")
