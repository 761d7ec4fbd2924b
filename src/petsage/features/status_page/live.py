"""The summary while the status page's database is unavailable: this instance's live checks.

The page exists for the moment its own store may be failing, so it must not keep showing the
last summary it read. The statuses and the banner come from the health engine's in-memory
snapshot (what readiness answers from); the bars, uptime windows and past incidents are the last
ones read from the database, with an ongoing incident for every check failing now. The summary
says so: `history_complete` is false until a computation from the database succeeds again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from petsage.features.status_page.incidents import Incident
from petsage.features.status_page.models import (
    Banner,
    CheckStatusPublic,
    IncidentPublic,
    StatusSummary,
    failing_first,
)
from petsage.features.status_page.service import INCIDENTS_SHOWN
from petsage.health.aggregate import severity
from petsage.health.lifecycle import Phase
from petsage.health.model import Status
from petsage.health.snapshot import HealthSnapshot


def live_summary(
    last: StatusSummary,
    snapshot: HealthSnapshot,
    since: Mapping[str, datetime],
    *,
    now: datetime,
    phase: Phase,
    merge_seconds: float,
) -> StatusSummary:
    """`last` with the statuses of `snapshot` (as of now: a stale one has failed) and its
    failures as ongoing incidents. `since` maps each check to when its status last changed."""
    checks = [_live_check(check, snapshot, since) for check in last.checks]
    incidents = list(last.incidents)
    for check in checks:
        incidents = _follow(incidents, check, now=now, merge_seconds=merge_seconds)
    incidents.sort(key=lambda incident: incident.started_at, reverse=True)
    incidents.sort(key=lambda incident: incident.ended_at is not None)  # ongoing first
    return last.model_copy(
        update={
            "banner": _banner(phase, snapshot),
            "updated_at": now,
            "history_complete": False,
            "checks": failing_first(checks),
            "incidents": incidents[:INCIDENTS_SHOWN],
        }
    )


def _live_check(
    check: CheckStatusPublic, snapshot: HealthSnapshot, since: Mapping[str, datetime]
) -> CheckStatusPublic:
    result = snapshot.by_name.get(check.name)
    if result is None:  # no round yet
        return check.model_copy(update={"status": "unknown", "since": None, "reason": None})
    reason = None if result.status is Status.OK else (result.error or None)
    # Unchanged since the last summary read: its `since` is the one to keep (the history knows
    # better than this process, which may have started long after).
    began = check.since if result.status.value == check.status else since.get(check.name)
    return check.model_copy(
        update={"status": result.status.value, "since": began, "reason": reason}
    )


def _banner(phase: Phase, snapshot: HealthSnapshot) -> Banner:
    """The stored summary's rule for one instance: its overall status is the service's."""
    if phase is Phase.STARTING or not snapshot.started:
        return Banner.STARTING
    if phase is Phase.DRAINING:
        return Banner.DRAINING
    if snapshot.status() is Status.ERROR:
        return Banner.OUTAGE
    statuses = {result.status for result in snapshot.results}
    if Status.ERROR in statuses:
        return Banner.PARTIAL_OUTAGE
    if Status.DEGRADED in statuses:
        return Banner.DEGRADED
    return Banner.OPERATIONAL


def _follow(
    incidents: list[IncidentPublic],
    check: CheckStatusPublic,
    *,
    now: datetime,
    merge_seconds: float,
) -> list[IncidentPublic]:
    """`incidents` with `check`'s live status applied: a failure opens (or reopens, within
    the merge gap, as the database's computation would) its incident; a recovery ends it."""
    mine = [i for i in incidents if i.check == check.name]
    latest = max(mine, key=lambda incident: incident.started_at, default=None)
    others = [i for i in incidents if i is not latest]
    if check.status in ("ok", "unknown"):
        if latest is not None and latest.ended_at is None and check.status == "ok":
            ended = check.since if check.since and check.since > latest.started_at else now
            return [*others, _timed(latest, ended, now, before=_before(latest))]
        return incidents
    status = Status(check.status)
    began = check.since or now
    merge = timedelta(seconds=merge_seconds)
    if latest is not None and latest.ended_at is None:
        worst = max(Status(latest.severity), status, key=severity)
        going = latest.model_copy(update={"severity": worst.value, "reason": check.reason})
        return [*others, _timed(going, None, now, before=_before(latest))]
    if latest is not None and latest.ended_at is not None and began - latest.ended_at < merge:
        worst = max(Status(latest.severity), status, key=severity)
        # A reopening: its downtime so far is kept, the gap is not counted, and it changed now.
        update = {"severity": worst.value, "reason": check.reason, "latest_started_at": began}
        reopened = latest.model_copy(update=update)
        return [*others, _timed(reopened, None, now, before=latest.downtime_seconds)]
    opened = Incident(check.name, status, began, None, check.reason or "")
    return [*incidents, _timed(_public(opened), None, now, before=0.0)]


def _timed(
    incident: IncidentPublic, ended: datetime | None, now: datetime, *, before: float
) -> IncidentPublic:
    """`incident` ending at `ended` (None: going on at `now`), its times counted to then;
    `before` is the downtime of its stretches before the latest one."""
    until = ended or now
    update = {
        "ended_at": ended,
        "duration_seconds": (until - incident.started_at).total_seconds(),
        "downtime_seconds": before + (until - incident.latest_started_at).total_seconds(),
        "changed_at": max(incident.changed_at, ended or incident.latest_started_at),
    }
    return incident.model_copy(update=update)


def _before(incident: IncidentPublic) -> float:
    """The downtime of `incident`'s stretches before its latest one, as last counted."""
    counted_to = incident.started_at + timedelta(seconds=incident.duration_seconds)
    latest = (incident.ended_at or counted_to) - incident.latest_started_at
    return max(0.0, incident.downtime_seconds - latest.total_seconds())


def _public(incident: Incident) -> IncidentPublic:
    return IncidentPublic(
        id=incident.id,
        check=incident.check,
        severity=incident.severity.value,
        started_at=incident.started_at,
        ended_at=None,
        duration_seconds=0.0,
        downtime_seconds=0.0,
        latest_started_at=incident.started_at,
        changed_at=incident.started_at,
        reason=incident.reason or None,
    )
