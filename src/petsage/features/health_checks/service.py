"""Health logic for the endpoints: what readiness, the check list and the history say.

Everything here reads the engine's latest snapshot; nothing runs a check. A `HealthView` is
what an endpoint answers before it is rendered as JSON or as `application/health+json`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.errors import PetSageError
from petsage.features.health_checks.models import (
    HealthEventPublic,
    HealthEventsPublic,
    HistoryQuery,
    ReportStatus,
)
from petsage.health import history
from petsage.health.aggregate import failing_names
from petsage.health.check import Check, describe_error
from petsage.health.engine import HealthEngine
from petsage.health.lifecycle import Phase
from petsage.health.model import CheckResult, Status
from petsage.health.registry import CheckNotFoundError
from petsage.health.snapshot import HealthSnapshot

logger = logging.getLogger(__name__)

STARTING = "PetSage is starting up."
FIRST_ROUND = "PetSage is starting: the first round of health checks has not finished."
DRAINING = "PetSage is shutting down: draining connections."
READY = "PetSage is ready: every check passes."
# Kubernetes' wording: error text can name hosts, users and versions worth hiding.
REASON_WITHHELD = "reason withheld"


class HealthNotStartedError(PetSageError):
    """No round of checks has completed yet, so a single check has nothing to report."""

    status_code = 503
    code = "starting"


class HistoryUnavailableError(PetSageError):
    """The database holding `health_events` did not answer (readiness says why)."""

    status_code = 503
    code = "history_unavailable"


@dataclass(frozen=True, slots=True)
class HealthView:
    """An endpoint's answer before rendering. `single` views describe one check."""

    status: ReportStatus
    message: str
    entries: tuple[tuple[Check, CheckResult], ...]
    detail: bool
    single: bool = False

    @property
    def http_status(self) -> int:
        return 200 if self.status in ("ok", "degraded") else 503


def readiness_view(engine: HealthEngine, *, detail: bool, now: float | None = None) -> HealthView:
    """Readiness: starting until start-up and a first round finished, draining at shutdown."""
    snapshot = _current(engine, now)
    phase = engine.lifecycle.phase
    if phase is Phase.DRAINING:
        return _view(engine, snapshot, "draining", DRAINING, detail)
    if phase is Phase.STARTING:
        return _view(engine, snapshot, "starting", STARTING, detail)
    return checks_view(engine, detail=detail, now=now)


def checks_view(engine: HealthEngine, *, detail: bool, now: float | None = None) -> HealthView:
    """Every check; 503 only when a critical one fails (or before the first round)."""
    snapshot = _current(engine, now)
    if not snapshot.started:
        return _view(engine, snapshot, "starting", FIRST_ROUND, detail)
    status = snapshot.status()
    return _view(engine, snapshot, status.value, _message(status, snapshot), detail)


def check_view(
    engine: HealthEngine, name: str, *, detail: bool, now: float | None = None
) -> HealthView:
    """One check: 503 when it fails, whether or not it is critical."""
    check = engine.check(name)
    if check is None:
        raise CheckNotFoundError(f"No health check is named {name!r}.")
    result = _current(engine, now).by_name.get(name)
    if result is None:
        raise HealthNotStartedError(FIRST_ROUND)
    message = f"Health check {name} is {result.status.value}."
    return HealthView(result.status.value, message, ((check, result),), detail, single=True)


async def history_page(
    session: AsyncSession, query: HistoryQuery, *, detail: bool
) -> HealthEventsPublic:
    """Recorded status changes, newest first; reasons withheld without detail access."""
    check, since, until = query.check, query.since, query.until
    try:
        events = await history.list_events(
            session, check=check, since=since, until=until, limit=query.limit, offset=query.offset
        )
        total = await history.count_events(session, check=check, since=since, until=until)
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        logger.warning("health history unavailable: %s", describe_error(exc))
        raise HistoryUnavailableError(
            "The health history cannot be read: the database is unavailable."
        ) from None
    return HealthEventsPublic(
        items=[_public_event(event, detail) for event in events],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


def _current(engine: HealthEngine, now: float | None) -> HealthSnapshot:
    return engine.snapshot.as_of(time.monotonic() if now is None else now)


def _view(
    engine: HealthEngine,
    snapshot: HealthSnapshot,
    status: ReportStatus,
    message: str,
    detail: bool,
) -> HealthView:
    entries = tuple(
        (check, result)
        for result in snapshot.results
        if (check := engine.check(result.name)) is not None
    )
    return HealthView(status, message, entries, detail)


def _message(status: Status, snapshot: HealthSnapshot) -> str:
    if snapshot.stale:
        return "PetSage is not ready: the health checks have stopped reporting."
    if status is Status.ERROR:
        failing = ", ".join(failing_names(snapshot.results, critical=True))
        return f"PetSage is not ready: critical checks failing: {failing}."
    if status is Status.DEGRADED:
        return f"PetSage is ready but degraded: {', '.join(failing_names(snapshot.results))}."
    return READY


def _public_event(event: history.HealthEvent, detail: bool) -> HealthEventPublic:
    failed = event.new_status != Status.OK.value
    fields: dict[str, Any] = {
        "occurred_at": event.occurred_at,
        "check": event.check_name,
        "old_status": None if event.old_status is None else Status(event.old_status),
        "new_status": Status(event.new_status),
        "reason": event.reason if detail or not failed else REASON_WITHHELD,
    }
    if detail:
        # Only set when shown: the route's `exclude_unset` leaves an unset field out.
        fields["instance_id"] = event.instance_id
    return HealthEventPublic(**fields)
