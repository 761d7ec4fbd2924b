"""Tests for the Smoke Test feature endpoint, through the application factory."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from petsage.main import AppOptions, assemble_app, create_app
from petsage.settings import Settings

ALIVE = {"status": "ok", "message": "PetSage system is alive and purring!"}


def test_get_system_health_success(client: TestClient) -> None:
    response = client.get("/system/health")

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["message"] == "PetSage system is alive and purring!"


def test_get_system_health_response_schema(client: TestClient) -> None:
    data = client.get("/system/health").json()

    assert set(data) == {"status", "message"}
    assert isinstance(data["status"], str)
    assert isinstance(data["message"], str)


def test_health_body_is_exactly_the_contract(client: TestClient) -> None:
    response = client.get("/system/health")

    assert response.content == b'{"status":"ok","message":"PetSage system is alive and purring!"}'
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_head_answers_like_get_without_body(client: TestClient) -> None:
    get = client.get("/system/health")
    head = client.head("/system/health")

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["cache-control"] == "no-store"


def test_fast_path_and_route_give_the_same_answer(
    client: TestClient, make_settings: Callable[..., Settings]
) -> None:
    """The fast path is a cache of the route's answer: take its responders away and compare."""
    fast = client.get("/system/health")
    slow_app = assemble_app(make_settings(), AppOptions(probe_fast_path=False))
    slow = TestClient(slow_app).get("/system/health")

    assert (slow.status_code, slow.content) == (fast.status_code, fast.content)
    assert slow.headers["content-type"] == fast.headers["content-type"]
    assert slow.headers["content-length"] == fast.headers["content-length"]


def test_liveness_does_not_depend_on_lifespan(make_settings: Callable[..., Settings]) -> None:
    """No start-up work is needed to be alive: the app answers without its lifespan running."""
    response = TestClient(create_app(make_settings())).get("/system/health")

    assert response.json() == ALIVE
