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

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

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
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from petsage import __version__
from petsage.http.probes import NO_PROBES, ProbePaths
from petsage.http.refusals import REFUSALS, RefusalCounts
from petsage.observability.request_context import Finished
from petsage.settings import Settings

# The classic text format, which every Prometheus version reads; our names need nothing newer.
CONTENT_TYPE = prometheus_client.CONTENT_TYPE_PLAIN_0_0_4
UNMATCHED = "unmatched"
OTHER_METHOD = "other"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Most PetSage answers take well under 10 ms; the default buckets start at 5 ms.
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# `le` labels as prometheus_client writes them for its own histograms ("1.0", "+Inf").
_BUCKET_LABELS = tuple(
    floatToGoString(bound)  # type: ignore[no-untyped-call]
    for bound in (*HTTP_BUCKETS, float("inf"))
)
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
        self.check_status = Gauge(
            "petsage_health_check_status",
            "1 for each check's current status (ok, degraded, error), 0 for the others.",
            ("check", "critical", "status"),
            registry=self.registry,
        )
        self.check_duration = Histogram(
            "petsage_health_check_duration_seconds",
            "How long each health check run took.",
            ("check", "critical"),
            buckets=CHECK_BUCKETS,
            registry=self.registry,
        )
        self.check_changes = Counter(
            "petsage_health_check_status_changes",
            "Status changes of each check, by the status it changed to.",
            ("check", "critical", "status"),
            registry=self.registry,
        )
        self.registry.register(RefusalCollector(REFUSALS))

    def http(
        self,
        *,
        include_probes: bool,
        probe_paths: ProbePaths = NO_PROBES,
        fixed_paths: Iterable[str] = (),
    ) -> HttpMetrics:
        """Register and return the HTTP request metrics (see `HttpMetrics`)."""
        http = HttpMetrics(
            include_probes=include_probes, probe_paths=probe_paths, fixed_paths=fixed_paths
        )
        self.registry.register(http)
        return http

    def watch_streams(self, streams: OpenStreams) -> None:
        """Export the open and refused event streams that `streams` counts."""
        self.registry.register(EventStreamCollector(streams))

    def render(self) -> bytes:
        """The registry in the Prometheus text exposition format."""
        return prometheus_client.generate_latest(self.registry)


class HttpMetrics(Collector):
    """Request counts and latency histograms by method, route template and status code; a
    `Recorder` of finished requests. Event streams are counted but have no latency.

    Updated on the event loop for every request, so kept in plain lists rather than
    prometheus_client's locked counters (a third of the cost), and turned into metric
    families when scraped. Probes are left out unless `include_probes`: a kubelet's probes
    every few seconds would dominate the request rate. `fixed_paths` are the paths
    the probe lane answers without routing; they are labelled by their path.
    """

    def __init__(
        self,
        *,
        include_probes: bool = False,
        probe_paths: ProbePaths = NO_PROBES,
        fixed_paths: Iterable[str] = (),
    ) -> None:
        self.include_probes = include_probes
        self.probe_paths = probe_paths
        self.fixed_paths = frozenset(fixed_paths)
        # (method, route, status) -> [count, sum, one count per bucket of HTTP_BUCKETS, +Inf]
        self._series: dict[tuple[str, str, int], list[float]] = {}

    def record_batch(self, finished: list[Finished]) -> None:
        series_of = self._series
        for _, method, path, status, seconds, _, _, route, streamed, _ in finished:
            if not self.include_probes and path in self.probe_paths:
                continue
            known = method if method in KNOWN_METHODS else OTHER_METHOD
            key = (known, self.route_template(route, path), status)
            series = series_of.get(key)
            if series is None:
                series = series_of[key] = [0.0] * (len(HTTP_BUCKETS) + 3)
            series[0] += 1
            if streamed:
                # An event stream lasts as long as its viewer stays: minutes that would read
                # as the slowest requests of all. Counted, and left out of the latency.
                continue
            series[1] += seconds
            # bisect_left: a duration equal to a bound belongs to that bound's bucket (le).
            series[2 + bisect_left(HTTP_BUCKETS, seconds)] += 1

    def route_template(self, route: Any, path: str) -> str:
        """The template of the route that answered (the router puts it in the scope)."""
        if route is not None:
            template: str = getattr(route, "path_format", None) or UNMATCHED
            return template
        return path if path in self.fixed_paths else UNMATCHED

    def describe(self) -> Iterable[Metric]:
        return list(self._families())

    def collect(self) -> Iterable[Metric]:
        requests, durations = self._families()
        for (method, route, status), series in list(self._series.items()):
            labels = [method, route, str(status)]
            requests.add_metric(labels, series[0])
            if any(series[2:]):  # not a route of event streams only
                durations.add_metric(labels, list(_cumulative(series)), series[1])
        return [requests, durations]

    def _families(self) -> tuple[CounterMetricFamily, HistogramMetricFamily]:
        labels = ["method", "route", "status"]
        return (
            CounterMetricFamily(
                "petsage_http_requests",
                "HTTP requests answered, by method, route template and status code.",
                labels=labels,
            ),
            HistogramMetricFamily(
                "petsage_http_request_duration_seconds",
                "Time from request to the end of the response, by method, route and status.",
                labels=labels,
            ),
        )


class RefusalCollector(Collector):
    """`petsage_http_refusals_total{reason}`: requests the HTTP protocol refused (431, 408,
    413, 414, 503 over the connection cap) before the app, and so the request metrics, saw
    them. Read from the process's `RefusalCounts` when scraped."""

    def __init__(self, counts: RefusalCounts) -> None:
        self.counts = counts

    def describe(self) -> Iterable[Metric]:
        return [self._family()]

    def collect(self) -> Iterable[Metric]:
        family = self._family()
        for reason, count in sorted(self.counts.by_reason.items()):
            family.add_metric([reason], count)
        return [family]

    @staticmethod
    def _family() -> CounterMetricFamily:
        return CounterMetricFamily(
            "petsage_http_refusals",
            "Requests the HTTP server refused before routing them, by reason.",
            labels=["reason"],
        )


class OpenStreams(Protocol):
    """What the event streams' owner counts (the status page's hub): read when scraped."""

    @property
    def open(self) -> int:
        """Streams open now."""

    @property
    def refused(self) -> Mapping[str, int]:
        """Streams refused, by reason: `limit` (the per-process cap) or `draining`."""


class EventStreamCollector(Collector):
    """`petsage_event_streams_open` and `petsage_event_streams_refused_total{reason}`.

    A stream is one request that lasts as long as its viewer stays: the request metrics count
    it once and leave it out of the latency histogram, and these say how many are open."""

    def __init__(self, streams: OpenStreams) -> None:
        self.streams = streams

    def describe(self) -> Iterable[Metric]:
        return list(self._families())

    def collect(self) -> Iterable[Metric]:
        open_now, refused = self._families()
        open_now.add_metric([], self.streams.open)
        for reason, count in sorted(self.streams.refused.items()):
            refused.add_metric([reason], count)
        return [open_now, refused]

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, CounterMetricFamily]:
        return (
            GaugeMetricFamily(
                "petsage_event_streams_open",
                "Event streams (the status page's live updates) open now.",
            ),
            CounterMetricFamily(
                "petsage_event_streams_refused",
                "Event streams refused, by reason: the cap (limit) or shutting down (draining).",
                labels=["reason"],
            ),
        )


def _cumulative(series: list[float]) -> Iterator[tuple[str, float]]:
    """`(le, count)` pairs from per-bucket counts, as the exposition format wants them."""
    total = 0.0
    for le, count in zip(_BUCKET_LABELS, series[2:], strict=True):
        total += count
        yield le, total


def build_info_labels(settings: Settings) -> dict[str, str]:
    """The labels of the `petsage_build_info` metric (the Python version is `python_info`)."""
    return {"version": __version__, "git_commit": settings.git_commit or "unknown"}
