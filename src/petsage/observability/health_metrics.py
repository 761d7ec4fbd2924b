"""The health engine in Prometheus: each check's status, duration and changes, labelled by
whether the check is critical, and the instance's readiness, phase and last round.

Alerts key on these: a failing check with `critical="true"` takes the instance out of
rotation, one with `critical="false"` only degrades it; `petsage_ready` is what readiness
answers (1 for 200); `petsage_health_last_round_timestamp_seconds` stops moving when the
checks stop running, which readiness only notices once `stale_after` has passed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from petsage.health.engine import HealthEngine
from petsage.health.lifecycle import Phase
from petsage.health.model import CheckResult, Status, StatusChange
from petsage.observability.metrics import Metrics


def critical_label(critical: bool) -> str:
    return "true" if critical else "false"


class HealthMetrics:
    """A `HealthListener` that mirrors check results and status changes into `Metrics`."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._critical: dict[str, str] = {}

    def on_result(self, result: CheckResult) -> None:
        critical = critical_label(result.critical)
        if self._critical.get(result.name) != critical:
            self._critical[result.name] = critical
            # Every series exists from the first result, so rate() and alerts see a 0 first.
            for status in Status:
                self.metrics.check_changes.labels(result.name, critical, status.value)
        for status in Status:
            value = 1 if status is result.status else 0
            self.metrics.check_status.labels(result.name, critical, status.value).set(value)
        self.metrics.check_duration.labels(result.name, critical).observe(result.duration_seconds)

    def on_change(self, change: StatusChange) -> None:
        # The first result is a start, not a change; it also told us whether it is critical.
        critical = self._critical.get(change.check_name)
        if change.old_status is not None and critical is not None:
            labels = (change.check_name, critical, change.new_status.value)
            self.metrics.check_changes.labels(*labels).inc()


class HealthStateCollector(Collector):
    """Readiness, the lifecycle phase and the last round, read from the engine when scraped.

    - `petsage_ready`: 1 when readiness answers 200 (serving, a fresh round, no critical
      check failing), else 0.
    - `petsage_draining`: 1 from SIGTERM (or the drain) until the process exits.
    - `petsage_health_phase{phase}`: 1 for the current phase (starting, serving, draining).
    - `petsage_health_last_round_timestamp_seconds`: Unix time the last round of checks
      ended; absent before the first.
    - `petsage_health_stale_after_seconds`: how old that round may get before readiness
      counts every check failed (the staleness alert's threshold).
    """

    def __init__(self, engine: HealthEngine) -> None:
        self.engine = engine

    def describe(self) -> Iterable[Metric]:
        return list(self._families())

    def collect(self) -> Iterable[Metric]:
        ready, draining, phase, last_round, stale_after = self._families()
        engine = self.engine
        current = engine.lifecycle.phase
        snapshot = engine.snapshot.as_of(time.monotonic())
        serving = current is Phase.SERVING and snapshot.started
        ready.add_metric([], 1 if serving and snapshot.status() is not Status.ERROR else 0)
        draining.add_metric([], 1 if current is Phase.DRAINING else 0)
        for each in Phase:
            phase.add_metric([each.value], 1 if each is current else 0)
        if snapshot.completed_at_utc is not None:
            last_round.add_metric([], snapshot.completed_at_utc.timestamp())
        stale_after.add_metric([], engine.stale_after)
        return [ready, draining, phase, last_round, stale_after]

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily(
                "petsage_ready", "1 when readiness answers 200 (ready or degraded), else 0."
            ),
            GaugeMetricFamily(
                "petsage_draining", "1 while the instance drains before shutting down, else 0."
            ),
            GaugeMetricFamily(
                "petsage_health_phase",
                "1 for the instance's current phase: starting, serving or draining.",
                labels=["phase"],
            ),
            GaugeMetricFamily(
                "petsage_health_last_round_timestamp_seconds",
                "Unix time at which the last complete round of health checks ended.",
            ),
            GaugeMetricFamily(
                "petsage_health_stale_after_seconds",
                "Age of the last round past which readiness counts every check failed.",
            ),
        )


def watch_health(metrics: Metrics, engine: HealthEngine) -> None:
    """Mirror `engine` into `metrics`: its results as they come, its state when scraped."""
    engine.add_listener(HealthMetrics(metrics))
    metrics.registry.register(HealthStateCollector(engine))
