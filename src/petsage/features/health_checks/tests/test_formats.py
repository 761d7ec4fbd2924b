"""`application/health+json`, the probe fast path's parity with the routes, and the OpenAPI text."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import pytest
from fastapi.testclient import TestClient
from starlette.types import Scope

from petsage import __version__
from petsage.features.health_checks.fast_path import ProbeCache
from petsage.features.health_checks.render import wants_health_json
from petsage.health.model import Status
from petsage.main import create_app
from petsage.settings import Settings
from petsage.testing.health import Switch, engine_of, wait_for_status

from .conftest import HEALTH_JSON, RIGHT, TOKEN, WRONG, HealthClientFactory

NONE: dict[str, str] = {}
# Mentions health+json only to refuse it: plain JSON.
REFUSED = {"Accept": "application/health+json;q=0, application/json"}


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
        "auth:keys",
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


PATHS = ["/system/health/ready", "/system/health/checks"]
# Every form a caller can ask for: anonymous, a wrong or the right token, each in both media
# types, and an `Accept` that names health+json only to refuse it.
VARIANTS = {
    "anonymous": NONE,
    "wrong token": WRONG,
    "right token": RIGHT,
    "health+json": HEALTH_JSON,
    "wrong token, health+json": {**WRONG, **HEALTH_JSON},
    "right token, health+json": {**RIGHT, **HEALTH_JSON},
    "health+json refused": REFUSED,
}


def probe_scope(path: str, headers: dict[str, str]) -> Scope:
    encoded = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "method": "GET", "path": path, "headers": encoded}


class Answer(NamedTuple):
    status: int
    body: bytes
    content_type: str
    content_length: str


def route_and_cache(
    client: TestClient, cache: ProbeCache, path: str, headers: dict[str, str]
) -> tuple[Answer, Answer | None]:
    """The full route's answer and the cache's, both from one snapshot: a round that lands
    in between (every 0.1 s here) changes the detail fields, so such a pair is retried."""
    engine = engine_of(client.app)  # type: ignore[arg-type]
    while True:
        before = engine.snapshot
        route = client.get(path, headers=headers)
        cached = cache.responders()[path](probe_scope(path, headers))
        if engine.snapshot is before:
            break
    route_answer = Answer(
        route.status_code,
        route.content,
        route.headers["content-type"],
        route.headers["content-length"],
    )
    if cached is None:
        return route_answer, None
    headers_sent = dict(cached.headers)
    cached_answer = Answer(
        cached.status,
        cached.body,
        headers_sent[b"content-type"].decode(),
        headers_sent[b"content-length"].decode(),
    )
    return route_answer, cached_answer


@pytest.mark.parametrize("mode", ["authorized", "always", "never"])
@pytest.mark.parametrize("failing", [False, True])
def test_fast_path_and_route_give_the_same_answer(
    health_client: HealthClientFactory,
    migrated: Callable[..., Settings],
    switch: Switch,
    mode: str,
    failing: bool,
) -> None:
    """In one app, one snapshot: the cache's bytes against the full route's, for every form
    under every detail policy. The app has no fast path, so every request reaches the route."""
    switch.critical = True
    settings = migrated(health_details=mode, health_token=TOKEN)
    client = health_client(settings, probe_fast_path=False)
    cache = ProbeCache(engine_of(client.app), settings)  # type: ignore[arg-type]
    if failing:
        switch.fail()
        wait_for_status(client.app, "switch", Status.ERROR)  # type: ignore[arg-type]

    for path in PATHS:
        for variant, headers in VARIANTS.items():
            route, cached = route_and_cache(client, cache, path, headers)

            if cached is None:
                # A bearer credential that is not the health token may be an access token with
                # the details scope: the lane leaves it to the route, which can verify it.
                assert mode == "authorized", variant
                assert variant.startswith("wrong token"), variant
                continue
            assert route == cached, variant


def test_fast_path_and_an_app_without_it_agree(health_client: HealthClientFactory) -> None:
    """Over HTTP: the app with the fast path and one without give the same answer in every
    form (anonymous bodies carry no timestamps, so two apps agree on them)."""
    fast_client, slow_client = health_client(), health_client(probe_fast_path=False)
    for path in PATHS:
        for variant, headers in VARIANTS.items():
            fast = fast_client.get(path, headers=headers)
            slow = slow_client.get(path, headers=headers)

            assert (slow.status_code, slow.content) == (fast.status_code, fast.content), variant
            assert slow.headers["content-type"] == fast.headers["content-type"], variant
            assert slow.headers["content-length"] == fast.headers["content-length"], variant


def test_a_token_never_changes_what_anonymous_callers_get(
    health_client: HealthClientFactory, migrated: Callable[..., Settings]
) -> None:
    """The detailed answer is chosen per request: the right token sees details, and the
    next anonymous or wrong-token request does not."""
    client = health_client(migrated(health_token=TOKEN))

    detailed = client.get("/system/health/checks", headers=RIGHT)
    anonymous = client.get("/system/health/checks")
    wrong = client.get("/system/health/checks", headers=WRONG)

    assert "duration_ms" in detailed.json()["checks"][0]
    assert "duration_ms" not in anonymous.json()["checks"][0]
    assert wrong.content == anonymous.content


def test_a_stale_snapshot_declines_every_form(
    health_client: HealthClientFactory, migrated: Callable[..., Settings]
) -> None:
    """A stale answer depends on when it is read, so the full route gives it, token or not."""
    settings = migrated(health_details="always")
    client = health_client(settings, probe_fast_path=False)
    engine = engine_of(client.app)  # type: ignore[arg-type]
    cache = ProbeCache(engine, settings)
    assert client.portal is not None
    client.portal.call(engine.stop)  # the runner is gone; the last snapshot only ages
    time.sleep(engine.stale_after + 0.05)

    for path in PATHS:
        for variant, headers in VARIANTS.items():
            assert cache.responders()[path](probe_scope(path, headers)) is None, variant


def test_fast_path_serves_details_when_everyone_may_see_them(
    health_client: HealthClientFactory, migrated: Callable[..., Settings]
) -> None:
    client = health_client(migrated(health_details="always"))

    response = client.get("/system/health/checks")

    assert "duration_ms" in response.json()["checks"][0]


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
    draft = ready["200"]["content"]["application/health+json"]["schema"]
    assert draft == {"$ref": "#/components/schemas/DraftHealthReport"}
    assert "checks" in spec["components"]["schemas"]["DraftHealthReport"]["properties"]
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
