"""Properties of status aggregation and flap damping, for any statuses and thresholds."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from petsage.health import damping
from petsage.health.aggregate import overall_status, severity
from petsage.health.model import CheckResult, Status

statuses = st.sampled_from(list(Status))
thresholds = st.integers(min_value=1, max_value=6)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def results(draw: st.DrawFn) -> list[CheckResult]:
    pairs = draw(st.lists(st.tuples(statuses, st.booleans()), max_size=12))
    return [
        CheckResult(f"check-{i}", status, critical, NOW, 0.0)
        for i, (status, critical) in enumerate(pairs)
    ]


@given(results())
def test_error_exactly_when_a_critical_check_errs(checks: list[CheckResult]) -> None:
    critical_error = any(c.critical and c.status is Status.ERROR for c in checks)

    assert (overall_status(checks) is Status.ERROR) is critical_error


@given(results())
def test_ok_exactly_when_every_check_is_ok(checks: list[CheckResult]) -> None:
    assert (overall_status(checks) is Status.OK) is all(c.status is Status.OK for c in checks)


@given(results(), st.randoms())
def test_order_does_not_matter(checks: list[CheckResult], rng: random.Random) -> None:
    shuffled = list(checks)
    rng.shuffle(shuffled)

    assert overall_status(shuffled) is overall_status(checks)


@given(results())
def test_never_better_than_the_critical_checks(checks: list[CheckResult]) -> None:
    worst_critical = max((severity(c.status) for c in checks if c.critical), default=0)

    assert severity(overall_status(checks)) >= min(worst_critical, severity(Status.DEGRADED))


def run(raws: list[Status], failure: int, success: int) -> list[Status]:
    state, reported = damping.INITIAL, []
    for raw in raws:
        state = damping.step(state, raw, failure_threshold=failure, success_threshold=success)
        assert state.reported is not None
        reported.append(state.reported)
    return reported


@given(st.lists(statuses, min_size=1, max_size=40))
def test_thresholds_of_one_report_every_raw_result(raws: list[Status]) -> None:
    assert run(raws, 1, 1) == raws


@given(st.lists(statuses, min_size=1, max_size=40), thresholds, thresholds)
def test_the_first_result_is_reported_as_is(raws: list[Status], fail: int, ok: int) -> None:
    assert run(raws, fail, ok)[0] is raws[0]


@given(st.lists(statuses, min_size=1, max_size=40), thresholds, thresholds)
def test_reported_statuses_were_seen(raws: list[Status], fail: int, ok: int) -> None:
    reported = run(raws, fail, ok)

    for i, status in enumerate(reported):
        assert status in raws[: i + 1]


@given(st.lists(statuses, min_size=1, max_size=40), thresholds, thresholds)
def test_a_change_needs_a_full_run_of_disagreeing_results(
    raws: list[Status], fail: int, ok: int
) -> None:
    """A step down needs `fail` consecutive worse raw results, a step up `ok` better ones."""
    reported = run(raws, fail, ok)

    for i in range(1, len(raws)):
        before, after = reported[i - 1], reported[i]
        if after is before:
            continue
        assert after is raws[i]  # it moves to the newest raw status
        needed = fail if severity(after) > severity(before) else ok
        window = raws[i - needed + 1 : i + 1]
        assert len(window) == needed
        worse = severity(after) > severity(before)
        assert all((severity(r) > severity(before)) is worse and r is not before for r in window)


@given(st.lists(statuses, max_size=20), statuses, thresholds, thresholds)
def test_a_steady_raw_status_is_reported_after_enough_rounds(
    prefix: list[Status], steady: Status, fail: int, ok: int
) -> None:
    raws = [*prefix, *[steady] * max(fail, ok)]

    assert run(raws, fail, ok)[-1] is steady


@given(thresholds, st.lists(st.integers(min_value=0, max_value=6), max_size=10))
def test_failure_runs_shorter_than_the_threshold_never_show(fail: int, runs: list[int]) -> None:
    raws = [Status.OK]
    for length in runs:
        raws += [Status.ERROR] * min(length, fail - 1) + [Status.OK]

    assert set(run(raws, fail, 1)) == {Status.OK}
