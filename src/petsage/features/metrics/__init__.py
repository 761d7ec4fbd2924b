"""`GET /metrics`: every metric of this process in the Prometheus text format."""

from petsage.blueprint import Feature
from petsage.features.metrics.router import router
from petsage.settings import Settings


def _metrics_enabled(settings: Settings) -> bool:
    return settings.metrics_enabled


feature = Feature(
    name="metrics",
    summary="Prometheus metrics for a scraper inside the cluster",
    routers=(router,),
    # Off with PETSAGE_METRICS_ENABLED=false: then /metrics is a plain 404.
    enabled_when=_metrics_enabled,
)
