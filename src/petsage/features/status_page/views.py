"""`page_router`: the status page, its live event stream, the badges and the incident feed.

Every handler reads the status board's cached summary: opening the page never runs a check
and never queries the database. Each follows the detail policy like the JSON does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from petsage.features.status_page import badges, feed, page
from petsage.features.status_page.badges import Badge, Metric
from petsage.features.status_page.caching import cache_control
from petsage.features.status_page.conditional import accepts_gzip, conditional
from petsage.features.status_page.dependencies import StatusBoardDep, StreamHubDep
from petsage.features.status_page.models import CheckStatusPublic, StatusSummary, Window
from petsage.features.status_page.router import STATUS_PATH
from petsage.features.status_page.streams import EventStream, View
from petsage.health.registry import CheckNotFoundError
from petsage.http.dependencies import DetailsAllowedDep, SettingsDep

PREFIX = STATUS_PATH
SVG = "image/svg+xml"
HTML = "text/html; charset=utf-8"
JSON = "application/json"

page_router = APIRouter(prefix=PREFIX, tags=["Status Page"])


class Shown(NamedTuple):
    """The summary this caller may see, and how long a cache may keep an answer made of it."""

    summary: StatusSummary
    cache_control: str


async def _shown(board: StatusBoardDep, details: DetailsAllowedDep, settings: SettingsDep) -> Shown:
    return Shown(board.summary(detail=details), cache_control(settings, detail=details))


ShownDep = Annotated[Shown, Depends(_shown)]
MetricQuery = Annotated[Metric, Query(description="`status`, or `uptime` over `window`.")]
WindowQuery = Annotated[Window, Query(description="The uptime window, with `metric=uptime`.")]
CheckName = Annotated[
    str,
    Path(description="A check's name, as `/system/health/checks` lists it.", examples=["database"]),
]


@page_router.get("", response_class=HTMLResponse, summary="The status page")
async def get_status_page(
    request: Request, board: StatusBoardDep, details: DetailsAllowedDep
) -> Response:
    """Current statuses, 90 days of daily bars, uptime per window and the incidents, as HTML.
    Works without JavaScript (it reloads every 30 s); with it, updates live from `/events`."""
    version = board.version

    def render(summary: StatusSummary) -> bytes:
        return page.render_page(summary, version=version, detail=details, base=PREFIX).encode()

    html = board.rendering("page", detail=details, render=render)
    headers = {
        "content-security-policy": page.content_security_policy(),
        "cache-control": "no-cache",
    }
    return conditional(request, html, media_type=HTML, headers=headers)


# Not in OpenAPI: its body never ends, which no schema describes and no API fuzzer survives.
@page_router.get("/events", include_in_schema=False)
async def stream_status_events(
    request: Request,
    board: StatusBoardDep,
    hub: StreamHubDep,
    details: DetailsAllowedDep,
    view: View = View.SUMMARY,
) -> Response:
    """One `summary` event (the `/system/status.json` document) now and on every change a
    viewer would see, and a comment every 15 s; `?view=board` sends the page's board as HTML
    (`board` events) instead. Ends with a `reconnect` event when the instance stops."""
    hub.admit()
    gzipped = accepts_gzip(request.headers.get("accept-encoding"))
    if view is View.SUMMARY:
        return EventStream(hub, board, detail=details, gzipped=gzipped)

    def board_html(detail: bool) -> bytes:
        return board.rendering("board", detail=detail, render=_board_fragment(board, detail))

    return EventStream(hub, board, detail=details, gzipped=gzipped, board_html=board_html)


def _board_fragment(board: StatusBoardDep, detail: bool) -> Callable[[StatusSummary], bytes]:
    def render(summary: StatusSummary) -> bytes:
        return page.board_fragment(summary, version=board.version, detail=detail, base=PREFIX)

    return render


@page_router.get(
    "/feed.atom",
    summary="Incidents as an Atom feed",
    response_class=Response,
    responses={200: {"content": {feed.MEDIA_TYPE: {}}, "description": "An Atom feed."}},
)
async def get_incident_feed(
    request: Request, board: StatusBoardDep, details: DetailsAllowedDep, settings: SettingsDep
) -> Response:
    """Every incident of the status page, ongoing first, then newest first, with ids that
    never change. `updated` never goes backwards; `If-None-Match` with its ETag answers 304."""
    public = settings.public_base_url
    base = ("" if public is None else str(public).rstrip("/")) + PREFIX

    def render(summary: StatusSummary) -> bytes:
        updated = board.feed_updated(feed.latest_change(summary), default=summary.updated_at)
        page_url, feed_url = base, base + "/feed.atom"
        return feed.render_feed(
            summary, page_url=page_url, feed_url=feed_url, detail=details, updated=updated
        )

    body = board.rendering("feed", detail=details, render=render)
    headers = {"cache-control": "no-cache"}
    return conditional(request, body, media_type=feed.MEDIA_TYPE, headers=headers)


@page_router.get(
    "/heartbeats.json",
    summary="The last rounds of each check",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "Rounds per check."}},
)
async def get_heartbeats(
    request: Request, board: StatusBoardDep, settings: SettingsDep
) -> Response:
    """This instance's last 60 rounds of each check, oldest first: when, the status, and how
    long the check took (`ms`). No reasons: the same for every caller."""
    headers = {"cache-control": cache_control(settings, detail=False)}
    body = board.heartbeats.rendered()
    return conditional(request, body, media_type="application/json", headers=headers)


NOT_MODIFIED = {"description": "Not modified: the `If-None-Match` tag is the current one."}
SVG_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {SVG: {}}, "description": "A badge."},
    304: NOT_MODIFIED,
    404: {"description": "No check has that name."},
}
SHIELD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {JSON: {}}, "description": "shields.io's endpoint format."},
    304: NOT_MODIFIED,
}


@page_router.get(
    "/badge.svg", summary="Status badge", response_class=Response, responses=SVG_RESPONSES
)
async def get_status_badge(
    request: Request,
    shown: ShownDep,
    metric: MetricQuery = Metric.STATUS,
    window: WindowQuery = Window.MONTH,
) -> Response:
    """The overall status, or its uptime with `?metric=uptime&window=30d`."""
    badge = badges.overall_badge(shown.summary, metric, window)
    return _svg(request, badge, shown.cache_control)


@page_router.get(
    "/badge.json",
    summary="Status badge, shields.io endpoint",
    response_class=Response,
    responses=SHIELD_RESPONSES,
)
async def get_status_shield(
    request: Request,
    shown: ShownDep,
    metric: MetricQuery = Metric.STATUS,
    window: WindowQuery = Window.MONTH,
) -> Response:
    """For `https://img.shields.io/endpoint?url=...`: the same words as `badge.svg`."""
    badge = badges.overall_badge(shown.summary, metric, window)
    return _shield(request, badge, shown.cache_control)


@page_router.get(
    "/badge/{check}.svg",
    summary="One check's badge",
    response_class=Response,
    responses=SVG_RESPONSES,
)
async def get_check_badge(
    request: Request,
    check: CheckName,
    shown: ShownDep,
    metric: MetricQuery = Metric.STATUS,
    window: WindowQuery = Window.MONTH,
) -> Response:
    """One check's status, or its uptime with `?metric=uptime&window=30d`."""
    found = _check(shown.summary, check)
    return _svg(request, badges.check_badge(found, metric, window), shown.cache_control)


@page_router.get(
    "/badge/{check}.json",
    summary="One check's badge, shields.io endpoint",
    response_class=Response,
    responses={**SHIELD_RESPONSES, 404: {"description": "No check has that name."}},
)
async def get_check_shield(
    request: Request,
    check: CheckName,
    shown: ShownDep,
    metric: MetricQuery = Metric.STATUS,
    window: WindowQuery = Window.MONTH,
) -> Response:
    """For `https://img.shields.io/endpoint?url=...`: the same words as the check's SVG."""
    found = _check(shown.summary, check)
    return _shield(request, badges.check_badge(found, metric, window), shown.cache_control)


def _check(summary: StatusSummary, name: str) -> CheckStatusPublic:
    for check in summary.checks:
        if check.name == name:
            return check
    raise CheckNotFoundError(f"No check is named {name!r}.")


def _svg(request: Request, badge: Badge, cache: str) -> Response:
    svg = badges.render_svg(badge).encode()
    return conditional(request, svg, media_type=SVG, headers={"cache-control": cache})


def _shield(request: Request, badge: Badge, cache: str) -> Response:
    body = json.dumps(badge.shields(), separators=(",", ":")).encode()
    return conditional(request, body, media_type=JSON, headers={"cache-control": cache})
