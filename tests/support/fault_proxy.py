"""A TCP proxy on 127.0.0.1 that can turn into a black hole, for PetSage-to-PostgreSQL faults.

`forward` relays bytes both ways. `black_hole` is the network fault a readiness probe exists
for: the listener still accepts and reads, but nothing answers; connections already open stop
relaying in both directions without being closed (what a dropped route or a frozen firewall
looks like from either end). Back in `forward`, the bytes held meanwhile are delivered in
order, as TCP retransmission would after a partition heals. A connection accepted during the
black hole never reaches the server and never gets an answer, whatever happens later.

The proxy counts the connections open from the client side (a client that abandons sockets
without closing them shows up here) and, through `pg_wire`, the statements the client sends.
It runs its own asyncio loop in a daemon thread, so blocking test code can drive it, and it is
bounded: a fixed number of connections and of bytes held per direction.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any, Self, TypeVar

from tests.support.pg_wire import FrontendStream, MessageTally

READ_SIZE = 64 * 1024
MAX_HELD_BYTES = 1024 * 1024
MAX_CONNECTIONS = 128
CONNECT_TIMEOUT_SECONDS = 2.0

T = TypeVar("T")


class Direction:
    """One way of one connection: a reader that never stops, a writer behind the gate."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        gate: asyncio.Event,
        on_deliver: Callable[[bytes], None],
    ) -> None:
        self.reader, self.writer, self.gate = reader, writer, gate
        self.on_deliver = on_deliver
        self.held = bytearray()
        self.eof = False
        self.wake = asyncio.Event()
        self.room = asyncio.Event()

    async def read(self) -> None:
        """Read until end of stream, holding at most MAX_HELD_BYTES not yet delivered."""
        while True:
            while len(self.held) >= MAX_HELD_BYTES:
                self.room.clear()
                await self.room.wait()
            try:
                data = await self.reader.read(READ_SIZE)
            except OSError:
                data = b""  # a reset ends the stream like a close does
            if not data:
                self.eof = True
                self.wake.set()
                return
            self.held += data
            self.wake.set()

    async def write(self) -> None:
        """Deliver held bytes while the gate is open; pass the end of stream on last."""
        while True:
            if self.gate.is_set() and self.held:
                chunk = bytes(self.held)
                self.held.clear()
                self.room.set()
                self.on_deliver(chunk)
                self.writer.write(chunk)
                await self.writer.drain()
                continue
            if self.gate.is_set() and self.eof:
                return
            self.wake.clear()
            await self.wake.wait()


class FaultProxy:
    """Relays 127.0.0.1:`port` to `upstream`; `black_hole()` and `forward()` switch modes."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.tally = MessageTally()
        self.port = 0
        self.open_connections = 0
        self.accepted_connections = 0
        self.peak_open_connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._gate = asyncio.Event()
        self._directions: set[Direction] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    # --- control, from any thread --------------------------------------------------------

    def start(self) -> Self:
        self._thread.start()
        self.port = self._call(self._listen)
        return self

    def black_hole(self) -> None:
        self._call(self._set_flowing, False)

    def forward(self) -> None:
        self._call(self._set_flowing, True)

    @property
    def statements(self) -> int:
        """Statements (Query and Execute messages) delivered to the server so far."""
        return self.tally.statements

    def wait_for_open_connections(self, at_most: int, timeout: float) -> int:
        """Poll until at most `at_most` client connections are open; return the last count."""
        deadline = time.monotonic() + timeout
        while self.open_connections > at_most and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.open_connections

    def wait_for_accepted(self, count: int, timeout: float) -> int:
        """Poll until `count` connections have been accepted in all; return the last count."""
        deadline = time.monotonic() + timeout
        while self.accepted_connections < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.accepted_connections

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        with suppress(RuntimeError, TimeoutError):
            self._call(self._shutdown)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, function: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        future = asyncio.run_coroutine_threadsafe(function(*args), self._loop)
        return future.result(timeout=10)

    # --- the loop's side -----------------------------------------------------------------

    async def _listen(self) -> int:
        self._gate.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _set_flowing(self, flowing: bool) -> None:
        if flowing:
            self._gate.set()
        else:
            self._gate.clear()
        for direction in self._directions:
            direction.wake.set()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.accepted_connections += 1
        self.open_connections += 1
        self.peak_open_connections = max(self.peak_open_connections, self.open_connections)
        try:
            if self.open_connections <= MAX_CONNECTIONS:
                await self._serve_connection(reader, writer)
        except (OSError, asyncio.IncompleteReadError):
            pass  # a reset from either side ends the connection like a close does
        finally:
            self.open_connections -= 1
            self._tasks.discard(task)
            writer.close()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if not self._gate.is_set():
            # Accepted inside the black hole: read and discard, never answer, until the
            # client gives up.
            while await reader.read(READ_SIZE):
                pass
            return
        try:
            upstream = await asyncio.wait_for(
                asyncio.open_connection(*self.upstream), CONNECT_TIMEOUT_SECONDS
            )
        except (OSError, TimeoutError):
            return  # the server is down: the client sees its connection closed at once
        await self._relay(reader, writer, *upstream)

    async def _relay(
        self,
        client_reader: asyncio.StreamReader,
        client_writer: asyncio.StreamWriter,
        server_reader: asyncio.StreamReader,
        server_writer: asyncio.StreamWriter,
    ) -> None:
        stream = FrontendStream(self.tally)
        to_server = Direction(client_reader, server_writer, self._gate, stream.client_bytes)
        to_client = Direction(server_reader, client_writer, self._gate, stream.server_bytes)
        self._directions |= {to_server, to_client}
        client_gone = asyncio.ensure_future(to_server.read())
        parts = [client_gone, to_server.write(), to_client.read(), to_client.write()]
        tasks = [asyncio.ensure_future(part) for part in parts]
        try:
            # The client closing is what ends a connection; the server closing ends it once
            # the client has been told (after the black hole, if there is one).
            await asyncio.wait([client_gone, tasks[3]], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._directions -= {to_server, to_client}
            server_writer.close()
