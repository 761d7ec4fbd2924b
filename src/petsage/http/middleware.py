"""Pure ASGI middleware shared by every route: cheap enough to sit in front of a probe."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from petsage.http.probes import NO_STORE, NOSNIFF, ProbePaths


class ResponseHeadersMiddleware:
    """Adds `X-Content-Type-Options: nosniff` everywhere and `Cache-Control: no-store` on probes.

    A cached health answer is a wrong health answer, so probes must never be stored by a proxy.
    """

    def __init__(self, app: ASGIApp, *, probe_paths: ProbePaths) -> None:
        self.app = app
        self.probe_paths = probe_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        probe = scope["path"] in self.probe_paths

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_response_headers(message.get("headers", ()), probe)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_response_headers(
    headers: Iterable[tuple[bytes, bytes]], probe: bool, *extra: tuple[bytes, bytes]
) -> list[tuple[bytes, bytes]]:
    """`headers` plus `nosniff`, `no-store` on a probe (replacing any other Cache-Control),
    and `extra`. Shared with the request context middleware, which takes this layer's place
    when observability is on."""
    if probe:
        headers = [h for h in headers if h[0].lower() != b"cache-control"]
        return [*headers, NO_STORE, NOSNIFF, *extra]
    return [*headers, NOSNIFF, *extra]


class HeadAsGetMiddleware:
    """Answers HEAD wherever GET is answered, as RFC 9110 asks and uptime monitors expect.

    FastAPI routes accept only the methods they declare, so HEAD is served as GET with the
    body dropped (headers, including Content-Length, unchanged). A 405's `Allow` header gains
    HEAD wherever it lists GET.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            # On a copy: the server reads the method from the scope it passed in to know that
            # the response has no body (uvicorn otherwise waits for Content-Length bytes,
            # raises, and drops the connection), and the request context layer outside logs
            # and counts the method the client sent.
            as_get = {**scope, "method": "GET"}
            try:
                await self.app(as_get, receive, _drop_body(send))
            finally:
                # The router records the matched route in the scope it is handed; the metrics
                # outside read the route template from the caller's scope.
                if "route" in as_get:
                    scope["route"] = as_get["route"]
            return
        await self.app(scope, receive, _allow_head(send))


def _drop_body(send: Send) -> Send:
    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        elif message["type"] == "http.response.start":
            message["headers"] = _with_head_allowed(message.get("headers", ()))
        await send(message)

    return send_headers_only


def _allow_head(send: Send) -> Send:
    async def send_allowing_head(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 405:
            message["headers"] = _with_head_allowed(message.get("headers", ()))
        await send(message)

    return send_allowing_head


def _with_head_allowed(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [
        (name, _add_head(value) if name.lower() == b"allow" else value) for name, value in headers
    ]


def _add_head(allow: bytes) -> bytes:
    methods = [method.strip() for method in allow.split(b",") if method.strip()]
    if b"GET" in methods and b"HEAD" not in methods:
        methods.append(b"HEAD")
    return b", ".join(methods)
