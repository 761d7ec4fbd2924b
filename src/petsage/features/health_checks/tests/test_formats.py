"""`application/health+json`, the probe fast path's parity with the routes, and the OpenAPI text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.support.health import Switch, wait_for_status

from petsage import __version__
from petsage.features.health_checks.render import wants_health_json
from petsage.health.model import Status
from petsage.main import create_app
from petsage.settings import Settings

from .conftest import HEALTH_JSON, RIGHT, TOKEN, HealthClientFactory

# Declines the fast path (it mentions health+json) yet asks the route for plain JSON.
ROUTE_ONLY = {"Accept": "application/health+json;q=0, application/json"}


def test_health_json_follows_the_draft(health_client: HealthClientFactory, switch: Switch) -> None:
    client = health_client()
    switch.degrade()
    wait_for_status(client.app, "switch", Status.DEGRADED)  # type: ignore[arg-type]

    response = client.get("/system/health/checks", headers=HEALTH_JSON)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/health+json"
    body = response.json()
    assert body["status"] == "warn"
    assert body["version"] == __version__.split(".")[0]
    assert body["releaseId"] == __version__
    assert body["serviceId"] == "petsage"
    assert body["output"] == "PetSage is ready but degraded: switch."
    assert set(body["checks"]) == {
        "database:responseTime",
        "migrations:schemaVersion",
        "disk:freeSpace",
        "memory:rss",
        "event_loop:lag",
        "switch:position",
    }
    assert body["checks"]["database:responseTime"] == [
        {"componentId": "database", "componentType": "datastore", "status": "pass"}
    ]
    assert body["checks"]["switch:position"][0]["status"] == "warn"
    assert body["checks"]["switch:position"][0]["output"] == "reason withheld"


def test_health_json_with_details_carries_measurements(
    health_client: HealthClientFactory, migrated: Callable[..., Settings]
) -> None:
    client = health_client(migrated(health_token=TOKEN))

    response = client.get("/system/health/checks/database", headers={**HEALTH_JSON, **RIGHT})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "pass"
    assert "output" not in body
    (database,) = body["checks"]["database:responseTime"]
    assert database["observedUnit"] == "ms"
    assert database["observedValue"] >= 0
    assert database["time"].endswith("Z") or database["time"].endswith("+00:00")


def test_health_json_failure_is_fail_with_503(
    health_client: HealthClientFactory, switch: Switch
) -> None:
    switch.critical = True
    client = health_client()
    switch.fail()
    wait_for_status(client.app, "switch", Status.ERROR)  # type: ignore[arg-type]

    response = client.get("/system/health/ready", headers=HEALTH_JSON)

    assert response.status_code == 503
    assert response.json()["status"] == "fail"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, False),
        ("application/json", False),
        ("*/*", False),
        ("application/health+json", True),
        ("Application/Health+JSON", True),
        ("application/json, application/health+json;q=0.9", True),
        ("application/health+json;q=0", False),
    ],
)
def test_accept_negotiation(accept: str | None, expected: bool) -> None:
    assert wants_health_json(accept) is expected


@pytest.mark.parametrize("path", ["/system/health/ready", "/system/health/checks"])
@pytest.mark.parametrize("failing", [False, True])
def test_fast_path_and_route_give_the_same_answer(
    health_client: HealthClientFactory, switch: Switch, path: str, failing: bool
) -> None:
    """In one app, one snapshot: the fast path's bytes against the route's."""
    switch.critical = True
    client = health_client()
    if failing:
        switch.fail()
        wait_for_status(client.app, "switch", Status.ERROR)  # type: ignore[arg-type]

    fast, slow = client.get(path), client.get(path, headers=ROUTE_ONLY)

    assert (slow.status_code, slow.content) == (fast.status_code, fast.content)
    assert slow.headers["content-type"] == fast.headers["content-type"]
    assert slow.headers["content-length"] == fast.headers["content-length"]


@pytest.mark.parametrize("path", ["/system/health/ready", "/system/health/checks"])
def test_fast_path_and_an_app_without_it_agree(
    health_client: HealthClientFactory, path: str
) -> None:
    fast = health_client().get(path)
    slow = health_client(probe_fast_path=False).get(path)

    assert (slow.status_code, slow.content) == (fast.status_code, fast.content)
    assert slow.headers["content-type"] == fast.headers["content-type"]


def test_fast_path_serves_details_when_everyone_may_see_them(
    health_client: HealthClientFactory, migrated: Callable[..., Settings]
) -> None:
    client = health_client(migrated(health_details="always"))

    fast, slow = (
        client.get("/system/health/checks"),
        client.get("/system/health/checks", headers=ROUTE_ONLY),
    )

    assert "duration_ms" in fast.json()["checks"][0]
    assert fast.content == slow.content


def test_openapi_documents_the_health_endpoints(make_settings: Callable[..., Settings]) -> None:
    spec = TestClient(create_app(make_settings())).get("/openapi.json").json()
    paths = spec["paths"]

    for path in (
        "/system/health/ready",
        "/system/health/checks",
        "/system/health/checks/{name}",
        "/system/health/history",
    ):
        assert paths[path]["get"]["tags"] == ["System Health"]
        assert paths[path]["get"]["summary"]
    ready = paths["/system/health/ready"]["get"]["responses"]
    assert set(ready) >= {"200", "503"}
    assert ready["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HealthReport"
    }
    assert "checks" in ready["200"]["content"]["application/health+json"]["schema"]["properties"]
    assert "404" in paths["/system/health/checks/{name}"]["get"]["responses"]
    history = paths["/system/health/history"]["get"]
    assert {p["name"] for p in history["parameters"]} == {
        "check",
        "since",
        "until",
        "limit",
        "offset",
    }
    assert "HealthEventsPublic" in spec["components"]["schemas"]
