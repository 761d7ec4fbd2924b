"""Live updates: Server-Sent Events pushed on every change of the status board.

Each stream waits on `StatusBoard.wait_for_change`, which the health engine's listener drives;
nothing polls the database. Streams are capped per process (`PETSAGE_STATUS_MAX_STREAMS`): past
the cap, or once closing, a new stream gets 503 and the page polls instead. uvicorn's graceful
shutdown waits for every open response, and an event stream never ends by itself, so the hub
ends them all when the process starts stopping (`Lifecycle.on_stopping`: SIGTERM or SIGINT,
draining or not; the platform handles the signals).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from petsage.blueprint import AppServices
from petsage.errors import PetSageError
from petsage.features.status_page.board import StatusBoard
from petsage.features.status_page.settings import StatusPageSettings

# Proxies (nginx, AWS ALB: 60 s) drop a connection idle for a minute; a comment keeps it open.
KEEPALIVE_SECONDS = 15.0
# How long a browser's EventSource waits before reconnecting after the stream ends.
RETRY_MILLISECONDS = 5000


class StreamsUnavailableError(PetSageError):
    status_code = 503
    code = "streams_unavailable"
    # As long as a browser's EventSource waits before it tries again.
    retry_after_seconds = RETRY_MILLISECONDS // 1000


class StreamHub:
    """Counts the open event streams and ends them all when the instance stops serving."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        # Read with `open` when /metrics is scraped (petsage_event_streams_refused_total).
        self.refused = {"limit": 0, "draining": 0}
        self.closing = asyncio.Event()

    def admit(self) -> None:
        if self.closing.is_set():
            self.refused["draining"] += 1
            raise StreamsUnavailableError("This instance is shutting down: poll instead.")
        if self.open >= self.limit:
            self.refused["limit"] += 1
            raise StreamsUnavailableError("Too many live streams: poll instead.")
        self.open += 1

    def release(self) -> None:
        self.open -= 1

    def close_all(self) -> None:
        self.closing.set()


def summary_event(board: StatusBoard, version: int, *, detail: bool, first: bool) -> bytes:
    retry = f"retry: {RETRY_MILLISECONDS}\n" if first else ""
    head = f"{retry}id: {version}\nevent: summary\ndata: ".encode()
    # The JSON the board rendered once for everyone: no newline in it ends the event early.
    return head + board.rendered(detail=detail) + b"\n\n"


class EventStream(Response):
    """A `text/event-stream` answer holding one of the hub's places until it ends."""

    media_type = "text/event-stream"

    def __init__(self, hub: StreamHub, board: StatusBoard, *, detail: bool) -> None:
        super().__init__(
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
            media_type="text/event-stream; charset=utf-8",
        )
        # Starlette counted an empty body: a stream has no length.
        self.raw_headers = [h for h in self.raw_headers if h[0] != b"content-length"]
        self.hub, self.board, self.detail = hub, board, detail

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            if await self._pump(receive, send):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.hub.release()

    async def _pump(self, receive: Receive, send: Send) -> bool:
        """Send events until the hub closes (True) or the client goes away (False)."""
        version = self.board.version
        await self._send(send, summary_event(self.board, version, detail=self.detail, first=True))
        ended = {
            asyncio.ensure_future(_disconnected(receive)),
            asyncio.ensure_future(self.hub.closing.wait()),
        }
        change = asyncio.ensure_future(self.board.wait_for_change(version))
        try:
            while True:
                done, _ = await asyncio.wait(
                    {change, *ended}, timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                if done & ended:
                    return self.hub.closing.is_set()
                if change in done:
                    version = change.result()
                    change = asyncio.ensure_future(self.board.wait_for_change(version))
                    event = summary_event(self.board, version, detail=self.detail, first=False)
                    await self._send(send, event)
                else:
                    await self._send(send, b": heartbeat\n\n")
        finally:
            for task in (change, *ended):
                task.cancel()

    @staticmethod
    async def _send(send: Send, chunk: bytes) -> None:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


@asynccontextmanager
async def live_streams(services: AppServices) -> AsyncIterator[StreamHub]:
    """The hub, for as long as the app serves; its streams end when the process stops."""
    hub = StreamHub(services.settings_of(StatusPageSettings).max_streams)
    services.health.lifecycle.on_stopping(hub.close_all)
    if services.metrics is not None:
        services.metrics.watch_streams(hub)
    try:
        yield hub
    finally:
        hub.close_all()
