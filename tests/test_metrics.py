"""Prometheus metrics, in process: HTTP series by route template, health listener, exposition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from starlette.middleware import Middleware

from petsage.features.metrics.settings import MetricsSettings
from petsage.main import AppOptions, assemble_app, create_app
from petsage.observability.access_log import AccessLog
from petsage.observability.metrics import Metrics
from petsage.observability.request_context import Finished, RequestContextMiddleware
from petsage.settings import Settings

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of an exposition, keyed by sample name and label set."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def requests(found: Samples, method: str, route: str, status: str) -> float:
    labels = frozenset({"method": method, "route": route, "status": status}.items())
    return found.get(("petsage_http_requests_total", labels), 0.0)


def app_with_item_route(settings: Settings) -> FastAPI:
    app = create_app(settings)

    @app.get("/items/{item_id}")
    async def get_item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    return app


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return samples(response.text)


def test_requests_are_counted_by_route_template(make_settings: Callable[..., Settings]) -> None:
    client = TestClient(app_with_item_route(make_settings()))
    for item in range(5):
        client.get(f"/items/{item}")
    client.get("/items/not-a-number")
    client.head("/items/1")
    client.get("/no/such/path")
    client.get("/no/other/path")
    client.request("BREW", "/")

    found = scrape(client)

    assert requests(found, "GET", "/items/{item_id}", "200") == 5
    assert requests(found, "GET", "/items/{item_id}", "422") == 1
    assert requests(found, "HEAD", "/items/{item_id}", "200") == 1
    assert requests(found, "GET", "unmatched", "404") == 2
    assert requests(found, "other", "/", "405") == 1
    routes = {
        dict(labels)["route"] for name, labels in found if name.startswith("petsage_http_request")
    }
    assert routes == {"/items/{item_id}", "unmatched", "/"}


def test_latency_histogram_matches_the_count(make_settings: Callable[..., Settings]) -> None:
    client = TestClient(create_app(make_settings()))
    for _ in range(3):
        client.get("/")

    found = scrape(client)

    labels = frozenset({"method": "GET", "route": "/", "status": "200"}.items())
    assert found[("petsage_http_request_duration_seconds_count", labels)] == 3
    assert found[("petsage_http_request_duration_seconds_sum", labels)] > 0
    inf = frozenset({*labels, ("le", "+Inf")})
    assert found[("petsage_http_request_duration_seconds_bucket", inf)] == 3


def test_probes_are_left_out_by_default(make_settings: Callable[..., Settings]) -> None:
    client = TestClient(create_app(make_settings()))
    client.get("/system/health")
    client.head("/system/health")

    found = scrape(client)

    assert not any(
        dict(labels).get("route", "").startswith("/system/health") for _, labels in found
    )


@pytest.mark.parametrize("fast_path", [True, False])
def test_probes_are_counted_when_asked(
    make_settings: Callable[..., Settings], fast_path: bool
) -> None:
    probes_counted = MetricsSettings(include_probes=True)
    options = AppOptions(probe_fast_path=fast_path, feature_settings=[probes_counted])
    client = TestClient(assemble_app(make_settings(), options))
    client.get("/system/health")
    client.get("/system/health")
    client.get("/system/health/no-such-probe")

    found = scrape(client)

    assert requests(found, "GET", "/system/health", "200") == 2
    assert requests(found, "GET", "unmatched", "404") == 1


def test_process_and_build_metrics_are_exposed(make_settings: Callable[..., Settings]) -> None:
    client = TestClient(create_app(make_settings(git_commit="abc1234")))

    found = scrape(client)

    names = {name for name, _ in found}
    assert {"process_resident_memory_bytes", "process_cpu_seconds_total"} <= names
    assert "python_info" in names
    build = frozenset({"version": "1.0.0", "git_commit": "abc1234"}.items())
    assert found[("petsage_build_info", build)] == 1


def test_apps_do_not_share_a_registry(make_settings: Callable[..., Settings]) -> None:
    first = TestClient(create_app(make_settings()))
    second = TestClient(create_app(make_settings()))
    first.get("/")

    assert requests(scrape(first), "GET", "/", "200") == 1
    assert requests(scrape(second), "GET", "/", "200") == 0


def request_context(app: FastAPI) -> Middleware | None:
    found = [m for m in app.user_middleware if m.cls is RequestContextMiddleware]
    return found[0] if found else None


def test_disabled_metrics_are_a_404_and_not_recorded(
    make_settings: Callable[..., Settings],
) -> None:
    off = AppOptions(feature_settings=[MetricsSettings(enabled=False)])
    app = assemble_app(make_settings(), off)

    response = TestClient(app).get("/metrics")

    assert response.status_code == 404
    assert "x-request-id" in response.headers
    layer = request_context(app)
    assert layer is not None
    assert [type(recorder) for recorder in layer.kwargs["recorders"]] == [AccessLog]
    assert "/metrics" not in app.openapi()["paths"]


def test_observability_off_removes_the_layer(make_settings: Callable[..., Settings]) -> None:
    app = assemble_app(make_settings(), AppOptions(observability=False))

    response = TestClient(app).get("/")

    assert "x-request-id" not in response.headers
    assert request_context(app) is None
    assert TestClient(app).get("/metrics").status_code == 404


def test_the_request_context_is_outermost(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings())

    assert app.user_middleware[0].cls is RequestContextMiddleware


def finished(seconds: float) -> Finished:
    return (0.0, "GET", "/", 200, seconds, None, "id", None, False, None)


def test_a_duration_on_a_bucket_bound_counts_in_that_bucket() -> None:
    metrics = Metrics({})
    http = metrics.http(include_probes=False)

    http.record_batch([finished(0.005), finished(0.0051), finished(11.0)])

    found = samples(metrics.render().decode())
    labels = {("method", "GET"), ("route", "unmatched"), ("status", "200")}

    def bucket(le: str) -> float:
        return found[
            ("petsage_http_request_duration_seconds_bucket", frozenset({*labels, ("le", le)}))
        ]

    assert (bucket("0.0025"), bucket("0.005"), bucket("0.01"), bucket("10.0")) == (0, 1, 2, 2)
    assert bucket("+Inf") == 3
    assert found[("petsage_http_request_duration_seconds_sum", frozenset(labels))] == pytest.approx(
        11.0101
    )


def test_an_event_stream_is_counted_but_has_no_latency() -> None:
    metrics = Metrics({})
    http = metrics.http(include_probes=False)
    stream: Finished = (0.0, "GET", "/events", 200, 50.0, None, "id", None, True, None)

    http.record_batch([stream, stream, finished(0.002)])

    found = samples(metrics.render().decode())
    labels = frozenset({("method", "GET"), ("route", "unmatched"), ("status", "200")})
    assert found[("petsage_http_requests_total", labels)] == 3
    assert found[("petsage_http_request_duration_seconds_count", labels)] == 1
    assert found[("petsage_http_request_duration_seconds_sum", labels)] == pytest.approx(0.002)


def test_only_streams_make_no_histogram() -> None:
    metrics = Metrics({})
    http = metrics.http(include_probes=False)

    http.record_batch([(0.0, "GET", "/events", 200, 9.0, None, "id", None, True, None)])

    names = {name for name, _ in samples(metrics.render().decode())}
    assert "petsage_http_requests_total" in names
    assert not any(name.startswith("petsage_http_request_duration") for name in names)


def test_refusal_series_exist_from_the_start() -> None:
    found = samples(Metrics({}).render().decode())

    refusals = {
        dict(labels)["reason"] for name, labels in found if name == "petsage_http_refusals_total"
    }
    assert {"header_too_large", "header_timeout", "over_capacity"} <= refusals


@dataclass
class Streams:
    open: int = 0
    refused: dict[str, int] = field(default_factory=lambda: {"limit": 0, "draining": 0})


def test_watched_streams_are_read_when_scraped() -> None:
    metrics = Metrics({})
    streams = Streams()
    metrics.watch_streams(streams)
    streams.open, streams.refused["limit"] = 3, 2

    found = samples(metrics.render().decode())

    assert found[("petsage_event_streams_open", frozenset())] == 3
    limit = frozenset({("reason", "limit")})
    draining = frozenset({("reason", "draining")})
    assert found[("petsage_event_streams_refused_total", limit)] == 2
    assert found[("petsage_event_streams_refused_total", draining)] == 0
