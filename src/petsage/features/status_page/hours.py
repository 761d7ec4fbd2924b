"""The recent past, computed an hour at a time and kept: a recompute after a change reads and
sweeps only the last hour or two of raw events, not the whole last day.

An hour is kept once it ended more than `alive_within` seconds ago (the history writes a change
within seconds; a crashed instance is known to be gone by then), and dropped when it falls out
of the span. Everything older than the span comes from the daily rollups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from petsage.features.status_page.incidents import Incident, join_incidents
from petsage.features.status_page.timeline import OVERALL, Segment
from petsage.features.status_page.uptime import Tally, tally

HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Hour:
    start: datetime
    end: datetime
    segments: dict[str, list[Segment]]
    tallies: dict[str, Tally]
    incidents: dict[str, list[Incident]]

    @classmethod
    def of(
        cls,
        start: datetime,
        end: datetime,
        segments: dict[str, list[Segment]],
        incidents: dict[str, list[Incident]],
    ) -> Hour:
        tallies = {name: tally(listed, start, end) for name, listed in segments.items()}
        return cls(start, end, segments, tallies, incidents)


HourCache = dict[datetime, Hour]


def floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Recent:
    """Consecutive hours from `start` to now, read as one span."""

    start: datetime
    hours: Sequence[Hour]
    merge_seconds: float

    def tally(self, name: str, start: datetime, end: datetime) -> Tally:
        """Seconds of each status in [start, end): whole hours from their kept tallies."""
        total = Tally()
        covered = 0.0
        for hour in self.hours:
            if hour.end <= start or hour.start >= end:
                continue
            if start <= hour.start and hour.end <= end:
                part = hour.tallies[name]
            else:
                part = tally(hour.segments[name], max(start, hour.start), min(end, hour.end))
            total += part
            covered += part.ok + part.degraded + part.error + part.unknown
        missing = max(0.0, (end - start).total_seconds() - covered)
        return total + Tally(unknown=missing)

    def current(self, name: str) -> tuple[Segment | None, datetime | None]:
        """The status now, and since when (None when it began before the span)."""
        last: Segment | None = None
        since: datetime | None = None
        for hour in reversed(self.hours):
            for segment in reversed(hour.segments[name]):
                if last is None:
                    last = segment
                elif segment.status is not last.status:
                    return last, since
                since = segment.start
        return last, None if since == self.start else since

    def incidents(self, name: str) -> list[Incident]:
        listed = [i for hour in self.hours for i in hour.incidents.get(name, [])]
        return join_incidents(listed, merge_seconds=self.merge_seconds)

    def all_incidents(self, names: Sequence[str]) -> list[Incident]:
        return [i for name in names if name != OVERALL for i in self.incidents(name)]
