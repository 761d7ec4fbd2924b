"""`MetricsDep`: this app's metrics registry, for the one route that exposes it."""

from typing import Annotated

from fastapi import Depends, Request

from petsage.observability.metrics import Metrics


def _metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


# Declared here, not in petsage.http.dependencies: the HTTP layer sits below observability.
MetricsDep = Annotated[Metrics, Depends(_metrics)]
