"""Readiness and the check list from bytes rendered once per snapshot, for every caller.

`ProbeCache` renders each answer in every form a caller can get (anonymous or with details,
JSON or `application/health+json`) whenever the engine publishes a snapshot or the lifecycle
moves. A probe then costs a header scan, the detail policy's constant-time token check and a
clock read, whoever sends it: dashboards and monitoring tools carry a token or ask for
health+json, and a storm of them must not cost a full route each. The responder applies the
same policy and the same `Accept` negotiation as the route, so a wrong token gets the
anonymous bytes. It declines (returns None, and the full route answers) once the snapshot is
stale, because that answer depends on the time it is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace

from starlette.types import Scope

from petsage.blueprint import AppServices
from petsage.features.health_checks import service
from petsage.features.health_checks.render import render, wants_health_json
from petsage.features.health_checks.router import CHECKS_PATH, READY_PATH
from petsage.features.health_checks.service import HealthView
from petsage.health.engine import HealthEngine
from petsage.http.detail_policy import access_token, depends_on_authorization, may_see_details
from petsage.http.probes import ProbeResponder, RenderedResponse
from petsage.http.vary import VARY_BY_AUTHORIZATION
from petsage.settings import Settings

# The request headers that choose among the forms.
NEGOTIATED = frozenset({b"authorization", b"accept"})
# An answer in each form, keyed by (may see details, health+json).
Forms = dict[tuple[bool, bool], RenderedResponse]
ViewBuilder = Callable[..., HealthView]


class ProbeCache:
    def __init__(self, engine: HealthEngine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.anonymous_detail = may_see_details(settings, None)
        # As the route's answers carry it (`petsage.http.vary`).
        self.vary = (VARY_BY_AUTHORIZATION,) if depends_on_authorization(settings) else ()
        self.forms: dict[str, Forms] = {}
        self.stale_at = float("inf")
        self.rebuild()
        engine.on_snapshot(self.rebuild)
        engine.lifecycle.on_change(self.rebuild)

    def rebuild(self, *_: object) -> None:
        snapshot, now = self.engine.snapshot, time.monotonic()
        self.forms = {
            READY_PATH: self._render(service.readiness_view, now),
            CHECKS_PATH: self._render(service.checks_view, now),
        }
        self.stale_at = snapshot.stale_at if snapshot.started else float("inf")

    def _render(self, build: ViewBuilder, now: float) -> Forms:
        forms: Forms = {}
        for detail in (False, True):
            view = build(self.engine, detail=detail, now=now)
            for health_json in (False, True):
                rendered = render(view, health_json=health_json)
                forms[detail, health_json] = replace(rendered, extra_headers=self.vary)
        return forms

    def responders(self) -> dict[str, ProbeResponder]:
        return {path: self._responder(path) for path in (READY_PATH, CHECKS_PATH)}

    def _responder(self, path: str) -> ProbeResponder:
        def respond(scope: Scope) -> RenderedResponse | None:
            if time.monotonic() >= self.stale_at:
                return None
            for name, _ in scope["headers"]:
                if name in NEGOTIATED:
                    return self._negotiated(path, scope)
            # What kubelets and load balancers send: nothing to parse. Inlined, as liveness
            # got 30% cheaper with the probe lane and readiness must stay within 5% of it.
            return self.forms[path][self.anonymous_detail, False]

        return respond

    def _negotiated(self, path: str, scope: Scope) -> RenderedResponse | None:
        authorization, accept = _authorization_and_accept(scope)
        if authorization is None:
            detail = self.anonymous_detail
        elif may_see_details(self.settings, authorization):
            detail = True
        elif access_token(self.settings, authorization) is not None:
            # An access token is verified by the route (a signature, maybe a key fetch): the
            # lane answers only what it can without waiting. Probes send no token at all.
            return None
        else:
            detail = False
        return self.forms[path][detail, wants_health_json(accept)]


def _authorization_and_accept(scope: Scope) -> tuple[str | None, str | None]:
    """The first `Authorization` and `Accept` headers, as the route reads them (latin-1)."""
    authorization = accept = None
    for name, value in scope["headers"]:
        if name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
        elif name == b"accept" and accept is None:
            accept = value.decode("latin-1")
    return authorization, accept


def readiness_probes(services: AppServices) -> Mapping[str, ProbeResponder]:
    """Readiness and the check list for every caller, under the configured detail policy."""
    return ProbeCache(services.health, services.settings).responders()
