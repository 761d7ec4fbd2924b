"""The HTML page: packaged Jinja2 templates, inline CSS and script, a CSP that hashes both.

The style sheet and the script are files beside the templates, inlined into the page so that
it needs no other request; the Content-Security-Policy allows exactly those two by hash.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

from petsage.features.status_page import wording
from petsage.features.status_page.models import StatusSummary, Window, failing_first

if TYPE_CHECKING:
    from jinja2 import Environment

PACKAGE = "petsage.features.status_page"
# A browser without JavaScript reloads the page this often instead of listening for events.
REFRESH_SECONDS = 30
WINDOWS = (Window.DAY, Window.WEEK, Window.MONTH, Window.QUARTER)
WINDOW_NAMES = {
    Window.DAY: "24 h",
    Window.WEEK: "7 d",
    Window.MONTH: "30 d",
    Window.QUARTER: "90 d",
}


def _asset(name: str) -> str:
    return (files(PACKAGE) / "templates" / name).read_text(encoding="utf-8")


def _sha256(source: str) -> str:
    digest = hashlib.sha256(source.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


@cache
def _environment() -> Environment:
    # Imported on the first page view: start-up should not pay for Jinja2 (issue 11's bench).
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape  # noqa: PLC0415

    environment = Environment(
        loader=PackageLoader(PACKAGE, "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        percent=wording.percent,
        duration=wording.duration,
        moment=wording.moment,
        day=wording.day,
        incidents=wording.incidents,
        ago=wording.ago,
        lasting=wording.lasting,
        breakable=wording.breakable,
    )
    environment.globals.update(
        banners=wording.BANNERS,
        statuses=wording.CHECK_STATUSES,
        severities=wording.SEVERITIES,
        windows=WINDOWS,
        window_names=WINDOW_NAMES,
        style=_asset("status.css"),
        script=_asset("status.js"),
        refresh_seconds=REFRESH_SECONDS,
    )
    return environment


@cache
def content_security_policy() -> str:
    style, script = _sha256(_asset("status.css")), _sha256(_asset("status.js"))
    return (
        f"default-src 'none'; style-src {style}; script-src {script}; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def render_page(summary: StatusSummary, *, version: int, detail: bool, base: str) -> str:
    """The page for `summary`; `base` is the path prefix of the page's own links."""
    template = _environment().get_template("status.html.jinja")
    # Sorted here too: a summary from an older instance (or a test) may keep registration order.
    checks = failing_first(summary.checks)
    names = {check.name: check.display_name or check.name for check in checks}
    failing = [check for check in checks if check.status in ("error", "degraded")]
    return template.render(
        summary=summary,
        version=version,
        detail=detail,
        base=base,
        now=summary.updated_at,
        checks=checks,
        names=names,
        failing=failing,
    )


BOARD_START, BOARD_END = b'<main id="board"', b"</main>"


def board_fragment(summary: StatusSummary, *, version: int, detail: bool, base: str) -> bytes:
    """The page's `<main id="board">` alone: what a `board` event carries."""
    html = render_page(summary, version=version, detail=detail, base=base).encode()
    start = html.index(BOARD_START)
    return html[start : html.index(BOARD_END, start) + len(BOARD_END)]
