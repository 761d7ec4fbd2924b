"""The probe lane, in process: it answers probes before every middleware, with the same
headers as the full route, and leaves to the route whatever it cannot answer."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from petsage.http.application import PetSageAPI
from petsage.http.probes import ProbeLane, RenderedResponse
from petsage.main import AppOptions, assemble_app, create_app
from petsage.settings import Settings

LIVE = "/system/health"
GIVEN = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def lane_of(app: object) -> ProbeLane:
    assert isinstance(app, PetSageAPI)
    assert isinstance(app.fast_lane, ProbeLane)
    return app.fast_lane


class CountingMiddleware:
    """Counts the HTTP requests that reach the middleware stack."""

    calls = 0

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            CountingMiddleware.calls += 1
        await self.app(scope, receive, send)


def test_probes_never_reach_the_middleware_stack(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings())
    app.add_middleware(CountingMiddleware)
    CountingMiddleware.calls = 0
    client = TestClient(app)

    probe = client.get(LIVE)
    route = client.get("/")

    assert (probe.status_code, route.status_code) == (200, 200)
    assert CountingMiddleware.calls == 1


def test_head_gets_the_get_headers_and_no_body(make_settings: Callable[..., Settings]) -> None:
    client = TestClient(create_app(make_settings()))

    get = client.get(LIVE, headers={"X-Request-ID": GIVEN})
    head = client.head(LIVE, headers={"X-Request-ID": GIVEN})

    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert dict(head.headers) == dict(get.headers)
    assert head.headers["x-request-id"] == GIVEN
    assert head.headers["cache-control"] == "no-store"
    assert head.headers["x-content-type-options"] == "nosniff"


def test_the_lane_and_the_route_send_the_same_headers(
    make_settings: Callable[..., Settings],
) -> None:
    fast = TestClient(create_app(make_settings())).get(LIVE, headers={"X-Request-ID": GIVEN})
    slow = TestClient(assemble_app(make_settings(), AppOptions(probe_fast_path=False))).get(
        LIVE, headers={"X-Request-ID": GIVEN}
    )

    assert fast.headers.items() == slow.headers.items()
    assert fast.content == slow.content


def test_without_observability_the_lane_sends_no_request_id(
    make_settings: Callable[..., Settings],
) -> None:
    response = TestClient(assemble_app(make_settings(), AppOptions(observability=False))).get(LIVE)

    assert response.status_code == 200
    assert "x-request-id" not in response.headers
    assert response.headers["cache-control"] == "no-store"


def test_a_failing_responder_leaves_the_answer_to_the_route(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(make_settings())

    def broken(_: Scope) -> RenderedResponse:
        raise RuntimeError("responder bug")

    lane_of(app).responders[LIVE] = broken
    with caplog.at_level(logging.ERROR, logger="petsage.http.probes"):
        response = TestClient(app).get(LIVE)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "probe responder for /system/health failed" in caplog.text


def test_other_methods_and_paths_pass_through(make_settings: Callable[..., Settings]) -> None:
    client = TestClient(create_app(make_settings()))

    assert client.post(LIVE).status_code == 405
    # Not a registered path: the router redirects it, as FastAPI does for any route.
    redirect = client.get(LIVE + "/", follow_redirects=False)
    assert redirect.status_code == 307
    assert "x-request-id" in redirect.headers


def test_objects_of_start_up_are_frozen_while_serving_and_thawed_after(
    make_settings: Callable[..., Settings],
) -> None:
    """In a server process, frozen: a full collection skips them (the status page's p99);
    thawed at shutdown. `petsage serve` starts with the collector off: it is on again once
    they are frozen. Apps built for in-process tests are never frozen."""
    server_app = assemble_app(make_settings(), AppOptions(freeze_after_start=True))
    gc.disable()  # as petsage.entrypoint does for `petsage serve`
    try:
        with TestClient(server_app) as client:
            client.get(LIVE)
            frozen_while_serving = gc.get_freeze_count()
            collecting_while_serving = gc.isenabled()
    finally:
        gc.enable()
    with TestClient(create_app(make_settings())) as client:
        frozen_in_a_test_app = gc.get_freeze_count()

    assert frozen_while_serving > 10_000
    assert collecting_while_serving
    assert frozen_in_a_test_app == 0
    assert gc.get_freeze_count() == 0
