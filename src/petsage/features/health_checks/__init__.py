"""Readiness, every check, one check and the history: `/system/health/...` beyond liveness."""

from petsage.blueprint import Feature
from petsage.features.health_checks.fast_path import readiness_probes
from petsage.features.health_checks.router import PREFIX, router

feature = Feature(
    name="health_checks",
    summary="Readiness, the health checks and their history",
    routers=(router,),
    probes=readiness_probes,
    probe_paths=(PREFIX,),
    required="readiness probes, load balancers and `petsage check ready` call it",
)
