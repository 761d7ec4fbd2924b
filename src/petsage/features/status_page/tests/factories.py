"""A status summary built by hand, and an app that serves it through the page's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from petsage.blueprint import AppServices, Feature
from petsage.features.status_page.board import StatusBoard
from petsage.features.status_page.dependencies import BOARD, STREAMS
from petsage.features.status_page.models import (
    Banner,
    CheckStatusPublic,
    DayBar,
    IncidentPublic,
    StatusSummary,
    Window,
)
from petsage.features.status_page.settings import StatusPageSettings
from petsage.features.status_page.streams import live_streams
from petsage.features.status_page.views import page_router

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SECRET_REASON = "connect to 10.0.0.7:5432 failed"
DAY_SECONDS = 86_400.0


def day_bar(day: date, status: str = "ok", incidents: int = 0) -> DayBar:
    seconds = {"ok": 0.0, "degraded": 0.0, "error": 0.0, "unknown": 0.0}
    key = "unknown" if status == "no_data" else status
    seconds[key] = DAY_SECONDS
    if status == "error":
        seconds["ok"], seconds["error"] = DAY_SECONDS - 1800, 1800.0
    known = DAY_SECONDS - seconds["unknown"]
    uptime = None if known == 0 else (seconds["ok"] + seconds["degraded"]) / known
    return DayBar(
        date=day,
        status=status,
        uptime=uptime,
        seconds_ok=seconds["ok"],
        seconds_degraded=seconds["degraded"],
        seconds_error=seconds["error"],
        seconds_unknown=seconds["unknown"],
        incidents=incidents,
    )


def days(special: dict[int, tuple[str, int]] | None = None) -> list[DayBar]:
    """90 bars, oldest first; `special` maps a day's index to its (status, incidents)."""
    today = NOW.date()
    marks = special or {}
    bars = []
    for index in range(90):
        status, incidents = marks.get(index, ("no_data" if index < 20 else "ok", 0))
        bars.append(day_bar(today - timedelta(days=89 - index), status, incidents))
    return bars


def uptimes(*values: float | None) -> dict[Window, float | None]:
    return dict(zip(Window, values, strict=True))


def sample_summary(banner: Banner = Banner.PARTIAL_OUTAGE) -> StatusSummary:
    incident = IncidentPublic(
        id="3f9a1c2b7d",
        check="database",
        severity="error",
        started_at=NOW - timedelta(minutes=42),
        ended_at=None,
        duration_seconds=42 * 60,
        downtime_seconds=42 * 60,
        latest_started_at=NOW - timedelta(minutes=42),
        changed_at=NOW - timedelta(minutes=42),
        reason=SECRET_REASON,
    )
    resolved = IncidentPublic(
        id="8e1d0a44c5",
        check="http:payments",
        severity="degraded",
        started_at=NOW - timedelta(days=3, hours=2),
        ended_at=NOW - timedelta(days=3, hours=1, minutes=48),
        duration_seconds=12 * 60,
        downtime_seconds=12 * 60,
        latest_started_at=NOW - timedelta(days=3, hours=2),
        changed_at=NOW - timedelta(days=3, hours=1, minutes=48),
        reason="HTTP 503 from payments",
    )
    checks = [
        CheckStatusPublic(
            name="database",
            critical=True,
            status="error",
            since=incident.started_at,
            uptime=uptimes(0.9708, 0.9958, 0.99902, 0.99967),
            days=days({89: ("error", 1), 60: ("degraded", 1)}),
            reason=SECRET_REASON,
        ),
        CheckStatusPublic(
            name="disk",
            critical=True,
            status="ok",
            since=NOW - timedelta(days=69),
            uptime=uptimes(1.0, 1.0, 1.0, 1.0),
            days=days(),
        ),
        CheckStatusPublic(
            name="http:payments",
            critical=False,
            status="degraded",
            since=NOW - timedelta(minutes=5),
            uptime=uptimes(1.0, 1.0, 0.99995, None),
            days=days({86: ("degraded", 1)}),
            reason="HTTP 503 from payments",
        ),
    ]
    return StatusSummary(
        banner=banner,
        updated_at=NOW,
        uptime=uptimes(0.9708, 0.9958, 0.99902, 0.99967),
        days=days({89: ("error", 1), 86: ("degraded", 1), 60: ("degraded", 1)}),
        checks=checks,
        incidents=[incident, resolved],
    )


def serving(summary: StatusSummary) -> Feature:
    """The page's routes over a board that always computes `summary`."""

    async def compute(_: Sequence[Any]) -> StatusSummary:
        return summary

    @asynccontextmanager
    async def lifespan(services: AppServices) -> AsyncIterator[None]:
        services.state.put(BOARD, StatusBoard(compute, summary, instance_id="test"))
        async with live_streams(services) as hub:
            services.state.put(STREAMS, hub)
            yield

    return Feature(
        name="status_page",
        summary="test",
        routers=(page_router,),
        lifespan=lifespan,
        provides=(BOARD, STREAMS),
        settings=StatusPageSettings,
    )


TOKEN = "status-page-token-0123456789"
AUTHORIZED = {"authorization": f"Bearer {TOKEN}"}
