"""Live updates: Server-Sent Events pushed on every change of the status board.

Each stream waits on `StatusBoard.wait_for_change`, which the health engine's listener drives;
nothing polls the database, and the board bumps its version only when something a viewer sees
changes. Streams are capped per process (`PETSAGE_STATUS_MAX_STREAMS`): past the cap a new
stream gets 503 and the page polls instead (and reopens the stream after a poll succeeds).

A deploy must not end live updates. uvicorn's graceful shutdown waits for every open response,
and an event stream never ends by itself, so the hub ends them all when the process starts
stopping (`Lifecycle.on_stopping`: SIGTERM or SIGINT, draining or not; the platform handles the
signals), each with a last `reconnect` event. A stream asked for meanwhile gets 200 with that
event alone: any status but 200 ends a browser's EventSource for good (HTML, 9.2.3), while an
ended 200 makes it come back after `retry`, to whichever instance then serves.

`?view=board` streams `board` events instead of `summary`: the page's own board as HTML, which
status.js swaps in without fetching anything. A stream goes gzipped to a client that accepts
it, flushed after every event.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from enum import StrEnum

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
        """Take a place, or refuse past the cap; while closing, the stream says reconnect."""
        if self.closing.is_set():
            self.refused["draining"] += 1  # answered 200 with `reconnect` (see the module)
            return
        if self.open >= self.limit:
            self.refused["limit"] += 1
            raise StreamsUnavailableError("Too many live streams: poll instead.")
        self.open += 1

    def release(self) -> None:
        self.open -= 1

    def close_all(self) -> None:
        self.closing.set()


RETRY = f"retry: {RETRY_MILLISECONDS}\n".encode()
# The last event of a stream that ends because this instance stops: come back (elsewhere).
RECONNECT = RETRY + b"event: reconnect\ndata: this instance is stopping\n\n"
# What a viewer sees as HTML, for `?view=board` (set by the feature's views).
BoardHtml = Callable[[bool], bytes]


class View(StrEnum):
    SUMMARY = "summary"
    BOARD = "board"


def summary_event(board: StatusBoard, version: int, *, detail: bool, first: bool) -> bytes:
    retry = RETRY if first else b""
    head = retry + f"id: {version}\nevent: summary\ndata: ".encode()
    # The JSON the board rendered once for everyone: no newline in it ends the event early.
    return head + board.rendered(detail=detail) + b"\n\n"


def board_event(html: bytes, version: int, *, first: bool) -> bytes:
    """The board's HTML as one event: every line its own `data:` (the browser joins them)."""
    retry = RETRY if first else b""
    lines = b"".join(b"data: " + line + b"\n" for line in html.split(b"\n"))
    return retry + f"id: {version}\nevent: board\n".encode() + lines + b"\n"


class EventStream(Response):
    """A `text/event-stream` answer holding one of the hub's places until it ends."""

    media_type = "text/event-stream"

    def __init__(
        self,
        hub: StreamHub,
        board: StatusBoard,
        *,
        detail: bool,
        gzipped: bool = False,
        board_html: BoardHtml | None = None,
    ) -> None:
        headers = {
            "cache-control": "no-store",
            "x-accel-buffering": "no",
            "vary": "accept-encoding",
        }
        if gzipped:
            headers["content-encoding"] = "gzip"
        super().__init__(headers=headers, media_type="text/event-stream; charset=utf-8")
        # Starlette counted an empty body: a stream has no length.
        self.raw_headers = [h for h in self.raw_headers if h[0] != b"content-length"]
        self.hub, self.board, self.detail, self.board_html = hub, board, detail, board_html
        # wbits 31: a gzip member; each event is flushed whole (Z_SYNC_FLUSH) so it arrives now.
        self._gzip = zlib.compressobj(6, zlib.DEFLATED, 31) if gzipped else None
        # Admitted while closing: say reconnect and end, holding no place.
        self.placed = not hub.closing.is_set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            if not self.placed or await self._pump(receive, send):
                await self._send(send, RECONNECT)
                await self._finish(send)
        finally:
            if self.placed:
                self.hub.release()

    def _event(self, version: int, *, first: bool) -> bytes:
        if self.board_html is None:
            return summary_event(self.board, version, detail=self.detail, first=first)
        return board_event(self.board_html(self.detail), version, first=first)

    async def _pump(self, receive: Receive, send: Send) -> bool:
        """Send events until the hub closes (True) or the client goes away (False)."""
        version = self.board.version
        await self._send(send, self._event(version, first=True))
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
                    await self._send(send, self._event(version, first=False))
                else:
                    await self._send(send, b": heartbeat\n\n")
        finally:
            for task in (change, *ended):
                task.cancel()

    async def _send(self, send: Send, chunk: bytes) -> None:
        if self._gzip is not None:
            chunk = self._gzip.compress(chunk) + self._gzip.flush(zlib.Z_SYNC_FLUSH)
        await send({"type": "http.response.body", "body": chunk, "more_body": True})

    async def _finish(self, send: Send) -> None:
        tail = b"" if self._gzip is None else self._gzip.flush(zlib.Z_FINISH)
        await send({"type": "http.response.body", "body": tail, "more_body": False})


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
