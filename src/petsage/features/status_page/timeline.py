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
    A change costs work for its own check and the overall row only, not for every check.
    """
    sweep = _Sweep(checks, baseline or {}, start)
    for at, group in _points(runs, changes, start, end, checks):
        touched = set()
        for point in group:
            touched |= sweep.apply(point)
        sweep.settle(at, touched)
    return sweep.close(end)


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


class _Instance:
    """One running instance's check statuses, and how many are failing, to know its overall
    status without going through every check."""

    def __init__(self, states: dict[str, tuple[Status, str]], critical: Mapping[str, bool]) -> None:
        self.states = states
        self.critical = critical
        self.critical_errors = 0
        self.not_ok = 0
        for name, (status, _) in states.items():
            self._count(name, status, 1)

    def set(self, check: str, status: Status, reason: str) -> None:
        self._count(check, self.states[check][0], -1)
        self.states[check] = (status, reason)
        self._count(check, status, 1)

    def overall(self) -> Status:
        if self.critical_errors:
            return Status.ERROR
        return Status.DEGRADED if self.not_ok else Status.OK

    def _count(self, check: str, status: Status, step: int) -> None:
        if status is not Status.OK:
            self.not_ok += step
            if status is Status.ERROR and self.critical[check]:
                self.critical_errors += step


class _Sweep:
    """The running instances, and each row's open segment, as the sweep goes through time."""

    def __init__(self, checks: Mapping[str, bool], baseline: Baseline, start: datetime) -> None:
        self.checks = checks
        self.baseline = baseline
        self.running: dict[str, _Instance] = {}
        self.segments: dict[str, list[Segment]] = {name: [] for name in (*checks, OVERALL)}
        self.open: dict[str, Segment] = {
            name: Segment(start, start, None) for name in self.segments
        }

    def apply(self, point: _Point) -> set[str]:
        """Apply one point; return the rows it may have changed."""
        if point.kind == 0:
            self.running.pop(point.instance_id, None)
            return set(self.segments)
        if point.kind == 1:
            self.running[point.instance_id] = _Instance(
                {
                    name: (self.baseline.get((point.instance_id, name), Status.OK), "")
                    for name in self.checks
                },
                self.checks,
            )
            return set(self.segments)
        instance = self.running.get(point.instance_id)
        if instance is None or point.change is None:
            return set()  # a late change from an instance that is not running
        instance.set(point.change.check, point.change.status, point.change.reason)
        return {point.change.check, OVERALL}

    def settle(self, at: datetime, rows: set[str]) -> None:
        for name in rows:
            if name == OVERALL:
                status, reason = self._overall(), ""
            else:
                status, reason = _worst(i.states[name] for i in self.running.values())
            opened = self.open[name]
            if status is opened.status:
                continue
            if at > opened.start:
                self.segments[name].append(Segment(opened.start, at, opened.status, opened.reason))
            self.open[name] = Segment(at, at, status, reason)

    def close(self, end: datetime) -> dict[str, list[Segment]]:
        for name, opened in self.open.items():
            if end > opened.start:
                self.segments[name].append(Segment(opened.start, end, opened.status, opened.reason))
        return self.segments

    def _overall(self) -> Status | None:
        best: Status | None = None
        for instance in self.running.values():
            status = instance.overall()
            if best is None or SEVERITY[status] < SEVERITY[best]:
                best = status
        return best


def _worst(states: Iterable[tuple[Status, str]]) -> tuple[Status | None, str]:
    worst: tuple[Status | None, str] = (None, "")
    for status, reason in states:
        current = worst[0]
        if current is None or SEVERITY[status] > SEVERITY[current]:
            worst = (status, reason)
    return worst


def current(segments: Sequence[Segment]) -> Segment | None:
    """The last segment: the status now and since when."""
    return segments[-1] if segments else None
