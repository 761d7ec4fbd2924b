"""Liveness: `GET /system/health` answers whenever the process can serve.

The seed specification's reference feature: every other feature follows its shape.
"""

from petsage.blueprint import Feature
from petsage.features.smoke_test.probes import liveness_probe
from petsage.features.smoke_test.router import LIVENESS_PATH, router

feature = Feature(
    name="smoke_test",
    summary="Liveness: is the process alive?",
    routers=(router,),
    probes=liveness_probe,
    probe_paths=(LIVENESS_PATH,),
    required="Kubernetes' livenessProbe and the container's HEALTHCHECK call it",
)
