"""Badges: a flat SVG in the shields.io style, and shields.io's endpoint JSON for the same words.

The SVG is text-first: real `<text>` (readable, selectable, indexable) and a `<title>` that a
screen reader announces; widths are estimated from Verdana's advance widths, as shields does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from petsage.features.status_page import wording
from petsage.features.status_page.models import Banner, CheckStatusPublic, StatusSummary, Window

GREEN, YELLOW, ORANGE, RED, GREY, BLUE = (
    "#1a7f37",
    "#8a5a00",
    "#bc4c00",
    "#cf222e",
    "#59636e",
    "#0969da",
)
# The page's words (`wording`), in a badge's lower case: one vocabulary (README's table).
BANNER_WORDS = {
    banner: (wording.BANNERS[banner].text.lower(), colour)
    for banner, colour in (
        (Banner.OPERATIONAL, GREEN),
        (Banner.DEGRADED, YELLOW),
        (Banner.PARTIAL_OUTAGE, ORANGE),
        (Banner.OUTAGE, RED),
        (Banner.STARTING, BLUE),
        (Banner.DRAINING, BLUE),
    )
}
CHECK_WORDS = {
    status: (wording.CHECK_STATUSES[status].text.lower(), colour)
    for status, colour in (
        ("ok", GREEN),
        ("degraded", YELLOW),
        ("error", RED),
        ("unknown", GREY),
    )
}
# Uptime at or above each ratio takes its colour.
UPTIME_COLOURS = ((0.999, GREEN), (0.99, YELLOW), (0.95, ORANGE), (0.0, RED))
# Verdana 11 px advance widths (in tenths of a pixel) for the characters badges use most.
NARROW = dict.fromkeys("ijl.:,' ", 35) | dict.fromkeys("frt()", 45) | dict.fromkeys("%mw", 95)
DEFAULT_ADVANCE = 68
PADDING = 12
HEIGHT = 20


class Metric(StrEnum):
    STATUS = "status"
    UPTIME = "uptime"


@dataclass(frozen=True, slots=True)
class Badge:
    label: str
    message: str
    colour: str

    def shields(self) -> dict[str, object]:
        """shields.io's endpoint format: https://shields.io/badges/endpoint-badge."""
        return {
            "schemaVersion": 1,
            "label": self.label,
            "message": self.message,
            "color": self.colour.removeprefix("#"),
        }


def overall_badge(summary: StatusSummary, metric: Metric, window: Window) -> Badge:
    if metric is Metric.UPTIME:
        return _uptime_badge("uptime", summary.uptime[window], window)
    message, colour = BANNER_WORDS[summary.banner]
    return Badge("status", message, colour)


def check_badge(check: CheckStatusPublic, metric: Metric, window: Window) -> Badge:
    if metric is Metric.UPTIME:
        return _uptime_badge(f"{check.name} uptime", check.uptime[window], window)
    message, colour = CHECK_WORDS[check.status]
    return Badge(check.name, message, colour)


def _uptime_badge(label: str, ratio: float | None, window: Window) -> Badge:
    if ratio is None:
        return Badge(f"{label} {window}", "no data", GREY)
    colour = next(colour for floor, colour in UPTIME_COLOURS if ratio >= floor)
    return Badge(f"{label} {window}", wording.percent(ratio).replace("\u202f", ""), colour)


def _width(text: str) -> int:
    return sum(NARROW.get(char, DEFAULT_ADVANCE) for char in text) // 10 + PADDING


def render_svg(badge: Badge) -> str:
    # Imported on the first badge, not at start, with the feed's ElementTree: together 0.5 MiB
    # of `petsage serve`'s idle RSS (bench/startup.py, issue 17).
    from xml.sax.saxutils import escape, quoteattr  # noqa: PLC0415

    left, right = _width(badge.label), _width(badge.message)
    total = left + right
    title = f"{badge.label}: {badge.message}"
    label, message = escape(badge.label), escape(badge.message)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{HEIGHT}" '
        f'role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="{HEIGHT}" rx="3" fill="#fff"/></clipPath>'
        '<g clip-path="url(#r)">'
        f'<rect width="{left}" height="{HEIGHT}" fill="#3b434b"/>'
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="{badge.colour}"/>'
        f'<rect width="{total}" height="{HEIGHT}" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{left / 2:g}" y="14">{label}</text>'
        f'<text x="{left + right / 2:g}" y="14">{message}</text></g></svg>'
    )
