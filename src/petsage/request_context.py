"""Request ids and the access log: one pure ASGI middleware, outermost in the stack.

Every request gets an id: the caller's `X-Request-ID` when it is a valid UUID (so a gateway's
or another service's id carries through), a fresh uuid4 otherwise. The id is returned in the
response and held in a context variable for the request's task, so every log line written
while the request runs carries it (`petsage.logs` reads `current_request_id`).
"""

from __future__ import annotations

import json
import logging
import os
import re
from contextvars import ContextVar
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from petsage.errors import error_body
from petsage.middleware import NOSNIFF, is_probe_path

REQUEST_ID_HEADER = b"x-request-id"
# The canonical 8-4-4-4-12 form only: anything longer or looser is a value we will not echo.
_UUID = re.compile(rb"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
# The error handler's 500, rendered once: sent when an exception escapes before any response.
_INTERNAL_ERROR = json.dumps(
    error_body(500, "internal_error", "Internal server error."), separators=(",", ":")
).encode()

_request_id: ContextVar[str | None] = ContextVar("petsage_request_id", default=None)
access_logger = logging.getLogger("petsage.access")


def current_request_id() -> str | None:
    """The id of the request being served in this task, or None outside a request."""
    return _request_id.get()


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's `X-Request-ID` when it is a valid UUID (lowercased), else a new uuid4."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if _UUID.fullmatch(value):
                return value.decode("ascii").lower()
            break
    return new_request_id()


def new_request_id() -> str:
    """A random (version 4) UUID in canonical form, from the OS's random source.

    Half the cost of `str(uuid.uuid4())`, which builds a UUID object first; it runs on every
    request that arrives without an id.
    """
    digits = os.urandom(16).hex()
    variant = "89ab"[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:32]}"


class RequestContextMiddleware:
    """Assigns the request id, returns it in `X-Request-ID` and writes one access log line.

    Probes stay out of the access log unless `access_log_probes`: orchestrators send them
    every few seconds and operators drown in them. Starlette's ServerErrorMiddleware sits
    outside every user middleware, so an unhandled exception passes through here first: we
    answer the 500 ourselves (so that it carries the request id), log it and re-raise, and
    ServerErrorMiddleware, seeing the response started, only logs it.
    """

    def __init__(self, app: ASGIApp, *, access_log_probes: bool = False) -> None:
        self.app = app
        self.access_log_probes = access_log_probes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Read before the call: HeadAsGetMiddleware rewrites HEAD to GET in this very scope.
        method: str = scope["method"]
        request_id = request_id_from(scope["headers"])
        token = _request_id.set(request_id)
        id_header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        started = perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if status == 0:
                await _send_internal_error(send, id_header)
            self._log_access(scope, method, 500, started)
            # The context variable stays set: ServerErrorMiddleware logs the error after us,
            # and that line should carry the id too. The task ends with the request anyway.
            raise
        self._log_access(scope, method, status, started)
        _request_id.reset(token)

    def _log_access(self, scope: Scope, method: str, status: int, started: float) -> None:
        path: str = scope["path"]
        if not self.access_log_probes and is_probe_path(path):
            return
        if not access_logger.isEnabledFor(logging.INFO):
            return
        duration_ms = round((perf_counter() - started) * 1000, 2)
        client = scope.get("client")
        fields = {
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "client": client[0] if client else None,
        }
        # makeRecord and handle are what `info` does, minus the stack walk that finds the
        # caller's file and line: every access line would pay for a location it never shows.
        record = access_logger.makeRecord(
            access_logger.name,
            logging.INFO,
            __file__,
            0,
            "%s %s %d %.2fms",
            (method, path, status, duration_ms),
            None,
            extra=fields,
        )
        access_logger.handle(record)


async def _send_internal_error(send: Send, id_header: tuple[bytes, bytes]) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_INTERNAL_ERROR)).encode()),
        NOSNIFF,
        id_header,
    ]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": _INTERNAL_ERROR})
