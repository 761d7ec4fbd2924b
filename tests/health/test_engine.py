"""The health engine with real checks: timeouts that hold even when a check ignores
cancellation, exceptions, staleness, damping, listeners and the background runner."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from petsage.features.health_checks import service
from petsage.health.check import Check, Outcome
from petsage.health.engine import HealthEngine
from petsage.health.lifecycle import Lifecycle
from petsage.health.model import CheckResult, Status, StatusChange
from petsage.health.registry import CheckRegistry, DuplicateCheckError
from petsage.health.snapshot import HealthSnapshot
from tests.support.health import Switch

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Stubborn:
    """Ignores cancellation, like a driver stuck in a blocking call, until `release`."""

    def __init__(self) -> None:
        self.started = 0
        self.released = asyncio.Event()

    async def __call__(self) -> Outcome:
        self.started += 1
        while not self.released.is_set():
            try:
                await self.released.wait()
            except asyncio.CancelledError:
                continue  # swallowed: the engine must not depend on cancellation working
        return Outcome.ok()


async def boom() -> Outcome:
    raise RuntimeError("the probe exploded")


class Recorder:
    def __init__(self) -> None:
        self.results: list[CheckResult] = []
        self.changes: list[StatusChange] = []

    def on_result(self, result: CheckResult) -> None:
        self.results.append(result)

    def on_change(self, change: StatusChange) -> None:
        self.changes.append(change)


def engine_with(*checks: Check, **options: float) -> HealthEngine:
    return HealthEngine(CheckRegistry(checks), interval_seconds=0.1, **options)  # type: ignore[arg-type]


async def test_a_check_that_ignores_cancellation_times_out_alone() -> None:
    stubborn, fine = Stubborn(), Switch("fine")
    engine = engine_with(Check("stuck", stubborn, timeout_seconds=0.2), fine.check())

    started = time.monotonic()
    first = await engine.run_round()
    first_took = time.monotonic() - started
    started = time.monotonic()
    second = await engine.run_round()
    second_took = time.monotonic() - started

    assert first.by_name["stuck"].status is Status.ERROR
    assert first.by_name["stuck"].error == "timed out after 0.2 s"
    assert first.by_name["fine"].status is Status.OK
    assert first_took < 1.0  # bounded by the timeout, not by the stuck check
    # The next round neither waits for the stuck check nor starts it a second time.
    assert second.by_name["stuck"].error is not None
    assert second.by_name["stuck"].error.startswith("timed out: still running after")
    assert second_took < 0.2
    assert stubborn.started == 1
    assert fine.runs == 2

    stubborn.released.set()
    await asyncio.sleep(0.01)
    third = await engine.run_round()
    assert third.by_name["stuck"].status is Status.OK
    assert stubborn.started == 2
    await engine.stop()


async def test_an_exception_is_an_error_result_and_the_engine_goes_on() -> None:
    fine = Switch("fine")
    engine = engine_with(Check("boom", boom), fine.check())

    first = await engine.run_round()
    second = await engine.run_round()

    assert first.by_name["boom"].status is Status.ERROR
    assert first.by_name["boom"].error == "RuntimeError: the probe exploded"
    assert (second.round, second.by_name["fine"].status) == (2, Status.OK)


async def test_a_stale_snapshot_counts_as_failed() -> None:
    engine = engine_with(Switch().check(), timeout_seconds=0.05)
    snapshot = await engine.run_round()
    assert engine.stale_after == pytest.approx(0.3)  # three intervals

    fresh = service.readiness_view(engine, detail=True, now=snapshot.completed_at)
    engine.lifecycle.mark_serving()
    late = snapshot.completed_at + engine.stale_after + 0.01
    stale = service.readiness_view(engine, detail=True, now=late)

    assert fresh.status == "starting"  # the lifecycle had not moved yet
    assert stale.status == "error"  # though the check is not critical
    assert stale.message == "PetSage is not ready: the health checks have stopped reporting."
    assert stale.http_status == 503
    (_, result), *_ = stale.entries
    assert result.error is not None
    assert result.error.startswith("stale: no complete round of checks for")


async def test_flap_damping_through_the_engine() -> None:
    switch = Switch(critical=True)
    engine = engine_with(switch.check(), failure_threshold=2, success_threshold=3)
    await engine.run_round()

    switch.fail()
    once = await engine.run_round()
    twice = await engine.run_round()
    switch.recover()
    statuses = [(await engine.run_round()).by_name["switch"].status for _ in range(3)]

    assert once.by_name["switch"].status is Status.OK
    assert once.by_name["switch"].error == "switched off"  # the raw attempt is still visible
    assert twice.by_name["switch"].status is Status.ERROR
    assert statuses == [Status.ERROR, Status.ERROR, Status.OK]


async def test_each_change_is_told_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    switch, listener = Switch(), Recorder()
    engine = engine_with(switch.check())
    engine.add_listener(listener)
    caplog.set_level(logging.DEBUG, "petsage.health.engine")

    await engine.run_round()
    switch.fail("the cable is out")
    await engine.run_round()
    await engine.run_round()
    switch.recover()
    await engine.run_round()

    assert len(listener.results) == 4
    assert [(c.old_status, c.new_status) for c in listener.changes] == [
        (None, Status.OK),
        (Status.OK, Status.ERROR),
        (Status.ERROR, Status.OK),
    ]
    assert listener.changes[1].reason == "the cable is out"
    records = [(r.levelname, r.getMessage()) for r in caplog.records if "switch" in r.getMessage()]
    assert records == [
        ("DEBUG", "health check switch: none -> ok: check passed"),
        ("WARNING", "health check switch: ok -> error: the cable is out"),
        ("INFO", "health check switch: error -> ok: check passed"),
    ]


async def test_a_failing_listener_breaks_nothing(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Recorder):
        def on_change(self, change: StatusChange) -> None:
            raise ValueError("listener bug")

    engine, healthy = engine_with(Switch().check()), Recorder()
    engine.add_listener(Broken())
    engine.add_listener(healthy)

    snapshot = await engine.run_round()

    assert snapshot.by_name["switch"].status is Status.OK
    assert len(healthy.changes) == 1
    assert "health listener" in caplog.text


async def test_the_runner_repeats_rounds_and_stop_closes_the_checks() -> None:
    closed: list[str] = []

    async def close() -> None:
        closed.append("switch")

    switch = Switch()
    check = Check("switch", switch, close=close)
    engine = engine_with(check)
    seen: list[int] = []
    three_rounds = asyncio.Event()

    def count(snapshot: HealthSnapshot) -> None:
        seen.append(snapshot.round)
        if len(seen) == 3:
            three_rounds.set()

    engine.on_snapshot(count)
    engine.start()
    async with asyncio.timeout(30):  # three rounds 0.1 s apart; generous for a loaded machine
        await three_rounds.wait()
    await engine.stop()

    assert seen[:3] == [1, 2, 3]
    assert switch.runs == len(seen)
    assert closed == ["switch"]


async def test_stop_abandons_a_stuck_check() -> None:
    stubborn = Stubborn()
    engine = engine_with(Check("stuck", stubborn, timeout_seconds=0.05))
    await engine.run_round()

    started = time.monotonic()
    await engine.stop()

    assert time.monotonic() - started < 2.0
    stubborn.released.set()  # let the abandoned task end before the loop closes
    await asyncio.sleep(0.01)


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(DuplicateCheckError, match="'disk' is registered twice"):
        CheckRegistry([Switch("disk").check(), Switch("disk").check()])


@pytest.mark.parametrize("name", ["", "Upper", "with space", "-leading", "x" * 101])
def test_invalid_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="invalid health check name"):
        Switch(name).check()


def test_lifecycle_only_moves_forward() -> None:
    lifecycle, phases = Lifecycle(), []
    lifecycle.on_change(phases.append)

    lifecycle.start_draining()
    lifecycle.mark_serving()
    lifecycle.start_draining()

    assert [p.value for p in phases] == ["draining"]
