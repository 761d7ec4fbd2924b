"""Build and process facts. No HTTP types here."""

from __future__ import annotations

import platform

from petsage import __version__
from petsage.features.system_info.models import SystemDetails, SystemInfo
from petsage.instance import instance_id
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
