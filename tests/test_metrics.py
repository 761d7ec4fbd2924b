"""Prometheus metrics, in process: HTTP series by route template, health listener, exposition."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from starlette.middleware import Middleware

from petsage.health.model import CheckResult, Status, StatusChange
from petsage.main import create_app
from petsage.observability.access_log import AccessLog
from petsage.observability.health_metrics import HealthMetrics
from petsage.observability.metrics import Metrics
from petsage.observability.request_context import Finished, RequestContextMiddleware
from petsage.settings import Settings

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
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
    settings = make_settings(metrics_include_probes=True)
    client = TestClient(create_app(settings, probe_fast_path=fast_path))
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
    app = create_app(make_settings(metrics_enabled=False))

    response = TestClient(app).get("/metrics")

    assert response.status_code == 404
    assert "x-request-id" in response.headers
    layer = request_context(app)
    assert layer is not None
    assert [type(recorder) for recorder in layer.kwargs["recorders"]] == [AccessLog]
    assert "/metrics" not in app.openapi()["paths"]


def test_observability_off_removes_the_layer(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(), observability=False)

    response = TestClient(app).get("/")

    assert "x-request-id" not in response.headers
    assert request_context(app) is None
    assert TestClient(app).get("/metrics").status_code == 404


def test_the_request_context_is_outermost(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings())

    assert app.user_middleware[0].cls is RequestContextMiddleware


def finished(seconds: float) -> Finished:
    return (0.0, "GET", "/", 200, seconds, None, "id", None, False)


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


# --- The health listener -----------------------------------------------------------------------


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


def test_an_event_stream_is_counted_but_has_no_latency() -> None:
    metrics = Metrics({})
    http = metrics.http(include_probes=False)
    stream: Finished = (0.0, "GET", "/events", 200, 50.0, None, "id", None, True)

    http.record_batch([stream, stream, finished(0.002)])

    found = samples(metrics.render().decode())
    labels = frozenset({("method", "GET"), ("route", "unmatched"), ("status", "200")})
    assert found[("petsage_http_requests_total", labels)] == 3
    assert found[("petsage_http_request_duration_seconds_count", labels)] == 1
    assert found[("petsage_http_request_duration_seconds_sum", labels)] == pytest.approx(0.002)


def test_only_streams_make_no_histogram() -> None:
    metrics = Metrics({})
    http = metrics.http(include_probes=False)

    http.record_batch([(0.0, "GET", "/events", 200, 9.0, None, "id", None, True)])

    names = {name for name, _ in samples(metrics.render().decode())}
    assert "petsage_http_requests_total" in names
    assert not any(name.startswith("petsage_http_request_duration") for name in names)


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


def test_stream_and_refusal_series_exist_from_the_start() -> None:
    found = samples(Metrics({}).render().decode())

    assert found[("petsage_event_streams_open", frozenset())] == 0
    for reason in ("limit", "draining"):
        key = ("petsage_event_streams_refused_total", frozenset({("reason", reason)}))
        assert found[key] == 0
    refusals = {
        dict(labels)["reason"] for name, labels in found if name == "petsage_http_refusals_total"
    }
    assert {"header_too_large", "header_timeout", "over_capacity"} <= refusals
