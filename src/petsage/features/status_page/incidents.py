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


def count_by_day(
    incidents: Iterable[Incident], days: Iterable[date], now: datetime
) -> dict[date, int]:
    counts: dict[date, int] = {}
    listed = list(incidents)
    for day in days:
        start = day_start(day)
        counts[day] = sum(1 for i in listed if i.touches(start, start + DAY, now))
    return counts


def _rank(status: Status) -> int:
    return 2 if status is Status.ERROR else 1
