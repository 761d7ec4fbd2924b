"""Rows for the status page's tests: instance runs and status changes at chosen times."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from petsage.features.status_page.orm import StatusInstanceRun
from petsage.health import history
from petsage.health.model import Status


async def add_run(
    session: AsyncSession,
    instance: str,
    started: datetime,
    *,
    stopped: datetime | None = None,
    last_seen: datetime | None = None,
) -> None:
    session.add(
        StatusInstanceRun(
            instance_id=instance,
            started_at=started,
            last_seen_at=last_seen or stopped or started,
            stopped_at=stopped,
        )
    )
    await session.flush()


async def add_change(
    session: AsyncSession, instance: str, check: str, status: Status, when: datetime
) -> None:
    await history.record_event(
        session,
        check_name=check,
        old_status=None,
        new_status=status,
        reason=f"{check} went {status}",
        instance_id=instance,
        occurred_at=when,
    )
