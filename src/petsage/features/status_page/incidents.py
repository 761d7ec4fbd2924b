"""Incidents: a check's non-ok periods, merged when they follow each other closely."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from petsage.features.status_page.timeline import Segment
from petsage.features.status_page.uptime import DAY, day_start
from petsage.health.model import Status


@dataclass(frozen=True, slots=True)
class Incident:
    check: str
    severity: Status
    started_at: datetime
    ended_at: datetime | None
    reason: str
    # When its latest non-ok stretch began (a reopening or a change of severity inside the
    # merge gap), and how long the stretches before it were down: a merged incident's downtime
    # is not its span. A stored incident (a day's rollup) keeps both.
    resumed_at: datetime | None = None
    down_before: float = 0.0

    @property
    def id(self) -> str:
        """The same on every instance and every recompute: the check and when it began."""
        key = f"{self.check}@{self.started_at.isoformat()}".encode()
        return hashlib.sha256(key).hexdigest()[:16]

    def duration(self, now: datetime) -> float:
        return ((self.ended_at or now) - self.started_at).total_seconds()

    @property
    def latest_start(self) -> datetime:
        return self.resumed_at or self.started_at

    def downtime(self, now: datetime) -> float:
        """Seconds non-ok: the gaps a merge bridged do not count."""
        return self.down_before + ((self.ended_at or now) - self.latest_start).total_seconds()

    @property
    def changed_at(self) -> datetime:
        """Its last change: opening, reopening, a change of severity, or resolution."""
        return self.ended_at or self.latest_start

    def continued(
        self, severity: Status, resumed_at: datetime, ended_at: datetime | None
    ) -> Incident:
        """This incident with a stretch from `resumed_at` to `ended_at` after its last one."""
        last_end = self.ended_at or resumed_at
        down = self.down_before + (min(last_end, resumed_at) - self.latest_start).total_seconds()
        return Incident(
            self.check, severity, self.started_at, ended_at, self.reason, resumed_at, down
        )

    def touches(self, day_start: datetime, day_end: datetime, now: datetime) -> bool:
        return self.started_at < day_end and (self.ended_at or now) >= day_start


def find_incidents(
    check: str, segments: Iterable[Segment], *, merge_seconds: float, now: datetime
) -> list[Incident]:
    """Oldest first. A gap (ok or unknown) shorter than `merge_seconds` between two non-ok
    segments joins them; an incident still non-ok at `now` has no end."""
    merge = timedelta(seconds=merge_seconds)
    found: list[Incident] = []
    for segment in segments:
        if segment.status is None or segment.status is Status.OK:
            continue
        last = found[-1] if found else None
        if last is not None and last.ended_at is not None and segment.start - last.ended_at < merge:
            severity = max(last.severity, segment.status, key=_rank)
            found[-1] = last.continued(severity, segment.start, segment.end)
        else:
            found.append(
                Incident(check, segment.status, segment.start, segment.end, segment.reason)
            )
    if found and found[-1].ended_at is not None and found[-1].ended_at >= now:
        last = found[-1]
        found[-1] = replace(last, ended_at=None)
    return found


def join_incidents(incidents: Iterable[Incident], *, merge_seconds: float) -> list[Incident]:
    """Oldest first, with an incident that begins less than `merge_seconds` after the previous
    one of its check ended (or before) joined to it: a day's rollup cuts incidents at midnight,
    and the raw span begins where the stored incidents stop."""
    merge = timedelta(seconds=merge_seconds)
    joined: list[Incident] = []
    last_of: dict[str, int] = {}
    for incident in sorted(incidents, key=lambda i: i.started_at):
        index = last_of.get(incident.check)
        last = joined[index] if index is not None else None
        if index is None or last is None or not _continues(last, incident, merge):
            last_of[incident.check] = len(joined)
            joined.append(incident)
            continue
        ended = (
            None
            if incident.ended_at is None
            else max(incident.ended_at, last.ended_at or incident.ended_at)
        )
        severity = max(last.severity, incident.severity, key=_rank)
        joined[index] = _joined(last, incident, severity, ended)
    return joined


def ongoing_first(incidents: Iterable[Incident]) -> list[Incident]:
    """Ongoing incidents, then resolved ones, each newest first: what is down leads."""
    newest = sorted(incidents, key=lambda incident: incident.started_at, reverse=True)
    return sorted(newest, key=lambda incident: incident.ended_at is not None)


def count_by_day(
    incidents: Iterable[Incident], days: Iterable[date], now: datetime
) -> dict[date, int]:
    counts: dict[date, int] = {}
    listed = list(incidents)
    for day in days:
        start = day_start(day)
        counts[day] = sum(1 for i in listed if i.touches(start, start + DAY, now))
    return counts


def _continues(last: Incident, incident: Incident, merge: timedelta) -> bool:
    return last.ended_at is not None and incident.started_at - last.ended_at <= merge


def _joined(
    last: Incident, incident: Incident, severity: Status, ended: datetime | None
) -> Incident:
    """`last` followed by `incident`, their downtimes added (overlaps counted once)."""
    touching = last.ended_at is not None and incident.started_at <= last.ended_at
    if touching and incident.resumed_at is None:  # one stretch cut at midnight, say
        resumed, down = last.resumed_at, last.down_before
    else:
        resumed = incident.latest_start
        down = last.down_before + _stretch(last, incident.started_at) + incident.down_before
    return Incident(last.check, severity, last.started_at, ended, last.reason, resumed, down)


def _stretch(last: Incident, until: datetime) -> float:
    """Seconds of `last`'s latest stretch before `until` (it may run on past it)."""
    return max(0.0, (min(last.ended_at or until, until) - last.latest_start).total_seconds())


def _rank(status: Status) -> int:
    return 2 if status is Status.ERROR else 1
