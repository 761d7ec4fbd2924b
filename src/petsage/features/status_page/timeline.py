"""Status over time, from instance runs and status changes: pure functions, no I/O.

The uptime rule:

- A check's status on one instance starts `ok` when the instance starts (the history leaves
  out a first result that is ok) and follows that instance's changes until it stops.
- A check's status at a moment is the worst any running instance reported. When no instance
  was running it is unknown: "no data", never "up". A run without a graceful stop (a crash)
  counts until its last heartbeat; the span from there to the next start is unknown.
- An instance is ready when none of its critical checks is in error. The whole service counts
  a moment as available when at least one running instance was ready: its overall status is
  the best of the instances' overall statuses (`overall_status` of each instance's checks).
- Uptime is time, never samples: (ok + degraded) / (ok + degraded + error) seconds; unknown
  time is left out of both sides, and a window with no known time has no uptime (null).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from petsage.health.aggregate import SEVERITY
from petsage.health.model import Status

OVERALL = "_overall"


@dataclass(frozen=True, slots=True)
class Run:
    """One instance's life: from its start to its graceful stop or its last heartbeat."""

    instance_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """A check's new status on one instance (a row of `health_events`)."""

    at: datetime
    instance_id: str
    check: str
    status: Status
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    """A span with one status; `status=None` is unknown (nothing ran)."""

    start: datetime
    end: datetime
    status: Status | None
    reason: str = ""

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


Baseline = Mapping[tuple[str, str], Status]  # (instance_id, check) -> status at the range start


def build_segments(
    checks: Mapping[str, bool],
    runs: Iterable[Run],
    changes: Iterable[Change],
    *,
    start: datetime,
    end: datetime,
    baseline: Baseline | None = None,
) -> dict[str, list[Segment]]:
    """Each check's segments over [start, end), and the overall ones under `OVERALL`.

    `checks` maps each check's name to whether it is critical; changes of other checks are
    ignored. `baseline` gives each instance's status at `start` for runs begun before it.
    """
    sweep = _Sweep(checks, baseline or {})
    points = _points(runs, changes, start, end, checks)
    segments: dict[str, list[Segment]] = {name: [] for name in (*checks, OVERALL)}
    moment = start
    for at, group in points:
        if at > moment:
            sweep.emit(segments, moment, at)
            moment = at
        for point in group:
            sweep.apply(point, start)
    if end > moment:
        sweep.emit(segments, moment, end)
    return segments


@dataclass(frozen=True, slots=True)
class _Point:
    kind: int  # 0: a run ends, 1: a run starts, 2: a change (ends before starts at one moment)
    instance_id: str
    change: Change | None = None


def _points(
    runs: Iterable[Run],
    changes: Iterable[Change],
    start: datetime,
    end: datetime,
    checks: Mapping[str, bool],
) -> list[tuple[datetime, list[_Point]]]:
    timed: list[tuple[datetime, int, _Point]] = []
    for run in runs:
        if run.end <= start or run.start >= end or run.end <= run.start:
            continue
        timed.append((max(run.start, start), 1, _Point(1, run.instance_id)))
        if run.end < end:
            timed.append((run.end, 0, _Point(0, run.instance_id)))
    for change in changes:
        if start <= change.at < end and change.check in checks:
            timed.append((change.at, 2, _Point(2, change.instance_id, change)))
    timed.sort(key=lambda item: (item[0], item[1]))
    grouped: list[tuple[datetime, list[_Point]]] = []
    for at, _, point in timed:
        if grouped and grouped[-1][0] == at:
            grouped[-1][1].append(point)
        else:
            grouped.append((at, [point]))
    return grouped


class _Sweep:
    """The running instances and each one's check statuses, as the sweep goes through time."""

    def __init__(self, checks: Mapping[str, bool], baseline: Baseline) -> None:
        self.checks = checks
        self.baseline = baseline
        self.running: dict[str, dict[str, tuple[Status, str]]] = {}

    def apply(self, point: _Point, range_start: datetime) -> None:
        if point.kind == 0:
            self.running.pop(point.instance_id, None)
        elif point.kind == 1:
            self.running[point.instance_id] = self._initial(point.instance_id)
        elif point.change is not None and point.instance_id in self.running:
            change = point.change
            self.running[point.instance_id][change.check] = (change.status, change.reason)

    def _initial(self, instance_id: str) -> dict[str, tuple[Status, str]]:
        return {
            name: (self.baseline.get((instance_id, name), Status.OK), "") for name in self.checks
        }

    def emit(self, segments: dict[str, list[Segment]], start: datetime, end: datetime) -> None:
        instances = list(self.running.values())
        for name in self.checks:
            status, reason = _worst((states[name] for states in instances), default=None)
            _extend(segments[name], Segment(start, end, status, reason))
        overall: Status | None = None
        for states in instances:
            status = _instance_overall(states, self.checks)
            if overall is None or SEVERITY[status] < SEVERITY[overall]:
                overall = status
        _extend(segments[OVERALL], Segment(start, end, overall))


def _worst(states: Iterable[tuple[Status, str]], *, default: None) -> tuple[Status | None, str]:
    worst: tuple[Status | None, str] = (default, "")
    for status, reason in states:
        current = worst[0]
        if current is None or SEVERITY[status] > SEVERITY[current]:
            worst = (status, reason)
    return worst


def _instance_overall(
    states: Mapping[str, tuple[Status, str]], critical: Mapping[str, bool]
) -> Status:
    overall = Status.OK
    for name, (status, _) in states.items():
        if status is Status.ERROR and critical[name]:
            return Status.ERROR
        if status is not Status.OK:
            overall = Status.DEGRADED
    return overall


def _extend(segments: list[Segment], segment: Segment) -> None:
    if segments and segments[-1].status is segment.status and segments[-1].end == segment.start:
        last = segments[-1]
        segments[-1] = Segment(last.start, segment.end, last.status, last.reason or segment.reason)
    else:
        segments.append(segment)


def current(segments: Sequence[Segment]) -> Segment | None:
    """The last segment: the status now and since when."""
    return segments[-1] if segments else None
