"""How long a cache may keep the status page's small answers: `status.json` and the badges.

Anonymous answers are the same for everyone and change at most once a round of checks, so any
cache may keep one for an interval (30 s at most: a badge on a README should follow an outage
within a minute). An answer with details (failure reasons, hosts) is for its caller alone and
is never stored.
"""

from __future__ import annotations

import math

from petsage.settings import Settings

LONGEST_SECONDS = 30
WITH_DETAILS = "private, no-store"


def cache_control(settings: Settings, *, detail: bool) -> str:
    if detail:
        return WITH_DETAILS
    seconds = min(LONGEST_SECONDS, max(1, math.ceil(settings.health_interval_seconds)))
    return f"public, max-age={seconds}"
