"""Liveness on the probe fast path: the same bytes as the route, rendered once."""

from collections.abc import Mapping

from petsage.blueprint import AppServices
from petsage.features.smoke_test import service
from petsage.features.smoke_test.router import LIVENESS_PATH
from petsage.probes import ProbeResponder, RenderedResponse, constant


def liveness_probe(_: AppServices) -> Mapping[str, ProbeResponder]:
    alive = RenderedResponse(200, service.perform_system_check().model_dump_json().encode())
    return {LIVENESS_PATH: constant(alive)}
