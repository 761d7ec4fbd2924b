"""Reading and writing the status page's rows. Functions take the caller's session and never
commit; the returned values are the pure types of `timeline` and `uptime`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.features.status_page.incidents import Incident
from petsage.features.status_page.orm import StatusDailyRollup, StatusIncident, StatusInstanceRun
from petsage.features.status_page.timeline import Baseline, Change, Run
from petsage.features.status_page.uptime import Tally
from petsage.health.history import HealthEvent
from petsage.health.model import Status


@dataclass(frozen=True, slots=True)
class DayRollup:
    day: date
    check: str
    tally: Tally
    incidents: int


# --- instance runs ---------------------------------------------------------------------------


async def start_run(
    session: AsyncSession, instance_id: str, started_at: datetime, now: datetime | None = None
) -> int:
    """A run begun at `started_at`, seen at `now` (later when written late)."""
    run = StatusInstanceRun(
        instance_id=instance_id, started_at=started_at, last_seen_at=now or started_at
    )
    session.add(run)
    await session.flush()
    return run.id


async def touch_run(session: AsyncSession, run_id: int, now: datetime) -> None:
    await session.execute(
        update(StatusInstanceRun).where(StatusInstanceRun.id == run_id).values(last_seen_at=now)
    )


async def stop_run(session: AsyncSession, run_id: int, now: datetime) -> None:
    await session.execute(
        update(StatusInstanceRun)
        .where(StatusInstanceRun.id == run_id)
        .values(last_seen_at=now, stopped_at=now)
    )


async def load_runs(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    alive_within: float,
    alive_instance: str | None = None,
) -> list[Run]:
    """Runs that overlap [start, end). A run without a stop whose heartbeat is fresher than
    `alive_within` seconds is still running (until `now`); an older one crashed at its last
    heartbeat, unless it is `alive_instance`'s (the caller's own: it runs). A run also ends
    where the same instance id started again."""
    rows = await session.execute(
        select(
            StatusInstanceRun.instance_id,
            StatusInstanceRun.started_at,
            StatusInstanceRun.last_seen_at,
            StatusInstanceRun.stopped_at,
        )
        .where(StatusInstanceRun.started_at < end)
        .where(
            func.coalesce(StatusInstanceRun.stopped_at, StatusInstanceRun.last_seen_at)
            >= start - timedelta(seconds=alive_within)
        )
        .order_by(StatusInstanceRun.started_at, StatusInstanceRun.id)
    )
    fresh_after = now - timedelta(seconds=alive_within)
    runs: list[Run] = []
    latest: dict[str, int] = {}
    for instance_id, started_at, last_seen_at, stopped_at in rows:
        if stopped_at is not None:
            ends = stopped_at
        elif last_seen_at >= fresh_after or instance_id == alive_instance:
            ends = now
        else:
            ends = last_seen_at
        previous = latest.get(instance_id)
        if previous is not None and runs[previous].end > started_at:
            old = runs[previous]
            runs[previous] = Run(old.instance_id, old.start, started_at)
        latest[instance_id] = len(runs)
        runs.append(Run(instance_id, started_at, max(ends, started_at)))
    return [run for run in runs if run.end > start]


async def prune_runs(session: AsyncSession, *, ended_before: datetime) -> None:
    await session.execute(
        delete(StatusInstanceRun).where(
            func.coalesce(StatusInstanceRun.stopped_at, StatusInstanceRun.last_seen_at)
            < ended_before
        )
    )


# --- health events ---------------------------------------------------------------------------


async def load_changes(session: AsyncSession, start: datetime, end: datetime) -> list[Change]:
    rows = await session.execute(
        select(
            HealthEvent.occurred_at,
            HealthEvent.instance_id,
            HealthEvent.check_name,
            HealthEvent.new_status,
            HealthEvent.reason,
        )
        .where(HealthEvent.occurred_at >= start, HealthEvent.occurred_at < end)
        .order_by(HealthEvent.occurred_at, HealthEvent.id)
    )
    return [
        Change(at, instance, check, Status(status), reason)
        for at, instance, check, status, reason in rows
    ]


async def events_after(
    session: AsyncSession, event_id: int | None
) -> tuple[int | None, datetime | None]:
    """The newest event id, and the earliest time among the events after `event_id` (None for
    the first look, which only needs the id); (None, None) when there are none."""
    if event_id is None:
        # Alone: SQLite reads one aggregate from an index, two from the whole table.
        return await session.scalar(select(func.max(HealthEvent.id))), None
    # Through a subquery in id order: a prepared statement's generic plan for the plain
    # aggregates walked the whole `occurred_at` index on PostgreSQL (273 ms at 1,000,000
    # events, against 0.05 ms). Past the limit, the next look goes on from the last id read.
    recent = (
        select(HealthEvent.id, HealthEvent.occurred_at)
        .where(HealthEvent.id > event_id)
        .order_by(HealthEvent.id)
        .limit(_LATE_READ_LIMIT)
        .subquery()
    )
    query = select(func.max(recent.c.id), func.min(recent.c.occurred_at))
    last, earliest = (await session.execute(query)).one()
    return last, earliest


async def load_baseline(
    session: AsyncSession, runs: Sequence[Run], checks: Iterable[str], at: datetime
) -> Baseline:
    """Each (instance, check)'s status at `at` for the runs that began before it: the last
    change since the run began (one indexed lookup each; a handful of runs span a moment)."""
    baseline: dict[tuple[str, str], Status] = {}
    names = list(checks)
    for run in runs:
        if not run.start < at < run.end:
            continue
        for name in names:
            status = await session.scalar(
                select(HealthEvent.new_status)
                .where(
                    HealthEvent.check_name == name,
                    HealthEvent.instance_id == run.instance_id,
                    HealthEvent.occurred_at >= run.start,
                    HealthEvent.occurred_at < at,
                )
                .order_by(HealthEvent.occurred_at.desc())  # no tiebreak: the index gives this order
                .limit(1)
            )
            if status is not None:
                baseline[(run.instance_id, name)] = Status(status)
    return baseline


# --- daily rollups ---------------------------------------------------------------------------


async def load_rollups(session: AsyncSession, first: date, last: date) -> list[DayRollup]:
    rows = await session.scalars(
        select(StatusDailyRollup).where(
            StatusDailyRollup.day >= first, StatusDailyRollup.day <= last
        )
    )
    return [
        DayRollup(
            row.day,
            row.check_name,
            Tally(row.seconds_ok, row.seconds_degraded, row.seconds_error, row.seconds_unknown),
            row.incidents,
        )
        for row in rows
    ]


async def latest_rollup_day(session: AsyncSession) -> date | None:
    day: date | None = await session.scalar(select(func.max(StatusDailyRollup.day)))
    return day


async def save_rollups(session: AsyncSession, rollups: Sequence[DayRollup]) -> None:
    """Insert or replace: two instances rolling up the same day write the same numbers."""
    if not rollups:
        return
    insert = _insert_for(session)
    for offset in range(0, len(rollups), _ROWS_PER_STATEMENT):
        chunk = rollups[offset : offset + _ROWS_PER_STATEMENT]
        statement = insert(StatusDailyRollup).values([_rollup_row(r) for r in chunk])
        columns = {name: statement.excluded[name] for name in _ROLLUP_VALUES}
        await session.execute(
            statement.on_conflict_do_update(index_elements=["day", "check_name"], set_=columns)
        )


async def save_incidents(session: AsyncSession, incidents: Sequence[Incident]) -> None:
    """Insert or replace by id (the check and its start), like the rollups."""
    if not incidents:
        return
    insert = _insert_for(session)
    for offset in range(0, len(incidents), _ROWS_PER_STATEMENT):
        chunk = incidents[offset : offset + _ROWS_PER_STATEMENT]
        statement = insert(StatusIncident).values([_incident_row(i) for i in chunk])
        columns = {name: statement.excluded[name] for name in _INCIDENT_VALUES}
        await session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=columns))


async def load_incidents(
    session: AsyncSession, *, since: datetime, before: datetime, limit: int
) -> list[Incident]:
    """Stored incidents begun in [since, before), the newest `limit` of them."""
    rows = await session.scalars(
        select(StatusIncident)
        .where(StatusIncident.started_at >= since, StatusIncident.started_at < before)
        .order_by(StatusIncident.started_at.desc())
        .limit(limit)
    )
    return [
        Incident(
            row.check_name,
            Status(row.severity),
            row.started_at,
            row.ended_at,
            row.reason,
            row.resumed_at,
            row.down_before,
        )
        for row in rows
    ]


async def prune_incidents(session: AsyncSession, *, before: datetime) -> None:
    await session.execute(delete(StatusIncident).where(StatusIncident.started_at < before))


async def prune_rollups(session: AsyncSession, *, before: date) -> None:
    await session.execute(delete(StatusDailyRollup).where(StatusDailyRollup.day < before))


# New events read at most per look for late changes: thousands a second only while backlogs
# are written after an outage.
_LATE_READ_LIMIT = 100_000
# SQLite allows 32766 bound parameters a statement; eight a row at most.
_ROWS_PER_STATEMENT = 1000
_ROLLUP_VALUES = ("seconds_ok", "seconds_degraded", "seconds_error", "seconds_unknown", "incidents")
_INCIDENT_VALUES = ("severity", "ended_at", "reason", "resumed_at", "down_before")


def _rollup_row(rollup: DayRollup) -> Mapping[str, object]:
    return {
        "day": rollup.day,
        "check_name": rollup.check,
        "seconds_ok": rollup.tally.ok,
        "seconds_degraded": rollup.tally.degraded,
        "seconds_error": rollup.tally.error,
        "seconds_unknown": rollup.tally.unknown,
        "incidents": rollup.incidents,
    }


def _incident_row(incident: Incident) -> Mapping[str, object]:
    return {
        "id": incident.id,
        "check_name": incident.check,
        "severity": incident.severity.value,
        "started_at": incident.started_at,
        "ended_at": incident.ended_at,
        "reason": incident.reason,
        "resumed_at": incident.resumed_at,
        "down_before": incident.down_before,
    }


def _insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO UPDATE (the plain one has not)."""
    # Imported here: the PostgreSQL dialect alone took 20 ms of a SQLite instance's start-up.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # noqa: PLC0415

        return insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # noqa: PLC0415

    return sqlite_insert
