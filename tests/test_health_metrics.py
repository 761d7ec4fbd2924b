"""The per-check gauges follow the health engine: in process, and from a real server whose
HTTP dependency goes away."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from petsage.database.migrate import upgrade_to_head
from petsage.health.check import Check, Outcome
from petsage.health.model import CheckResult, Status, StatusChange
from petsage.http.dependencies import HEALTH
from petsage.http.state import state_of
from petsage.main import AppOptions, assemble_app
from petsage.observability.health_metrics import HealthMetrics
from petsage.observability.metrics import Metrics
from petsage.settings import Settings
from tests.support.server import petsage_server
from tests.support.stub_http import answering

DEADLINE_SECONDS = 10.0


def check_series(text: str, check: str) -> dict[str, dict[str, float]]:
    """`{metric: {status: value}}` of one check's status gauge and change counter."""
    series: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("check") == check and "status" in sample.labels:
                series.setdefault(sample.name, {})[sample.labels["status"]] = sample.value
    return series


def wait_for_status(
    scrape: Callable[[], str], check: str, status: str
) -> dict[str, dict[str, float]]:
    """Scrape until `check`'s gauge says `status`; the engine runs on its own schedule."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        series = check_series(scrape(), check)
        if series.get("petsage_health_check_status", {}).get(status) == 1:
            return series
        time.sleep(0.05)
    raise AssertionError(f"{check} never reported {status}: {check_series(scrape(), check)}")


def test_gauges_move_when_a_check_fails_and_recovers(
    make_settings: Callable[..., Settings],
) -> None:
    outcome = [Outcome.ok()]

    async def probe() -> Outcome:
        return outcome[0]

    def provider(_: Settings) -> Iterable[Check]:
        return [Check("pets.catalogue", probe)]

    settings = make_settings(health_interval_seconds=0.05)
    with TestClient(assemble_app(settings, AppOptions(health_checks=[provider]))) as client:

        def scrape() -> str:
            return client.get("/metrics").text

        healthy = wait_for_status(scrape, "pets.catalogue", "ok")
        outcome[0] = Outcome.failed("catalogue unreachable")
        failing = wait_for_status(scrape, "pets.catalogue", "error")
        outcome[0] = Outcome.ok()
        recovered = wait_for_status(scrape, "pets.catalogue", "ok")

    assert healthy["petsage_health_check_status"] == {"ok": 1, "degraded": 0, "error": 0}
    assert failing["petsage_health_check_status"] == {"ok": 0, "degraded": 0, "error": 1}
    assert failing["petsage_health_check_status_changes_total"]["error"] == 1
    assert recovered["petsage_health_check_status_changes_total"] == {
        "ok": 1,
        "degraded": 0,
        "error": 1,
    }


def test_durations_are_recorded_for_every_builtin_check(client: TestClient) -> None:
    """`client` runs the lifespan, so the engine runs its built-in checks."""
    builtin = {"database", "migrations", "disk", "memory", "event_loop"}
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        timed = checks_timed(client.get("/metrics").text)
        if builtin <= timed:
            break
        time.sleep(0.05)

    assert builtin <= timed


def checks_timed(text: str) -> set[str]:
    """The checks whose duration histogram has at least one observation."""
    return {
        sample.labels["check"]
        for family in text_string_to_metric_families(text)
        if family.name == "petsage_health_check_duration_seconds"
        for sample in family.samples
        if sample.name.endswith("_count") and sample.value >= 1
    }


@pytest.mark.slow
def test_a_real_server_reports_a_dependency_going_away(tmp_path: Path) -> None:
    with ExitStack() as stack:
        upstream_running = stack.enter_context(ExitStack())
        upstream = upstream_running.enter_context(answering(200, b"{}"))
        env = {
            "PETSAGE_HEALTH_INTERVAL_SECONDS": "0.2",
            "PETSAGE_HEALTH_HTTP_CHECKS": f'[{{"name": "upstream", "url": "{upstream}/"}}]',
        }
        running = stack.enter_context(petsage_server(tmp_path, env=env))

        def scrape() -> str:
            return httpx.get(running.base_url + "/metrics", timeout=5).text

        healthy = wait_for_status(scrape, "http:upstream", "ok")
        upstream_running.close()  # its port now refuses connections
        failing = wait_for_status(scrape, "http:upstream", "error")

    assert healthy["petsage_health_check_status"]["error"] == 0
    assert failing["petsage_health_check_status"] == {"ok": 0, "degraded": 0, "error": 1}
    assert failing["petsage_health_check_status_changes_total"]["error"] >= 1


def state(text: str) -> dict[str, float]:
    """The instance-wide health gauges of a scrape, the phase as `phase:<name>`."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "petsage_health_phase":
                found["phase:" + sample.labels["phase"]] = sample.value
            elif sample.name in STATE_METRICS:
                found[sample.name] = sample.value
    return found


STATE_METRICS = {
    "petsage_ready",
    "petsage_draining",
    "petsage_health_last_round_timestamp_seconds",
    "petsage_health_stale_after_seconds",
}


def wait_for_state(scrape: Callable[[], str], **wanted: float) -> dict[str, float]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        found = state(scrape())
        if all(found.get(name) == value for name, value in wanted.items()):
            return found
        time.sleep(0.05)
    raise AssertionError(f"never {wanted}: {state(scrape())}")


def test_readiness_draining_and_the_last_round_are_exported(
    make_settings: Callable[..., Settings],
) -> None:
    outcome = [Outcome.ok()]

    async def probe() -> Outcome:
        return outcome[0]

    def provider(_: Settings) -> Iterable[Check]:
        return [Check("pets.catalogue", probe, critical=True)]

    # Migrated first: readiness needs the database and migrations checks passing too.
    settings = make_settings(health_interval_seconds=0.05)
    asyncio.run(upgrade_to_head(settings))
    app = assemble_app(settings, AppOptions(health_checks=[provider]))
    with TestClient(app) as client:

        def scrape() -> str:
            return client.get("/metrics").text

        ready = wait_for_state(scrape, petsage_ready=1)
        outcome[0] = Outcome.failed("catalogue unreachable")
        failing = wait_for_state(scrape, petsage_ready=0)
        outcome[0] = Outcome.ok()
        wait_for_state(scrape, petsage_ready=1)
        state_of(app).get(HEALTH).lifecycle.start_draining()
        draining = state(scrape())

    assert ready["petsage_draining"] == 0
    assert (ready["phase:serving"], ready["phase:starting"], ready["phase:draining"]) == (1, 0, 0)
    assert abs(ready["petsage_health_last_round_timestamp_seconds"] - time.time()) < 60
    assert ready["petsage_health_stale_after_seconds"] > 0
    assert failing["petsage_draining"] == 0
    assert draining["petsage_ready"] == 0
    assert draining["petsage_draining"] == 1
    assert draining["phase:draining"] == 1


# --- The health listener, in process ---------------------------------------------------------


NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, keyed by sample name and label set."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def result(name: str, status: Status, seconds: float = 0.01) -> CheckResult:
    return CheckResult(name, status, critical=True, checked_at=NOW, duration_seconds=seconds)


def change(name: str, old: Status | None, new: Status) -> StatusChange:
    return StatusChange(name, old, new, reason="test", occurred_at=NOW)


def check_samples(metrics: Metrics, metric: str, check: str) -> dict[str, float]:
    """`{status: value}` of one check's `metric`."""
    found = samples(metrics.render().decode())
    return {
        dict(labels)["status"]: value
        for (name, labels), value in found.items()
        if name == metric and dict(labels).get("check") == check
    }


def test_status_gauge_follows_the_latest_result() -> None:
    metrics = Metrics({})
    listener = HealthMetrics(metrics)

    listener.on_result(result("database", Status.OK))
    ok = check_samples(metrics, "petsage_health_check_status", "database")
    listener.on_result(result("database", Status.ERROR))
    failed = check_samples(metrics, "petsage_health_check_status", "database")

    assert ok == {"ok": 1, "degraded": 0, "error": 0}
    assert failed == {"ok": 0, "degraded": 0, "error": 1}


def test_durations_are_observed_per_check() -> None:
    metrics = Metrics({})
    listener = HealthMetrics(metrics)

    listener.on_result(result("disk", Status.OK, seconds=0.002))
    listener.on_result(result("disk", Status.OK, seconds=0.004))

    found = samples(metrics.render().decode())
    disk = frozenset({("check", "disk"), ("critical", "true")})
    assert found[("petsage_health_check_duration_seconds_count", disk)] == 2
    assert found[("petsage_health_check_duration_seconds_sum", disk)] == pytest.approx(0.006)


def test_changes_are_counted_from_zero_and_the_first_result_is_no_change() -> None:
    metrics = Metrics({})
    listener = HealthMetrics(metrics)

    listener.on_result(result("memory", Status.OK))
    listener.on_change(change("memory", None, Status.OK))
    before = check_samples(metrics, "petsage_health_check_status_changes_total", "memory")
    listener.on_change(change("memory", Status.OK, Status.DEGRADED))
    listener.on_change(change("memory", Status.DEGRADED, Status.OK))
    after = check_samples(metrics, "petsage_health_check_status_changes_total", "memory")

    assert before == {"ok": 0, "degraded": 0, "error": 0}
    assert after == {"ok": 1, "degraded": 1, "error": 0}


def test_check_metrics_say_whether_the_check_is_critical() -> None:
    metrics = Metrics({})
    listener = HealthMetrics(metrics)

    listener.on_result(
        CheckResult("cache", Status.ERROR, critical=False, checked_at=NOW, duration_seconds=0.1)
    )
    listener.on_result(result("database", Status.OK))
    listener.on_change(change("cache", Status.OK, Status.ERROR))

    found = samples(metrics.render().decode())
    cache = {("check", "cache"), ("critical", "false")}
    assert found[("petsage_health_check_status", frozenset({*cache, ("status", "error")}))] == 1
    changes = frozenset({*cache, ("status", "error")})
    assert found[("petsage_health_check_status_changes_total", changes)] == 1
    database = frozenset({("check", "database"), ("critical", "true"), ("status", "ok")})
    assert found[("petsage_health_check_status", database)] == 1
