"""Plain Starlette routes that record themselves in the scope, as FastAPI's own routes do.

FastAPI puts the `APIRoute` that answers a request in `scope["route"]`, where the metrics read
its template. It does not for a plain Starlette `Route` or `Mount` (the OpenAPI document, the
documentation assets), whose requests would then be counted as `unmatched`.
"""

from __future__ import annotations

from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send


class RecordedRoute(Route):
    """A `Route` labelled by its template (`/openapi.json`) in the metrics."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self
        await super().handle(scope, receive, send)


class RecordedMount(Mount):
    """A `Mount` labelled by its template (`/docs-static/{path}`) in the metrics."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self
        await super().handle(scope, receive, send)
