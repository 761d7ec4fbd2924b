"""`GET /metrics`: thin, the exposition comes from the service."""

from fastapi import APIRouter, Response

from petsage.dependencies import MetricsDep
from petsage.features.metrics import service
from petsage.metrics import CONTENT_TYPE

router = APIRouter(tags=["System"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text format"}},
)
async def get_metrics(metrics: MetricsDep) -> Response:
    """HTTP requests by route template, health checks and the process, in the Prometheus
    text format. Meant for a scraper inside the cluster: keep it off public ingress."""
    return Response(service.metrics_exposition(metrics), media_type=CONTENT_TYPE)
