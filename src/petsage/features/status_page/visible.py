"""What a viewer of the status page can see of a summary: the board's test for "changed".

Every recompute gives a new summary: its time, the seconds of an ongoing incident and the
uptime's last decimals move on their own. None of that shows (the page counts relative times
itself, uptime shows two decimals), so none of it is worth an event to every open tab: the
board compares this projection, and streams hear only of changes a viewer would see.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from petsage.features.status_page.models import DayBar, IncidentPublic, StatusSummary, Window

# Every key carries this time instead of the summary's own.
ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def visible_key(summary: StatusSummary) -> bytes:
    """`summary` as JSON with what no viewer sees left out."""
    key = summary.model_copy(
        update={
            "updated_at": ANY_TIME,
            "uptime": _shown_uptime(summary.uptime),
            "days": [_shown_day(bar) for bar in summary.days],
            "checks": [
                check.model_copy(
                    update={
                        "uptime": _shown_uptime(check.uptime),
                        "days": [_shown_day(bar) for bar in check.days],
                    }
                )
                for check in summary.checks
            ],
            "incidents": [_shown_incident(incident) for incident in summary.incidents],
        }
    )
    return key.model_dump_json().encode()


def _shown(ratio: float | None) -> float | None:
    # As wording.percent shows it: two decimals of a percentage, rounded down.
    return None if ratio is None else math.floor(ratio * 10_000) / 10_000


def _shown_uptime(uptime: dict[Window, float | None]) -> dict[Window, float | None]:
    return {window: _shown(ratio) for window, ratio in uptime.items()}


def _shown_day(bar: DayBar) -> DayBar:
    return DayBar(
        date=bar.date,
        status=bar.status,
        uptime=_shown(bar.uptime),
        seconds_ok=0,
        seconds_degraded=0,
        seconds_error=0,
        seconds_unknown=0,
        incidents=bar.incidents,
    )


def _shown_incident(incident: IncidentPublic) -> IncidentPublic:
    if incident.ended_at is not None:
        return incident
    # Going on: its seconds grow every recompute, and the page counts them from its start.
    return incident.model_copy(update={"duration_seconds": 0.0, "downtime_seconds": 0.0})
