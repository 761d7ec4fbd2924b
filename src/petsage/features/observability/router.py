"""`GET /system/info` and `GET /metrics`: thin, the facts come from the service."""

from fastapi import APIRouter, Response

from petsage.dependencies import DetailsAllowedDep, MetricsDep, SettingsDep, StartTimeDep
from petsage.features.observability import service
from petsage.features.observability.models import SystemInfo
from petsage.metrics import CONTENT_TYPE

info_router = APIRouter(prefix="/system", tags=["System"])
# Included only when PETSAGE_METRICS_ENABLED: otherwise /metrics is a plain 404.
metrics_router = APIRouter(tags=["System"])


@info_router.get("/info", summary="Build and process information")
async def get_system_info(
    settings: SettingsDep, started: StartTimeDep, details: DetailsAllowedDep, response: Response
) -> SystemInfo:
    """The running version for everyone. The git commit, Python version, start time, uptime
    and instance id only under the health detail policy (`PETSAGE_HEALTH_DETAILS`)."""
    # Uptime changes every second: a cached answer would be a wrong one.
    response.headers["Cache-Control"] = "no-store"
    return service.system_info(settings, started, details=details)


@metrics_router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text format"}},
)
async def get_metrics(metrics: MetricsDep) -> Response:
    """HTTP requests by route template, health checks and the process, in the Prometheus
    text format. Meant for a scraper inside the cluster: keep it off public ingress."""
    return Response(service.metrics_exposition(metrics), media_type=CONTENT_TYPE)
