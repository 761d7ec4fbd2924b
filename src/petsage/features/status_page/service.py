"""The status summary, computed from the database: rollups for past days, raw events for the
last day or two, and this instance's changes that the history has not written yet."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from petsage.features.status_page import store
from petsage.features.status_page.hours import HOUR, Hour, HourCache, Recent, floor_hour
from petsage.features.status_page.incidents import (
    Incident,
    count_by_day,
    find_incidents,
    join_incidents,
    ongoing_first,
)
from petsage.features.status_page.models import (
    DAYS_SHOWN,
    Banner,
    CheckStatusPublic,
    DayBar,
    IncidentPublic,
    StatusSummary,
    Window,
    failing_first,
)
from petsage.features.status_page.pending import merge_pending, with_pending_baseline
from petsage.features.status_page.settings import ComponentLabel
from petsage.features.status_page.timeline import (
    OVERALL,
    Baseline,
    Change,
    Run,
    Segment,
    build_segments,
)
from petsage.features.status_page.uptime import DAY, DayBars, Tally, day_bar, day_start
from petsage.health.lifecycle import Phase
from petsage.health.model import Status

INCIDENTS_SHOWN = 50
_UNKNOWN = Segment(datetime.min, datetime.min, None)
# More than are shown: some of them join each other across midnight.
STORED_INCIDENTS_READ = 4 * INCIDENTS_SHOWN
WINDOW_DAYS = {Window.WEEK: 7, Window.MONTH: 30, Window.QUARTER: DAYS_SHOWN}


@dataclass(frozen=True, slots=True)
class StatusPolicy:
    """The settings a computation needs (PETSAGE_STATUS_* and PETSAGE_HEALTH_HISTORY_DAYS)."""

    checks: Mapping[str, bool]  # name -> critical, in registration order
    merge_seconds: float
    history_days: int
    alive_within: float  # a run without a heartbeat for this long has crashed
    # This process: its own run counts until now whatever its heartbeat says, since it is the
    # one computing (its heartbeat may be failing: a full disk, a database just back).
    alive_instance: str | None = None
    labels: Mapping[str, ComponentLabel] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Span:
    """Segments of every check (and `OVERALL`) over [start, end), and their incidents."""

    start: datetime
    end: datetime
    segments: dict[str, list[Segment]]
    incidents: dict[str, list[Incident]]


async def load_span(
    session: AsyncSession,
    policy: StatusPolicy,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    pending: Sequence[Change] = (),
) -> Span:
    """The timeline of [start, end) from the runs and the events (plus `pending` changes)."""
    runs = await store.load_runs(
        session,
        start,
        end,
        now=now,
        alive_within=policy.alive_within,
        alive_instance=policy.alive_instance,
    )
    changes = await store.load_changes(session, start, end)
    changes = merge_pending(changes, pending)
    baseline = await store.load_baseline(session, runs, policy.checks, start)
    baseline = with_pending_baseline(baseline, runs, pending, start)
    # Pure work of up to a few hundred milliseconds: in a thread, so that requests keep being
    # answered while it runs (the interpreter switches threads every few milliseconds).
    segments, incidents = await asyncio.to_thread(
        _timeline, policy, runs, changes, baseline, (start, end, now)
    )
    return Span(start, end, segments, incidents)


async def compute_summary(
    session: AsyncSession,
    policy: StatusPolicy,
    *,
    now: datetime,
    phase: Phase,
    pending: Sequence[Change] = (),
    cache: HourCache | None = None,
) -> StatusSummary:
    """The full summary (reasons included); `public` strips it for anonymous callers.
    `cache` keeps settled hours from one computation to the next (the board owns one)."""
    today = now.date()
    days = [today - timedelta(days=n) for n in range(DAYS_SHOWN - 1, -1, -1)]
    rollups = {(r.day, r.check): r for r in await store.load_rollups(session, days[0], today - DAY)}
    start = _raw_start(now, rollups, policy)
    recent = await load_recent(
        session, policy, start, now=now, pending=pending, cache={} if cache is None else cache
    )
    incidents = await _recent_incidents(session, policy, recent, now=now)
    # Pure work of tens of milliseconds (90 bars a check, as models): in a thread too.
    return await asyncio.to_thread(
        _assemble, policy, _Days(recent, rollups, days, now), incidents, phase
    )


def _assemble(
    policy: StatusPolicy, shown: _Days, incidents: Sequence[Incident], phase: Phase
) -> StatusSummary:
    checks = [
        labelled(shown.check(name, critical), policy.labels)
        for name, critical in policy.checks.items()
    ]
    overall_days = shown.bars(OVERALL, shown.recent.all_incidents(list(policy.checks)))
    return StatusSummary(
        banner=_banner(phase, shown.recent, policy),
        updated_at=shown.now,
        uptime=shown.uptime(OVERALL, overall_days),
        days=overall_days,
        checks=failing_first(checks),
        incidents=[_incident_public(i, shown.now) for i in incidents],
    )


async def load_recent(
    session: AsyncSession,
    policy: StatusPolicy,
    start: datetime,
    *,
    now: datetime,
    pending: Sequence[Change],
    cache: HourCache,
) -> Recent:
    """The hours from `start` (on the hour) to now: settled ones from `cache`, the others read."""
    settled_before = now - timedelta(seconds=policy.alive_within)
    hours = []
    hour_start = start
    while hour_start < now:
        end = min(hour_start + HOUR, now)
        settled = hour_start + HOUR <= settled_before
        hour = cache.get(hour_start) if settled else None
        if hour is None:
            span = await load_span(session, policy, hour_start, end, now=now, pending=pending)
            hour = Hour.of(hour_start, end, span.segments, span.incidents)
            if settled:
                cache[hour_start] = hour
        hours.append(hour)
        hour_start += HOUR
    for kept in [moment for moment in cache if moment < start]:
        del cache[kept]
    return Recent(start, hours, policy.merge_seconds)


def _timeline(
    policy: StatusPolicy,
    runs: Sequence[Run],
    changes: Sequence[Change],
    baseline: Baseline,
    times: tuple[datetime, datetime, datetime],
) -> tuple[dict[str, list[Segment]], dict[str, list[Incident]]]:
    start, end, now = times
    segments = build_segments(policy.checks, runs, changes, start=start, end=end, baseline=baseline)
    incidents = {
        name: find_incidents(name, segments[name], merge_seconds=policy.merge_seconds, now=now)
        for name in policy.checks
    }
    return segments, incidents


def public(summary: StatusSummary) -> StatusSummary:
    """The summary without reasons: what anonymous callers see."""
    return summary.model_copy(
        update={
            "checks": [c.model_copy(update={"reason": None}) for c in summary.checks],
            "incidents": [i.model_copy(update={"reason": None}) for i in summary.incidents],
        }
    )


def labelled(check: CheckStatusPublic, labels: Mapping[str, ComponentLabel]) -> CheckStatusPublic:
    label = labels.get(check.name)
    if label is None:
        return check
    return check.model_copy(update={"display_name": label.name, "group": label.group})


def placeholder(
    now: datetime, checks: Mapping[str, bool], labels: Mapping[str, ComponentLabel] | None = None
) -> StatusSummary:
    """What the board shows before its first computation: starting, no data."""
    days = [now.date() - timedelta(days=n) for n in range(DAYS_SHOWN - 1, -1, -1)]
    bars = [day_bar(day, None, 0) for day in days]
    nothing: dict[Window, float | None] = dict.fromkeys(Window)
    return StatusSummary(
        banner=Banner.STARTING,
        updated_at=now,
        uptime=nothing,
        days=bars,
        checks=[
            labelled(
                CheckStatusPublic(
                    name=name,
                    critical=critical,
                    status="unknown",
                    since=None,
                    uptime=nothing,
                    days=bars,
                ),
                labels or {},
            )
            for name, critical in checks.items()
        ],
        incidents=[],
    )


# --- pieces ------------------------------------------------------------------------------------


def _raw_start(
    now: datetime, rollups: Mapping[tuple[date, str], object], policy: StatusPolicy
) -> datetime:
    """The last 24 hours, from the start of yesterday when yesterday is not rolled up yet;
    never before the raw retention."""
    yesterday = now.date() - DAY
    start = floor_hour(now - DAY) if (yesterday, OVERALL) in rollups else day_start(yesterday)
    return max(start, floor_hour(now - timedelta(days=policy.history_days)) + HOUR)


async def _recent_incidents(
    session: AsyncSession, policy: StatusPolicy, recent: Recent, *, now: datetime
) -> list[Incident]:
    """Newest first: the raw span's, joined to those the rollups stored for earlier days."""
    stored = await store.load_incidents(
        session,
        since=now - timedelta(days=DAYS_SHOWN),
        before=recent.start,
        limit=STORED_INCIDENTS_READ,
    )
    cut = [_cut_at(recent, incident) for incident in stored]
    found = join_incidents(
        [*cut, *recent.all_incidents(list(policy.checks))], merge_seconds=policy.merge_seconds
    )
    return ongoing_first(found)[:INCIDENTS_SHOWN]


def _cut_at(recent: Recent, incident: Incident) -> Incident:
    """A stored incident that runs on past the raw span's start, ended there: the raw span's
    own incident counts the rest, so that no stretch after the start is counted twice."""
    start, end = recent.start, incident.ended_at
    if end is None or end <= start:
        return incident
    if incident.latest_start <= start:  # its latest stretch covers the start
        return replace(incident, ended_at=start)
    # Stretches after the start: what the raw span saw of them there is taken off.
    seen = recent.tally(incident.check, start, end)
    down = incident.downtime(end) - seen.error - seen.degraded
    return replace(incident, ended_at=start, resumed_at=start, down_before=max(0.0, down))


@dataclass(frozen=True, slots=True)
class _Days:
    """The 90 days shown: the recent hours for the days they cover, rollups before."""

    recent: Recent
    rollups: Mapping[tuple[date, str], store.DayRollup]
    days: Sequence[date]
    now: datetime
    made: DayBars = field(default_factory=DayBars)

    def bars(self, name: str, incidents: Iterable[Incident]) -> list[DayBar]:
        raw_days = [day for day in self.days if day_start(day) >= self.recent.start]
        touching = count_by_day(incidents, raw_days, self.now)
        bars = []
        for day in self.days:
            if day in touching:
                start = day_start(day)
                counted = self.recent.tally(name, start, min(start + DAY, self.now))
                bars.append(self.made(day, counted, touching[day]))
                continue
            rolled = self.rollups.get((day, name))
            bars.append(
                self.made(day, rolled.tally if rolled else None, rolled.incidents if rolled else 0)
            )
        return bars

    def uptime(self, name: str, bars: Sequence[DayBar]) -> dict[Window, float | None]:
        last_day = self.recent.tally(name, self.now - DAY, self.now)
        windows: dict[Window, float | None] = {Window.DAY: last_day.uptime()}
        for window, count in WINDOW_DAYS.items():
            total = Tally()
            for bar in bars[-count:]:
                total += Tally(
                    bar.seconds_ok, bar.seconds_degraded, bar.seconds_error, bar.seconds_unknown
                )
            windows[window] = total.uptime()
        return windows

    def check(self, name: str, critical: bool) -> CheckStatusPublic:
        bars = self.bars(name, self.recent.incidents(name))
        last, since = self.recent.current(name)
        status = last.status if last else None
        return CheckStatusPublic(
            name=name,
            critical=critical,
            status=status.value if status else "unknown",
            since=since,
            uptime=self.uptime(name, bars),
            days=bars,
            reason=(last.reason or None) if last and status is not Status.OK else None,
        )


def _banner(phase: Phase, recent: Recent, policy: StatusPolicy) -> Banner:
    if phase is Phase.STARTING:
        return Banner.STARTING
    if phase is Phase.DRAINING:
        return Banner.DRAINING
    return _worst_banner(recent, policy)


def _worst_banner(recent: Recent, policy: StatusPolicy) -> Banner:
    overall, _ = recent.current(OVERALL)
    if overall is not None and overall.status is Status.ERROR:
        return Banner.OUTAGE
    now = {(recent.current(name)[0] or _UNKNOWN).status for name in policy.checks}
    if Status.ERROR in now:
        return Banner.PARTIAL_OUTAGE
    if Status.DEGRADED in now:
        return Banner.DEGRADED
    return Banner.OPERATIONAL


def _incident_public(incident: Incident, now: datetime) -> IncidentPublic:
    return IncidentPublic(
        id=incident.id,
        check=incident.check,
        severity=incident.severity.value,
        started_at=incident.started_at,
        ended_at=incident.ended_at,
        duration_seconds=incident.duration(now),
        downtime_seconds=incident.downtime(now),
        latest_started_at=incident.latest_start,
        changed_at=incident.changed_at,
        reason=incident.reason or None,
    )
