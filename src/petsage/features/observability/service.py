"""Build and process facts, and the metrics exposition. No HTTP types here."""

from __future__ import annotations

import platform

from petsage import __version__
from petsage.features.observability.models import SystemDetails, SystemInfo
from petsage.instance import instance_id
from petsage.metrics import Metrics
from petsage.settings import Settings
from petsage.uptime import StartTime


def system_info(settings: Settings, started: StartTime, *, details: bool) -> SystemInfo:
    """The version for everyone; the rest only when `details` is allowed.

    The version is public already (it is in /openapi.json). The commit, the Python version
    and the host name narrow an attacker's search for a known flaw, and the start time tells
    when the service restarts; those are details.
    """
    if not details:
        return SystemInfo(version=__version__, details=None)
    return SystemInfo(
        version=__version__,
        details=SystemDetails(
            git_commit=settings.git_commit,
            python_version=platform.python_version(),
            started_at=started.wall,
            uptime_seconds=round(started.uptime().total_seconds(), 3),
            instance_id=instance_id(),
        ),
    )


def build_labels(settings: Settings) -> dict[str, str]:
    """The labels of the `petsage_build_info` metric (the Python version is `python_info`)."""
    return {"version": __version__, "git_commit": settings.git_commit or "unknown"}


def metrics_exposition(metrics: Metrics) -> bytes:
    """Every metric of this process in the Prometheus text format.

    Runs on the event loop: the process collector reads /proc, which is memory, not disk.
    """
    return metrics.render()
