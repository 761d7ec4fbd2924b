"""`petsage_health_uptime_ratio{check,window}`: the uptime the page shows, for Prometheus.

Read from the board's cached summary when scraped, so the numbers are exactly the JSON's.
The whole service's uptime is the series with `check="_overall"`. A window without known
time (no instance ran) has no series rather than a made-up value.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from petsage.features.status_page.board import StatusBoard
from petsage.features.status_page.timeline import OVERALL

METRIC = "petsage_health_uptime_ratio"


class UptimeCollector(Collector):
    def __init__(self, board: StatusBoard) -> None:
        self.board = board

    def describe(self) -> Iterable[Metric]:
        return [self._family()]

    def collect(self) -> Iterable[Metric]:
        family = self._family()
        summary = self.board.summary(detail=False)
        rows = [(OVERALL, summary.uptime)] + [(c.name, c.uptime) for c in summary.checks]
        for check, uptime in rows:
            for window, ratio in uptime.items():
                if ratio is not None:
                    family.add_metric([check, window.value], ratio)
        return [family]

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            METRIC,
            "Share of known time each check (and _overall) was ok or degraded, by window.",
            labels=["check", "window"],
        )
