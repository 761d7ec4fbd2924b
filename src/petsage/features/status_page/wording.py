"""How statuses, uptimes, times and durations read on the page, the badges and the feed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime

from petsage.features.status_page.models import Banner


@dataclass(frozen=True, slots=True)
class Look:
    """A status as people see it: words, an icon and a colour class, never the colour alone."""

    text: str
    icon: str
    tone: str


BANNERS = {
    Banner.OPERATIONAL: Look("All systems operational", "ok", "ok"),
    Banner.DEGRADED: Look("Degraded performance", "degraded", "degraded"),
    Banner.PARTIAL_OUTAGE: Look("Partial outage", "partial", "partial"),
    Banner.OUTAGE: Look("Major outage", "error", "error"),
    Banner.STARTING: Look("Starting up", "info", "info"),
    Banner.DRAINING: Look("Shutting down", "info", "info"),
}
CHECK_STATUSES = {
    "ok": Look("Operational", "ok", "ok"),
    "degraded": Look("Degraded", "degraded", "degraded"),
    "error": Look("Outage", "error", "error"),
    "unknown": Look("Unknown", "unknown", "unknown"),
    "no_data": Look("No data", "unknown", "unknown"),
}
SEVERITIES = {
    "degraded": Look("Degraded", "degraded", "degraded"),
    "error": Look("Outage", "error", "error"),
}


def percent(ratio: float | None) -> str:
    """Uptime with two decimals, rounded down: 99.999 % is not 100 %."""
    if ratio is None:
        return "No data"
    # A narrow no-break space: the sign never wraps away from its number.
    return f"{math.floor(ratio * 10_000) / 100:.2f}\u202f%"


def duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


def day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


def incidents(count: int) -> str:
    if count == 0:
        return "no incident"
    return "1 incident" if count == 1 else f"{count} incidents"
