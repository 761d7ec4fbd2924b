"""Prometheus metrics: HTTP requests by route template, health checks, the process.

Each app owns its `CollectorRegistry` (never the global default): tests build many apps in
one process, and two apps must not share, or collide on, a metric. With several workers each
process has its own registry and a scrape sees the worker that answered it; run one worker a
container and scale with replicas.

HTTP metrics are labelled by route template (`/system/health/checks/{name}`), never by the raw
path, so a scanner trying random URLs cannot create unbounded series: an unrouted request is
`unmatched`, an unknown method `other`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from time import perf_counter

import prometheus_client
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from petsage.health.model import CheckResult, Status, StatusChange
from petsage.middleware import is_probe_path

# The classic text format, which every Prometheus version reads; our names need nothing newer.
CONTENT_TYPE = prometheus_client.CONTENT_TYPE_PLAIN_0_0_4
UNMATCHED = "unmatched"
OTHER_METHOD = "other"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Most PetSage answers take well under 10 ms; the default buckets start at 5 ms.
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# Around the default check timeout (0.8 s), where a slow dependency shows first.
CHECK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1, 2.5, 5)


class Metrics:
    """One app's registry and every instrument PetSage updates."""

    def __init__(self, build: Mapping[str, str]) -> None:
        # `_created` series double what a scrape carries, for no use on a dashboard. The switch
        # is process-wide in prometheus_client; PetSage is the only registry owner here.
        prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        Info("petsage_build", "The running PetSage build.", registry=self.registry).info(
            dict(build)
        )
        http_labels = ("method", "route", "status")
        self.http_requests = Counter(
            "petsage_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            http_labels,
            registry=self.registry,
        )
        self.http_duration = Histogram(
            "petsage_http_request_duration_seconds",
            "Time from request to the end of the response, by method, route template and status.",
            http_labels,
            buckets=HTTP_BUCKETS,
            registry=self.registry,
        )
        self.check_status = Gauge(
            "petsage_health_check_status",
            "1 for each check's current status (ok, degraded, error), 0 for the others.",
            ("check", "status"),
            registry=self.registry,
        )
        self.check_duration = Histogram(
            "petsage_health_check_duration_seconds",
            "How long each health check run took.",
            ("check",),
            buckets=CHECK_BUCKETS,
            registry=self.registry,
        )
        self.check_changes = Counter(
            "petsage_health_check_status_changes",
            "Status changes of each check, by the status it changed to.",
            ("check", "status"),
            registry=self.registry,
        )
        # Label lookups cost more than the increments: keep the children of each label set.
        self._http_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._http_children.get(key)
        if children is None:
            labels = (method, route, str(status))
            children = (self.http_requests.labels(*labels), self.http_duration.labels(*labels))
            self._http_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """The registry in the Prometheus text exposition format."""
        return prometheus_client.generate_latest(self.registry)


class HealthMetrics:
    """A `HealthListener` that mirrors check results and status changes into `Metrics`."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._seen: set[str] = set()

    def on_result(self, result: CheckResult) -> None:
        if result.name not in self._seen:
            self._seen.add(result.name)
            # Every series exists from the first result, so rate() and alerts see a 0 first.
            for status in Status:
                self.metrics.check_changes.labels(result.name, status.value)
        for status in Status:
            value = 1 if status is result.status else 0
            self.metrics.check_status.labels(result.name, status.value).set(value)
        self.metrics.check_duration.labels(result.name).observe(result.duration_seconds)

    def on_change(self, change: StatusChange) -> None:
        # The first result is a start, not a change.
        if change.old_status is not None:
            self.metrics.check_changes.labels(change.check_name, change.new_status.value).inc()


class HttpMetricsMiddleware:
    """Counts and times every HTTP request by method, route template and status.

    Probes are left out unless `include_probes`: a kubelet's probes every few seconds would
    dominate the request rate. `fast_paths` are the fixed paths ProbeFastPath answers without
    routing; they are labelled by their path.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        include_probes: bool = False,
        fast_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.include_probes = include_probes
        self.fast_paths = frozenset(fast_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (not self.include_probes and is_probe_path(scope["path"])):
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in KNOWN_METHODS else OTHER_METHOD
        started = perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = self.route_template(scope)
            self.metrics.observe_request(method, route, status, perf_counter() - started)

    def route_template(self, scope: Scope) -> str:
        """The template of the route that answered, from the scope the router filled in."""
        route = scope.get("route")
        if route is not None:
            template: str = getattr(route, "path_format", None) or UNMATCHED
            return template
        path: str = scope["path"]
        return path if path in self.fast_paths else UNMATCHED
