"""`GET /system/status.json`: the data behind the status page."""

from fastapi import APIRouter, Request, Response

from petsage.features.status_page.caching import cache_control
from petsage.features.status_page.conditional import conditional
from petsage.features.status_page.dependencies import StatusBoardDep
from petsage.features.status_page.models import StatusSummary
from petsage.http.dependencies import DetailsAllowedDep, SettingsDep

STATUS_PATH = "/system/status"
JSON_PATH = f"{STATUS_PATH}.json"

api_router = APIRouter(tags=["Status Page"])


# The model documents the answer; the board renders its bytes once per change.
@api_router.get(
    JSON_PATH,
    summary="The status page's data",
    responses={
        200: {"model": StatusSummary, "description": "The latest summary."},
        304: {"description": "Not modified: the `If-None-Match` tag is the current one."},
    },
)
async def get_status_summary(
    request: Request, board: StatusBoardDep, details: DetailsAllowedDep, settings: SettingsDep
) -> Response:
    """Current statuses, uptime per window, 90 daily bars and the latest incidents, overall and
    per check. Served from a summary computed in the background: reading it never runs a check
    or queries the database. Reasons only for callers allowed details (the health detail
    policy). Gzipped on request; `If-None-Match` with its `ETag` answers 304."""
    headers = {"cache-control": cache_control(settings, detail=details)}
    body = board.rendered(detail=details)
    return conditional(request, body, media_type="application/json", headers=headers)
