"""The `health_events` table and its repository: one row per change of a check's status.

The health engine records an event whenever a check changes status; the history endpoint
lists them, newest first. Functions take the caller's session and never commit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Index, Select, String, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

# Re-exported: the tables that share the column (the status page's) read its width here.
from petsage.check_names import CHECK_NAME_MAX as CHECK_NAME_MAX  # noqa: PLC0414
from petsage.database.base import Base
from petsage.database.columns import UTCDateTime, as_utc
from petsage.health.model import Status

INSTANCE_ID_MAX = 255
STATUS_MAX = 16
REASON_MAX = 500
LIST_LIMIT_MAX = 1000


class HealthEvent(Base):
    __tablename__ = "health_events"
    __table_args__ = (
        Index("ix_health_events_check_name_occurred_at", "check_name", "occurred_at"),
        Index("ix_health_events_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    instance_id: Mapped[str] = mapped_column(String(INSTANCE_ID_MAX))
    check_name: Mapped[str] = mapped_column(String(CHECK_NAME_MAX))
    old_status: Mapped[str | None] = mapped_column(String(STATUS_MAX))
    new_status: Mapped[str] = mapped_column(String(STATUS_MAX))
    reason: Mapped[str] = mapped_column(String(REASON_MAX))

    def __repr__(self) -> str:
        return (
            f"HealthEvent({self.check_name}: {self.old_status} -> {self.new_status} "
            f"at {self.occurred_at.isoformat()})"
        )


async def record_event(
    session: AsyncSession,
    *,
    check_name: str,
    old_status: str | None,
    new_status: str,
    reason: str,
    instance_id: str,
    occurred_at: datetime | None = None,
) -> HealthEvent:
    """Add one status change (flushed, so it has its id); the caller's unit of work commits.

    Statuses must be `Status` values; the reason is cut to 500 characters.
    """
    if not 0 < len(check_name) <= CHECK_NAME_MAX:
        raise ValueError(f"check name must be 1 to {CHECK_NAME_MAX} characters: {check_name!r}")
    event = HealthEvent(
        occurred_at=as_utc(occurred_at) if occurred_at else datetime.now(UTC),
        instance_id=instance_id[:INSTANCE_ID_MAX],
        check_name=check_name,
        old_status=None if old_status is None else Status(old_status).value,
        new_status=Status(new_status).value,
        reason=shorten(reason),
    )
    session.add(event)
    await session.flush()
    return event


async def stored_moments(
    session: AsyncSession, *, instance_id: str, since: datetime, until: datetime
) -> set[tuple[str, datetime]]:
    """(check, time) of `instance_id`'s events in [since, until]: what a retried write skips."""
    rows = await session.execute(
        select(HealthEvent.check_name, HealthEvent.occurred_at).where(
            HealthEvent.instance_id == instance_id[:INSTANCE_ID_MAX],
            HealthEvent.occurred_at >= as_utc(since),
            HealthEvent.occurred_at <= as_utc(until),
        )
    )
    return {(check, as_utc(at)) for check, at in rows}


async def list_events(
    session: AsyncSession,
    *,
    check: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[HealthEvent]:
    """Events newest first (ties broken by id, so pages never overlap or skip).

    `since` is inclusive, `until` exclusive; naive datetimes are taken as UTC.
    """
    if not 1 <= limit <= LIST_LIMIT_MAX or offset < 0:
        raise ValueError(f"limit must be 1 to {LIST_LIMIT_MAX} and offset at least 0")
    query = _filtered(select(HealthEvent), check=check, since=since, until=until)
    query = query.order_by(HealthEvent.occurred_at.desc(), HealthEvent.id.desc())
    result = await session.scalars(query.limit(limit).offset(offset))
    return list(result.all())


async def count_events(
    session: AsyncSession,
    *,
    check: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """How many events `list_events` would page through with the same filters."""
    query = _filtered(select(func.count(HealthEvent.id)), check=check, since=since, until=until)
    return int(await session.scalar(query) or 0)


async def prune_events(session: AsyncSession, *, older_than: datetime) -> int:
    """Delete events that occurred before `older_than`; return how many went."""
    result = await session.execute(
        delete(HealthEvent).where(HealthEvent.occurred_at < as_utc(older_than))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def retention_cutoff(days: int, *, now: datetime | None = None) -> datetime:
    """The `older_than` for a retention of `days` (`PETSAGE_HEALTH_HISTORY_DAYS`)."""
    return (as_utc(now) if now else datetime.now(UTC)) - timedelta(days=days)


def _filtered(
    query: Select[Any],
    *,
    check: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[Any]:
    if check is not None:
        query = query.where(HealthEvent.check_name == check)
    if since is not None:
        query = query.where(HealthEvent.occurred_at >= as_utc(since))
    if until is not None:
        query = query.where(HealthEvent.occurred_at < as_utc(until))
    return query


def shorten(reason: str) -> str:
    """`reason` cut to REASON_MAX characters, as it is stored."""
    if len(reason) <= REASON_MAX:
        return reason
    return reason[: REASON_MAX - 1] + "…"
