"""`MetricsDep`: this app's metrics registry, for the one route that exposes it."""

from typing import Annotated

from fastapi import Depends

from petsage.blueprint.feature import METRICS
from petsage.observability.metrics import Metrics

# Put by the factory whenever a feature exports metrics, as this one does.
MetricsDep = Annotated[Metrics, Depends(METRICS.dependency)]
