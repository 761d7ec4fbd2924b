"""The per-check gauges follow the health engine: in process, and from a real server whose
HTTP dependency goes away."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from petsage.health.check import Check, Outcome
from petsage.main import create_app
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
    with TestClient(create_app(settings, health_checks=[provider])) as client:

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
