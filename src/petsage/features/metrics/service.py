"""The metrics exposition. No HTTP types here."""

from __future__ import annotations

from petsage.metrics import Metrics


def metrics_exposition(metrics: Metrics) -> bytes:
    """Every metric of this process in the Prometheus text format.

    Runs on the event loop: the process collector reads /proc, which is memory, not disk.
    """
    return metrics.render()
