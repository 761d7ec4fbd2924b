"""Pure ASGI middleware shared by every route: cheap enough to sit in front of a probe."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from petsage.http.probes import NO_STORE, NOSNIFF, ProbePaths
from petsage.http.vary import BY_AUTHORIZATION, with_vary


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

    It also adds `Vary: Authorization` where the detail policy shaped the answer
    (`petsage.http.vary`): the one layer that sees both the route's scope and every head.

    A response without Content-Length (an event stream) has no end to wait for, so its HEAD
    answer ends with its head and the route is cancelled there. Left running, it wrote
    nothing, so it never saw the client leave (uvicorn stops reading a connection while a
    pipelined request waits behind the current one): the stream's place, the descriptor and
    the connection were held for ever, and the pipelined request never answered.
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
                await _answer_head(self.app, as_get, receive, send)
            finally:
                # The router records the matched route in the scope it is handed; the metrics
                # outside read the route template from the caller's scope.
                if "route" in as_get:
                    scope["route"] = as_get["route"]
            return
        await self.app(scope, receive, _allow_head(scope, send))


async def _answer_head(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run the GET route for a HEAD; cancel it once the answer is complete without its end."""
    head_only = _HeadOnly(scope, send)
    route = asyncio.ensure_future(app(scope, receive, head_only))
    cut = asyncio.ensure_future(head_only.cut.wait())
    try:
        await asyncio.wait((route, cut), return_when=asyncio.FIRST_COMPLETED)
    finally:
        cut.cancel()
        if not route.done():
            route.cancel()
            await asyncio.wait((route,))
    if not route.cancelled():
        route.result()  # what the route raised, for the error layers outside


class _HeadOnly:
    """The `send` of a HEAD served as GET: the GET's head, then an empty body.

    `cut` is set when the head itself completes the answer (no Content-Length: a body of
    unknown length, such as an event stream); later messages of the route are dropped.
    """

    def __init__(self, scope: Scope, send: Send) -> None:
        self.scope, self.send = scope, send
        self.cut = asyncio.Event()

    async def __call__(self, message: Message) -> None:
        if self.cut.is_set():
            return
        if message["type"] == "http.response.start":
            headers = with_vary(self.scope, _with_head_allowed(message.get("headers", ())))
            await self.send({**message, "headers": headers})
            if all(name.lower() != b"content-length" for name, _ in headers):
                await self.send(_empty_body())
                # Only once sent: the route, which runs this, is cancelled from then on.
                self.cut.set()
        elif message["type"] == "http.response.body":
            if not message.get("more_body", False):
                await self.send(_empty_body())
        else:
            await self.send(message)


def _empty_body() -> Message:
    return {"type": "http.response.body", "body": b"", "more_body": False}


def _allow_head(scope: Scope, send: Send) -> Send:
    async def send_allowing_head(message: Message) -> None:
        if message["type"] == "http.response.start":
            if message["status"] == 405:
                message["headers"] = _with_head_allowed(message.get("headers", ()))
            if scope.get(BY_AUTHORIZATION):
                message["headers"] = with_vary(scope, message.get("headers", ()))
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
