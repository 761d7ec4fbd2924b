"""Readiness, the check list, one check, and the history of status changes.

Handlers return rendered bytes (`HealthView` through `render`) rather than a model: the probe
fast path serves the same bytes, and both media types share one route.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from petsage.check_names import CHECK_NAME_PATTERN
from petsage.features.health_checks import service
from petsage.features.health_checks.models import (
    CheckReport,
    DraftHealthReport,
    HealthEventsPublic,
    HealthReport,
    HistoryQuery,
)
from petsage.features.health_checks.render import HEALTH_JSON, render, wants_health_json
from petsage.http.dependencies import DetailsAllowedDep, HealthDep, SessionDep
from petsage.http.error_models import ValidationErrorResponse
from petsage.http.openapi import media_schema
from petsage.http.probes import RenderedResponse

PREFIX = "/system/health"
READY_PATH = f"{PREFIX}/ready"
CHECKS_PATH = f"{PREFIX}/checks"

router = APIRouter(tags=["System Health"])

ACCEPT_NOTE = f" Sent as `{HEALTH_JSON}` (the IETF draft-inadarei-api-health-check) on request."


async def _wants_health_json(request: Request) -> bool:
    # Read from the request, not declared as a header parameter: OpenAPI ignores an `Accept`
    # parameter, and declaring one documented a 422 that no request can cause.
    return wants_health_json(request.headers.get("accept"))


HealthJsonDep = Annotated[bool, Depends(_wants_health_json)]


def _documented(model: type[Any], ok: str, failing: str) -> dict[int | str, dict[str, Any]]:
    draft = {HEALTH_JSON: {"schema": media_schema(DraftHealthReport)}}
    return {
        200: {"model": model, "description": ok + ACCEPT_NOTE, "content": draft},
        503: {"model": model, "description": failing + ACCEPT_NOTE, "content": draft},
    }


@router.get(
    READY_PATH,
    summary="Readiness: may this instance receive traffic?",
    responses=_documented(
        HealthReport,
        "Ready: start-up finished and every critical check passes (`ok` or `degraded`).",
        "Not ready: `starting`, `draining`, or a critical check fails (`error`).",
    ),
)
async def get_readiness(
    health: HealthDep, details: DetailsAllowedDep, health_json: HealthJsonDep
) -> Response:
    """For Kubernetes' readinessProbe and load balancers. Answers from the latest round of
    background checks, so probes never reach the database. Failure reasons are withheld
    unless the caller may see details (`PETSAGE_HEALTH_DETAILS`)."""
    view = service.readiness_view(health, detail=details)
    return _response(render(view, health_json=health_json))


@router.get(
    CHECKS_PATH,
    summary="Every health check, critical or not",
    responses=_documented(
        HealthReport,
        "No critical check fails; a failing non-critical check makes the status `degraded`.",
        "A critical check fails, or the first round has not finished (`starting`).",
    ),
)
async def list_health_checks(
    health: HealthDep, details: DetailsAllowedDep, health_json: HealthJsonDep
) -> Response:
    """Each check's status; with detail access also its duration, last success and failure,
    observed value and error text."""
    view = service.checks_view(health, detail=details)
    return _response(render(view, health_json=health_json))


@router.get(
    CHECKS_PATH + "/{name}",
    summary="One health check",
    responses={
        **_documented(CheckReport, "The check passes (`ok` or `degraded`).", "The check fails."),
        404: {"description": "No check has that name."},
    },
)
async def get_health_check(
    name: Annotated[str, Path(pattern=CHECK_NAME_PATTERN, examples=["database"])],
    health: HealthDep,
    details: DetailsAllowedDep,
    health_json: HealthJsonDep,
) -> Response:
    """One check's latest result, for an uptime monitor watching a single dependency."""
    view = service.check_view(health, name, detail=details)
    return _response(render(view, health_json=health_json))


@router.get(
    PREFIX + "/history",
    summary="Recorded status changes, newest first",
    responses={
        # Also when `since` is later than `until`, which no parameter schema can say.
        422: {
            "model": ValidationErrorResponse,
            "description": "Invalid parameters, or `since` later than `until`.",
        },
        503: {"description": "The database holding the history is unavailable."},
    },
    # Detail fields (`instance_id`) are left unset for callers who may not see them.
    response_model_exclude_unset=True,
)
async def list_health_events(
    query: Annotated[HistoryQuery, Query()], session: SessionDep, details: DetailsAllowedDep
) -> HealthEventsPublic:
    """Every change of a check's status seen by any instance, from `health_events`, filtered
    by check and time range (`since` inclusive, `until` exclusive, both with a time zone).
    Without detail access, failure reasons are withheld and `instance_id` is left out."""
    return await service.history_page(session, query, detail=details)


def _response(rendered: RenderedResponse) -> Response:
    return Response(rendered.body, rendered.status, media_type=rendered.media_type.decode())
