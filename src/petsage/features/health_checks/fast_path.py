"""Readiness and the check list for anonymous probes, from bytes rendered once per snapshot.

`ProbeCache` re-renders both answers whenever the engine publishes a snapshot or the lifecycle
moves, so a probe costs a header scan and a clock read. It declines (returns None, and the
full route answers) whatever the route would answer differently: a request with
`Authorization`, one asking for `application/health+json`, and any request once the snapshot
is stale, whose answer depends on the time it is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from starlette.types import Scope

from petsage.blueprint import AppServices
from petsage.detail_policy import may_see_details
from petsage.features.health_checks import service
from petsage.features.health_checks.render import render
from petsage.features.health_checks.router import CHECKS_PATH, READY_PATH
from petsage.health.engine import HealthEngine
from petsage.probes import ProbeResponder, RenderedResponse


class ProbeCache:
    def __init__(self, engine: HealthEngine, *, anonymous_detail: bool) -> None:
        self.engine = engine
        self.anonymous_detail = anonymous_detail
        self.ready = self.checks = RenderedResponse(503, b"")
        self.stale_at = float("inf")
        self.rebuild()
        engine.on_snapshot(self.rebuild)
        engine.lifecycle.on_change(self.rebuild)

    def rebuild(self, *_: object) -> None:
        snapshot, detail = self.engine.snapshot, self.anonymous_detail
        now = time.monotonic()
        self.ready = render(service.readiness_view(self.engine, detail=detail, now=now))
        self.checks = render(service.checks_view(self.engine, detail=detail, now=now))
        self.stale_at = snapshot.stale_at if snapshot.started else float("inf")

    def responders(self) -> dict[str, ProbeResponder]:
        return {READY_PATH: self._responder("ready"), CHECKS_PATH: self._responder("checks")}

    def _responder(self, attribute: str) -> Callable[[Scope], RenderedResponse | None]:
        def respond(scope: Scope) -> RenderedResponse | None:
            if _needs_route(scope) or time.monotonic() >= self.stale_at:
                return None
            rendered: RenderedResponse = getattr(self, attribute)
            return rendered

        return respond


def _needs_route(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"authorization" or (name == b"accept" and b"health+json" in value.lower()):
            return True
    return False


def readiness_probes(services: AppServices) -> Mapping[str, ProbeResponder]:
    """Readiness and the check list for anonymous callers, under the configured detail policy."""
    anonymous_detail = may_see_details(services.settings, None)
    return ProbeCache(services.health, anonymous_detail=anonymous_detail).responders()
