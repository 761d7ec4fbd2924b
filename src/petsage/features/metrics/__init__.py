"""`GET /metrics`: every metric of this process in the Prometheus text format.

The platform records metrics (requests, health, the process) only while a feature exports
them: this one, unless PETSAGE_METRICS_ENABLED=false.
"""

from petsage.blueprint import Feature
from petsage.features.metrics.router import router
from petsage.features.metrics.settings import MetricsSettings, export, metrics_enabled

feature = Feature(
    name="metrics",
    summary="Prometheus metrics for a scraper inside the cluster",
    routers=(router,),
    settings=MetricsSettings,
    # Off with PETSAGE_METRICS_ENABLED=false: then /metrics is a plain 404.
    enabled_when=metrics_enabled,
    metrics_export=export,
)
