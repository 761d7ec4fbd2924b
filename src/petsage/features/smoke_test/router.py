"""`GET /system/health`: the liveness endpoint named by the seed specification."""

from fastapi import APIRouter

from petsage.features.smoke_test import service
from petsage.features.smoke_test.models import SmokeTestResponse

LIVENESS_PATH = "/system/health"

router = APIRouter(tags=["System Health"])


@router.get(
    LIVENESS_PATH,
    summary="Perform a System Health Check",
    description="This endpoint can be used by monitoring services or developers "
    "to verify that the PetSage service is running and responsive.",
)
async def get_system_health() -> SmokeTestResponse:
    """Checks if the system is alive.

    Liveness only: it never consults a database, so a database outage cannot make an
    orchestrator restart a healthy process. Dependency checks live under `/system/health/ready`.
    """
    return service.perform_system_check()
