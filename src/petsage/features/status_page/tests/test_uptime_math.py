"""Uptime from hand-built runs and changes: time, never samples; gaps and crashes unknown;
several instances; day boundaries; incidents merged within the window."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from petsage.features.status_page.incidents import Incident, find_incidents, join_incidents
from petsage.features.status_page.timeline import OVERALL, Change, Run, build_segments
from petsage.features.status_page.uptime import Tally, tally, tally_days
from petsage.health.model import Status

T0 = datetime(2026, 3, 1, tzinfo=UTC)
OK, DEGRADED, ERROR = Status.OK, Status.DEGRADED, Status.ERROR
CHECKS = {"database": True, "cache": False}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def change(minutes: float, status: Status, check: str = "database", instance: str = "a") -> Change:
    return Change(at(minutes), instance, check, status, f"{check} is {status}")


def segments(runs: list[Run], changes: list[Change], end: float = 100, start: float = 0):  # type: ignore[no-untyped-def]
    return build_segments(CHECKS, runs, changes, start=at(start), end=at(end))


def seconds(minutes: float) -> float:
    return minutes * 60


def test_uptime_is_time_weighted_not_counted_by_samples() -> None:
    # Many short ok blips and one long error: by samples 9 of 10 are ok, by time 10% is ok.
    changes = [change(0, ERROR)]
    for minute in range(10, 19):
        changes += [change(minute, OK), change(minute + 0.1, ERROR)]
    spans = segments([Run("a", at(0), at(100))], changes)

    counted = tally(spans["database"], at(0), at(100))

    assert counted.ok == pytest.approx(seconds(0.9))
    assert counted.error == pytest.approx(seconds(99.1))
    assert counted.uptime() == pytest.approx(0.9 / 100)


def test_a_check_starts_ok_and_degraded_counts_as_up() -> None:
    spans = segments([Run("a", at(0), at(100))], [change(50, DEGRADED, "cache")])

    counted = tally(spans["cache"], at(0), at(100))

    assert counted == Tally(ok=seconds(50), degraded=seconds(50))
    assert counted.uptime() == 1.0


def test_time_when_nothing_ran_is_unknown_not_up() -> None:
    runs = [Run("a", at(0), at(30)), Run("b", at(60), at(100))]
    spans = segments(runs, [change(70, ERROR, instance="b")])

    counted = tally(spans["database"], at(0), at(100))

    assert counted == Tally(ok=seconds(40), error=seconds(30), unknown=seconds(30))
    assert counted.uptime() == pytest.approx(40 / 70)
    assert tally(spans["database"], at(35), at(55)).uptime() is None


def test_an_instance_starts_afresh_after_a_crash() -> None:
    # "a" crashed in error at minute 30 (its last heartbeat); the new process starts ok.
    runs = [Run("a", at(0), at(30)), Run("a", at(50), at(100))]
    spans = segments(runs, [change(20, ERROR)])

    counted = tally(spans["database"], at(0), at(100))

    assert counted == Tally(ok=seconds(70), error=seconds(10), unknown=seconds(20))


def test_each_check_shows_the_worst_running_instance() -> None:
    runs = [Run("a", at(0), at(100)), Run("b", at(0), at(100))]
    changes = [change(10, DEGRADED, "cache", "a"), change(20, ERROR, "cache", "b")]
    changes += [change(40, OK, "cache", "b"), change(60, OK, "cache", "a")]

    cache = segments(runs, changes)["cache"]

    assert [(s.start, s.status) for s in cache] == [
        (at(0), OK),
        (at(10), DEGRADED),
        (at(20), ERROR),
        (at(40), DEGRADED),
        (at(60), OK),
    ]


def test_overall_is_available_while_one_instance_is_ready() -> None:
    runs = [Run("a", at(0), at(100)), Run("b", at(0), at(100))]
    # database is critical: "a" fails 10-50, "b" fails 40-70; both fail only 40-50.
    changes = [change(10, ERROR, instance="a"), change(50, OK, instance="a")]
    changes += [change(40, ERROR, instance="b"), change(70, OK, instance="b")]

    overall = tally(segments(runs, changes)[OVERALL], at(0), at(100))

    assert overall.error == pytest.approx(seconds(10))
    assert overall.uptime() == pytest.approx(0.9)


def test_a_failing_non_critical_check_only_degrades_overall() -> None:
    spans = segments([Run("a", at(0), at(100))], [change(0, ERROR, "cache")])

    assert tally(spans[OVERALL], at(0), at(100)) == Tally(degraded=seconds(100))


def test_the_baseline_carries_a_status_into_the_range() -> None:
    spans = build_segments(
        CHECKS,
        [Run("a", at(-60), at(100))],
        [change(50, OK)],
        start=at(0),
        end=at(100),
        baseline={("a", "database"): ERROR},
    )

    assert tally(spans["database"], at(0), at(100)) == Tally(ok=seconds(50), error=seconds(50))


def test_changes_of_a_stopped_instance_are_ignored() -> None:
    spans = segments([Run("a", at(0), at(50))], [change(60, ERROR)])

    assert tally(spans["database"], at(0), at(100)) == Tally(ok=seconds(50), unknown=seconds(50))


def test_days_split_at_midnight_utc() -> None:
    start, end = at(-60 * 24 - 60), at(60)  # from 23:00 two days before to 01:00
    runs = [Run("a", start, end)]
    spans = build_segments(CHECKS, runs, [change(-30, ERROR)], start=start, end=end)

    days = tally_days(spans["database"], start.date(), end.date(), until=end)

    assert list(days.values()) == [
        Tally(ok=seconds(60), unknown=seconds(23 * 60)),
        Tally(ok=seconds(24 * 60 - 30), error=seconds(30)),
        Tally(error=seconds(60)),
    ]


def test_changes_within_the_merge_window_are_one_incident() -> None:
    changes = [change(10, DEGRADED), change(12, OK), change(14, ERROR), change(15, OK)]
    changes += [change(30, DEGRADED), change(31, OK)]
    spans = segments([Run("a", at(0), at(100))], changes)

    incidents = find_incidents("database", spans["database"], merge_seconds=300, now=at(100))

    assert [(i.started_at, i.ended_at, i.severity) for i in incidents] == [
        (at(10), at(15), ERROR),
        (at(30), at(31), DEGRADED),
    ]
    assert incidents[0].reason == "database is degraded"
    assert (
        incidents[0].id
        == find_incidents("database", spans["database"], merge_seconds=300, now=at(200))[0].id
    )


def test_a_reopened_incident_counts_its_downtime_and_changes_when_it_reopens() -> None:
    # The case: down 16 s, up for 3 minutes, down again (one incident, merge 5 min).
    changes = [change(0, ERROR), change(16 / 60, OK), change(3 + 16 / 60, ERROR)]
    spans = segments([Run("a", at(0), at(10))], changes, end=10)

    (incident,) = find_incidents("database", spans["database"], merge_seconds=300, now=at(10))

    reopened = at(3 + 16 / 60)
    assert (incident.started_at, incident.ended_at) == (at(0), None)
    assert incident.latest_start == reopened
    assert incident.changed_at == reopened
    assert incident.duration(at(10)) == seconds(10)
    assert incident.downtime(at(10)) == pytest.approx(16 + (at(10) - reopened).total_seconds())


def test_a_joined_incident_adds_the_downtime_of_both_days() -> None:
    before = Incident("database", ERROR, at(-30), at(-20), "first")
    after = Incident("database", ERROR, at(-18), at(5), "", resumed_at=at(0), down_before=60)

    (joined,) = join_incidents([before, after], merge_seconds=300)

    assert joined.downtime(at(100)) == seconds(10) + 60 + seconds(5)
    assert joined.changed_at == at(5)
    assert replace(joined, ended_at=None).changed_at == at(0)


def test_an_incident_still_failing_has_no_end() -> None:
    spans = segments([Run("a", at(0), at(100))], [change(90, ERROR)])

    (incident,) = find_incidents("database", spans["database"], merge_seconds=0, now=at(100))

    assert incident.ended_at is None
    assert incident.duration(at(100)) == seconds(10)


def test_an_incident_cut_at_midnight_is_joined_again() -> None:
    before = Incident("database", DEGRADED, at(-30), at(0), "first")
    after = Incident("database", ERROR, at(0), at(20), "")
    other = Incident("cache", ERROR, at(1), None, "")
    later = Incident("database", DEGRADED, at(40), at(41), "")

    joined = join_incidents([after, later, other, before], merge_seconds=300)

    assert joined == [
        Incident("database", ERROR, at(-30), at(20), "first"),
        other,
        later,
    ]
    assert joined[0].id == before.id
