"""A request still running when the graceful shutdown ends gets a 503 that says so, not a 500.

Once `PETSAGE_SHUTDOWN_TIMEOUT_SECONDS` has passed, uvicorn cancels the requests still in
flight. The `CancelledError` then reached uvicorn's `run_asgi`, which logged "Exception in ASGI
application" with a traceback and answered `500 Internal Server Error`. uvicorn cancels a
request's task for no other reason (a client that goes away only sets a flag), so a
cancellation that reaches the top of the app is the shutdown: the request is answered 503
with `Connection: close` if nothing was sent yet, or left for uvicorn to close its
connection if the answer had started, and the cancellation ends here, with one log line.

uvicorn starts the lifespan's shutdown right after cancelling, and the process ends with it:
a request cancelled inside the database driver (asyncpg cancels its query on the server
first) was still unwinding when the process exited, so its client saw the connection drop
without an answer (once in CI, with four test workers on two cores). The lifespan therefore
first lets the requests still in flight finish their answer, for at most a second.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from starlette.types import Message, Scope, Send

from petsage.http.errors import error_body

logger = logging.getLogger(__name__)

CUT_SHORT = "PetSage shut down before this request finished; it may be retried."
_BODY = json.dumps(error_body(503, "shutting_down", CUT_SHORT)).encode()
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_BODY)).encode()),
    (b"connection", b"close"),
    (b"retry-after", b"1"),
    (b"x-content-type-options", b"nosniff"),
]


# How long the lifespan's shutdown waits for cancelled requests to send their 503.
SETTLE_SECONDS = 1.0


class InFlight:
    """The tasks of the HTTP requests being answered, to wait for at shutdown."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[object]] = set()

    async def settle(self) -> None:
        """Wait, at most `SETTLE_SECONDS`, for the requests still running to end."""
        pending = {task for task in self.tasks if task is not asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=SETTLE_SECONDS)


async def answer_if_shut_down(
    handle: Callable[[Send], Awaitable[None]], scope: Scope, send: Send, in_flight: InFlight
) -> None:
    """Run `handle(send)` for an HTTP request; answer 503 if the shutdown cancels it."""
    task = asyncio.current_task()
    if task is not None:
        in_flight.tasks.add(task)
        try:
            await _answer(handle, scope, send)
        finally:
            in_flight.tasks.discard(task)
    else:
        await _answer(handle, scope, send)


async def _answer(handle: Callable[[Send], Awaitable[None]], scope: Scope, send: Send) -> None:
    started = False

    async def tracked_send(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await handle(tracked_send)
    except asyncio.CancelledError:
        logger.warning(
            "%s %s cut short: the graceful shutdown timeout ended before it finished",
            scope["method"], scope["path"],
        )  # fmt: skip
        if not started:
            await send({"type": "http.response.start", "status": 503, "headers": _HEADERS})
            await send({"type": "http.response.body", "body": _BODY})
        # Not re-raised: uvicorn logs a cancellation as a traceback and answers it 500. Its
        # task ends here, so nothing waits on the cancellation being seen.
