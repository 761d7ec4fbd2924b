"""The ceiling PetSage is measured against, a factory for `uvicorn --factory`.

`raw_asgi` is the cheapest possible ASGI answer with the same bytes (status, headers and body)
as PetSage's `/system/health`. It imports no framework, so that its start-up time and memory
are uvicorn's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

ALIVE = b'{"status":"ok","message":"PetSage system is alive and purring!"}'
ALIVE_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(ALIVE)).encode()),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
]


async def raw_liveness(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await answer_lifespan(receive, send)
        return
    await send({"type": "http.response.start", "status": 200, "headers": ALIVE_HEADERS})
    await send({"type": "http.response.body", "body": ALIVE})


async def answer_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def raw_asgi() -> ASGIApp:
    return raw_liveness


def bare_fastapi() -> ASGIApp:
    """`bare_fastapi.app` for `uvicorn --factory`, imported only by the server that runs it."""
    from bare_fastapi import app  # noqa: PLC0415

    return app
