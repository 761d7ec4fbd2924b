"""`GET /system/info`: thin, the facts come from the service."""

from fastapi import APIRouter, Response

from petsage.dependencies import DetailsAllowedDep, SettingsDep, StartTimeDep
from petsage.features.system_info import service
from petsage.features.system_info.models import SystemInfo

router = APIRouter(prefix="/system", tags=["System"])


@router.get("/info", summary="Build and process information")
async def get_system_info(
    settings: SettingsDep, started: StartTimeDep, details: DetailsAllowedDep, response: Response
) -> SystemInfo:
    """The running version for everyone. The git commit, Python version, start time, uptime
    and instance id only under the health detail policy (`PETSAGE_HEALTH_DETAILS`)."""
    # Uptime changes every second: a cached answer would be a wrong one.
    response.headers["Cache-Control"] = "no-store"
    return service.system_info(settings, started, details=details)
