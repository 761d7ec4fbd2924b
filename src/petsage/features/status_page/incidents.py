"""Incidents: a check's non-ok periods, merged when they follow each other closely."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
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

    @property
    def id(self) -> str:
        """The same on every instance and every recompute: the check and when it began."""
        key = f"{self.check}@{self.started_at.isoformat()}".encode()
        return hashlib.sha256(key).hexdigest()[:16]

    def duration(self, now: datetime) -> float:
        return ((self.ended_at or now) - self.started_at).total_seconds()

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
            found[-1] = Incident(check, severity, last.started_at, segment.end, last.reason)
        else:
            found.append(
                Incident(check, segment.status, segment.start, segment.end, segment.reason)
            )
    if found and found[-1].ended_at is not None and found[-1].ended_at >= now:
        last = found[-1]
        found[-1] = Incident(check, last.severity, last.started_at, None, last.reason)
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
        joined[index] = Incident(incident.check, severity, last.started_at, ended, last.reason)
    return joined


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


def _rank(status: Status) -> int:
    return 2 if status is Status.ERROR else 1
