"""Plain Starlette routes that record themselves in the scope, as FastAPI's own routes do,
and trailing-slash redirects that never echo the `Host` header.

FastAPI puts the `APIRoute` that answers a request in `scope["route"]`, where the metrics read
its template. It does not for a plain Starlette `Route` or `Mount` (the OpenAPI document, the
documentation assets), whose requests would then be counted as `unmatched`.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response
from starlette.routing import Match, Mount, Route, Router
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


class RelativeSlashRedirect:
    """The router's fallback: a path that matches once its trailing slash is added or removed
    gets a 307 to that path, with a relative `Location` (RFC 9110 allows a reference).

    Starlette's own redirect builds an absolute URL from the request's `Host` header, which
    the client chooses: `GET /system/health/` with `Host: evil.example` was sent to
    `http://evil.example/system/health`, a gift to cache poisoning and phishing.
    """

    def __init__(self, router: Router) -> None:
        self.router = router
        self.not_found = router.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        location = self._location(scope) if scope["type"] == "http" else None
        if location is None:
            await self.not_found(scope, receive, send)
            return
        await Response(status_code=307, headers={"location": location})(scope, receive, send)

    def _location(self, scope: Scope) -> str | None:
        path: str = scope["path"]
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        if not other:
            return None
        moved = {**scope, "path": other}
        if all(route.matches(moved)[0] is Match.NONE for route in self.router.routes):
            return None
        # The path is decoded: encoded again, and never `//host` (a reference to another
        # host) nor a backslash, which browsers read as a slash.
        location = "/" + quote(other.lstrip("/"), safe="/!$&'()*+,;=:@~")
        query: bytes = scope.get("query_string", b"")
        return f"{location}?{query.decode('latin-1')}" if query else location


def relative_slash_redirects(router: Router) -> None:
    """Answer trailing-slash redirects with a relative `Location` instead of Starlette's."""
    router.redirect_slashes = False
    router.default = RelativeSlashRedirect(router)
