"""A `HealthView` as bytes: plain JSON, or the IETF draft's `application/health+json`.

The probe fast path and the FastAPI routes both render through `render`, so they cannot
disagree. Detail fields are left out of the body unless the view grants detail.
"""

from __future__ import annotations

from typing import Any

from petsage import __version__
from petsage.features.health_checks.models import (
    CheckReport,
    DraftCheck,
    DraftHealthReport,
    DraftStatus,
    HealthReport,
)
from petsage.features.health_checks.service import REASON_WITHHELD, HealthView
from petsage.health.check import Check
from petsage.health.model import CheckResult, Status
from petsage.http.probes import RenderedResponse

JSON = "application/json"
HEALTH_JSON = "application/health+json"
SERVICE_ID = "petsage"
_DRAFT_STATUS: dict[str, DraftStatus] = {"ok": "pass", "degraded": "warn"}


def render(view: HealthView, *, health_json: bool = False) -> RenderedResponse:
    if health_json:
        body = draft_report(view).model_dump_json(exclude_none=True)
        return RenderedResponse(view.http_status, body.encode(), HEALTH_JSON.encode())
    model = check_report(*view.entries[0], view.detail) if view.single else health_report(view)
    return RenderedResponse(view.http_status, model.model_dump_json(exclude_unset=True).encode())


def wants_health_json(accept: str | None) -> bool:
    """Whether `Accept` asks for `application/health+json` (with a q-value above zero)."""
    if not accept or "health+json" not in accept.lower():
        return False
    for item in accept.lower().split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if media == HEALTH_JSON and "q=0" not in params and "q=0.0" not in params:
            return True
    return False


def health_report(view: HealthView) -> HealthReport:
    return HealthReport(
        status=view.status,
        message=view.message,
        checks=[check_report(check, result, view.detail) for check, result in view.entries],
    )


def check_report(check: Check, result: CheckResult, detail: bool) -> CheckReport:
    """Only the fields set here are rendered (`exclude_unset`): details appear, even as null,
    only for callers who may see them, and `reason` only when the check is not ok."""
    fields: dict[str, Any] = {"name": check.name, "status": result.status}
    fields["critical"] = check.critical
    reason = _reason(result, detail)
    if reason is not None:
        fields["reason"] = reason
    if detail:
        fields.update(
            duration_ms=round(result.duration_seconds * 1000, 3),
            checked_at=result.checked_at,
            last_success_at=result.last_success_at,
            last_failure_at=result.last_failure_at,
            observed_value=result.observed_value,
            observed_unit=result.observed_unit,
        )
    return CheckReport(**fields)


def draft_report(view: HealthView) -> DraftHealthReport:
    status = _DRAFT_STATUS.get(view.status, "fail")
    return DraftHealthReport(
        status=status,
        version=__version__.split(".")[0],
        release_id=__version__,
        service_id=SERVICE_ID,
        description="PetSage API",
        output=None if status == "pass" else view.message,
        checks={
            f"{check.name}:{check.measurement}": [_draft_check(check, result, view.detail)]
            for check, result in view.entries
        },
    )


def _draft_check(check: Check, result: CheckResult, detail: bool) -> DraftCheck:
    return DraftCheck(
        component_id=check.name,
        component_type=check.component_type,
        status=_DRAFT_STATUS.get(result.status.value, "fail"),
        observed_value=result.observed_value if detail else None,
        observed_unit=result.observed_unit if detail else None,
        time=result.checked_at if detail else None,
        output=_reason(result, detail),
    )


def _reason(result: CheckResult, detail: bool) -> str | None:
    if result.status is Status.OK:
        return None
    if not detail:
        return REASON_WITHHELD
    return result.error or result.status.value
