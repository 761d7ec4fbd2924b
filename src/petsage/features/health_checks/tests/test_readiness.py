"""Readiness, the check list and one check, over HTTP, with real checks and real failures."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from petsage.health.model import Status
from petsage.health.registry import DuplicateCheckError
from petsage.main import AppOptions, assemble_app, create_app
from petsage.settings import Settings
from petsage.testing.health import Switch, engine_of, wait_for_status
from petsage.testing.server import free_port

from .conftest import STEADY, HealthClientFactory

BUILTIN = ["database", "migrations", "disk", "memory", "event_loop", "auth"]


def test_ready_when_every_check_passes(health_client: HealthClientFactory) -> None:
    response = health_client().get("/system/health/ready")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert body["message"] == "PetSage is ready: every check passes."
    assert [c["name"] for c in body["checks"]] == [*BUILTIN, "switch"]
    assert all(c["status"] == "ok" for c in body["checks"])
    # Anonymous callers see names and statuses only.
    assert all(set(c) == {"name", "status", "critical"} for c in body["checks"])


def test_starting_until_the_lifespan_and_first_round_have_run(
    make_settings: Callable[..., Settings],
) -> None:
    client = TestClient(create_app(make_settings()))  # no lifespan: nothing has started

    ready = client.get("/system/health/ready")
    checks = client.get("/system/health/checks")
    one = client.get("/system/health/checks/database")

    assert (ready.status_code, ready.json()["status"]) == (503, "starting")
    assert ready.json()["message"] == "PetSage is starting up."
    assert (checks.status_code, checks.json()["status"]) == (503, "starting")
    assert one.status_code == 503
    assert one.json()["error"]["code"] == "starting"


def test_failing_critical_check_makes_the_instance_unready(
    health_client: HealthClientFactory, make_settings: Callable[..., Settings]
) -> None:
    """A real fault: the database URL points at a port where nothing listens."""
    dead = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/petsage"
    client = health_client(make_settings(database_url=dead, **STEADY))

    ready = client.get("/system/health/ready")
    checks = client.get("/system/health/checks")

    assert ready.status_code == 503
    assert checks.status_code == 503
    body = ready.json()
    assert body["status"] == "error"
    assert body["message"] == (
        "PetSage is not ready: critical checks failing: database, migrations."
    )
    database = body["checks"][0]
    assert database == {
        "name": "database",
        "status": "error",
        "critical": True,
        "reason": "reason withheld",
    }


def test_failing_non_critical_check_degrades_but_stays_ready(
    health_client: HealthClientFactory, migrated: Callable[..., Settings]
) -> None:
    """Real disk statistics against a warning threshold no disk can meet."""
    client = health_client(migrated(health_disk_warning_mib=2**40))

    ready = client.get("/system/health/ready")
    checks = client.get("/system/health/checks")

    assert ready.status_code == checks.status_code == 200
    assert ready.json()["status"] == checks.json()["status"] == "degraded"
    assert ready.json()["message"] == "PetSage is ready but degraded: disk."
    disk = next(c for c in checks.json()["checks"] if c["name"] == "disk")
    assert disk == {
        "name": "disk",
        "status": "degraded",
        "critical": False,
        "reason": "reason withheld",
    }


def test_failing_non_critical_check_answers_200_but_its_own_endpoint_503(
    health_client: HealthClientFactory, switch: Switch
) -> None:
    client = health_client()
    switch.fail()
    wait_for_status(client.app, "switch", Status.ERROR)  # type: ignore[arg-type]

    assert client.get("/system/health/checks").json()["status"] == "degraded"
    assert client.get("/system/health/ready").status_code == 200
    one = client.get("/system/health/checks/switch")
    assert one.status_code == 503
    assert one.json() == {
        "name": "switch",
        "status": "error",
        "critical": False,
        "reason": "reason withheld",
    }


def test_recovery_shows_within_a_round(health_client: HealthClientFactory, switch: Switch) -> None:
    switch.critical = True
    client = health_client()
    switch.fail()
    wait_for_status(client.app, "switch", Status.ERROR)  # type: ignore[arg-type]
    assert client.get("/system/health/ready").status_code == 503

    switch.recover()
    wait_for_status(client.app, "switch", Status.OK)  # type: ignore[arg-type]

    assert client.get("/system/health/ready").status_code == 200


def test_one_check_by_name(health_client: HealthClientFactory) -> None:
    response = health_client().get("/system/health/checks/migrations")

    assert response.status_code == 200
    assert response.json() == {"name": "migrations", "status": "ok", "critical": True}


def test_unknown_check_is_a_json_404(health_client: HealthClientFactory) -> None:
    response = health_client().get("/system/health/checks/no-such-check")

    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "status": 404,
            "code": "check_not_found",
            "message": "No health check is named 'no-such-check'.",
        }
    }


def test_check_name_that_no_check_could_have_is_a_422(
    health_client: HealthClientFactory,
) -> None:
    response = health_client().get("/system/health/checks/NOT%20A%20NAME")

    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["location"] == ["path", "name"]


@pytest.mark.parametrize("path", ["/system/health/ready", "/system/health/checks"])
def test_head_answers_like_get(health_client: HealthClientFactory, path: str) -> None:
    client = health_client()
    get, head = client.get(path), client.head(path)

    assert head.status_code == get.status_code
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["cache-control"] == "no-store"


def test_feature_checks_join_the_registry(health_client: HealthClientFactory) -> None:
    client = health_client()

    assert engine_of(client.app).registry.names() == (*BUILTIN, "switch")  # type: ignore[arg-type]


def test_duplicate_check_name_is_refused_at_start_up(
    make_settings: Callable[..., Settings],
) -> None:
    duplicate = Switch(name="disk")

    with pytest.raises(DuplicateCheckError, match="health check 'disk' is registered twice"):
        assemble_app(make_settings(), AppOptions(health_checks=[duplicate.provider()]))


def test_a_runner_that_stopped_reporting_never_looks_healthy(
    health_client: HealthClientFactory,
) -> None:
    client = health_client()
    engine = engine_of(client.app)  # type: ignore[arg-type]
    assert client.get("/system/health/ready").status_code == 200

    assert client.portal is not None
    client.portal.call(engine.stop)  # the runner is gone; the last snapshot only ages
    time.sleep(engine.stale_after + 0.05)

    for path in ("/system/health/ready", "/system/health/checks"):
        response = client.get(path)
        assert response.status_code == 503
        assert response.json()["status"] == "error"
        assert response.json()["message"] == (
            "PetSage is not ready: the health checks have stopped reporting."
        )
