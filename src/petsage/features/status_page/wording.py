"""How statuses, uptimes, times and durations read on the page, the badges and the feed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from petsage.features.status_page.models import Banner

if TYPE_CHECKING:
    from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Look:
    """A status as people see it: words, an icon and a colour class, never the colour alone."""

    text: str
    icon: str
    tone: str


BANNERS = {
    Banner.OPERATIONAL: Look("All systems operational", "ok", "ok"),
    Banner.DEGRADED: Look("Degraded", "degraded", "degraded"),
    Banner.PARTIAL_OUTAGE: Look("Partial outage", "partial", "partial"),
    Banner.OUTAGE: Look("Major outage", "error", "error"),
    Banner.STARTING: Look("Starting", "info", "info"),
    Banner.DRAINING: Look("Draining", "info", "info"),
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


def ago(value: datetime, now: datetime) -> str:
    """`value` relative to `now`: "4 min ago" (the script keeps it current in a browser)."""
    seconds = (now - value).total_seconds()
    return "just now" if seconds < 1 else f"{duration(seconds)} ago"


def lasting(value: datetime, now: datetime) -> str:
    """How long something begun at `value` has gone on by `now`: "for 4 min"."""
    return f"for {duration(max(0.0, (now - value).total_seconds()))}"


def breakable(name: str) -> Markup:
    """A check's name that may wrap after `:` or `/`, and nowhere else: never mid-word."""
    from markupsafe import Markup, escape  # noqa: PLC0415 (Jinja2's own: imported with it)

    text = str(escape(name))
    for mark in (":", "/"):
        text = text.replace(mark, mark + "<wbr>")
    return Markup(text)  # noqa: S704 (escaped above; only <wbr> is added)


def day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


def incidents(count: int) -> str:
    if count == 0:
        return "no incident"
    return "1 incident" if count == 1 else f"{count} incidents"
