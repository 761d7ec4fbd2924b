"""The status summary as `GET /system/status.json` returns it and the page renders it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DAYS_SHOWN = 90
DayStatus = Literal["ok", "degraded", "error", "no_data"]


class Window(StrEnum):
    """An uptime window. `24h` is the last 24 hours exactly; the others are the last N days
    (UTC) including today, so `90d` is what the 90 daily bars add up to."""

    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"
    QUARTER = "90d"


class Banner(StrEnum):
    """The overall state, as the page's banner shows it."""

    OPERATIONAL = "operational"
    DEGRADED = "degraded"
    PARTIAL_OUTAGE = "partial_outage"
    OUTAGE = "outage"
    STARTING = "starting"
    DRAINING = "draining"


class DayBar(BaseModel):
    """One UTC day of one check (or of the whole service)."""

    # Shared by every check with the same day (`uptime.DayBars`): never changed in place.
    model_config = ConfigDict(frozen=True)

    date: date
    status: DayStatus = Field(
        description="The worst status that day; `no_data` when no instance ran."
    )
    uptime: float | None = Field(
        description="Share of the day's known time that was ok or degraded; null: no data."
    )
    seconds_ok: float
    seconds_degraded: float
    seconds_error: float
    seconds_unknown: float = Field(description="No instance running, or after a crash.")
    incidents: int = Field(description="Incidents that touched that day.")


class CheckStatusPublic(BaseModel):
    """One check: its status now (the worst any running instance reports) and its history."""

    name: str
    display_name: str | None = Field(
        default=None, description="The name people read (PETSAGE_STATUS_COMPONENTS), if set."
    )
    group: str | None = Field(default=None, description="Its group on the page, if set.")
    critical: bool
    status: Literal["ok", "degraded", "error", "unknown"]
    since: datetime | None = Field(description="When the current status began, if known.")
    uptime: dict[Window, float | None]
    days: list[DayBar] = Field(description=f"Exactly {DAYS_SHOWN}, oldest first, today last.")
    reason: str | None = Field(default=None, description="Why, for authorized callers only.")


CHECK_ORDER = {"error": 0, "degraded": 1, "unknown": 2, "ok": 3}


def failing_first(checks: list[CheckStatusPublic]) -> list[CheckStatusPublic]:
    """What is down leads: at 375 px the first screen holds about three components."""
    return sorted(checks, key=lambda check: CHECK_ORDER[check.status])


class IncidentPublic(BaseModel):
    """Consecutive non-ok periods of one check, merged when less than
    PETSAGE_STATUS_INCIDENT_MERGE_SECONDS apart."""

    id: str = Field(description="Stable across recomputes and instances.")
    check: str
    severity: Literal["degraded", "error"]
    started_at: datetime
    ended_at: datetime | None = Field(description="null while it goes on.")
    duration_seconds: float = Field(description="Its span, from start to end (or now).")
    downtime_seconds: float = Field(
        description="The time it was non-ok: a merged incident's gaps do not count."
    )
    latest_started_at: datetime = Field(
        description="When its latest non-ok stretch began: `started_at`, or its reopening."
    )
    changed_at: datetime = Field(
        description="Its last change (opening, reopening, a change of severity, resolution)."
    )
    reason: str | None = Field(default=None, description="Why, for authorized callers only.")


class StatusSummary(BaseModel):
    """Everything the status page shows."""

    banner: Banner
    updated_at: datetime = Field(description="When this summary was computed.")
    history_complete: bool = Field(
        default=True,
        description="False while the status page's database is unavailable: the statuses and "
        "the banner then follow this instance's live health checks, while the bars, uptime and "
        "incidents are those last read, with the live outages added; the changes made meanwhile "
        "are written once the database is back.",
    )
    uptime: dict[Window, float | None] = Field(
        description="Overall: a moment counts as available when at least one instance was ready."
    )
    days: list[DayBar] = Field(description=f"Overall, exactly {DAYS_SHOWN}, today last.")
    checks: list[CheckStatusPublic] = Field(
        description="Failing first, then degraded, then the rest, each in registration order."
    )
    incidents: list[IncidentPublic] = Field(
        description="Ongoing first, then resolved, each newest first; at most 50."
    )
