"""SQLite connections opened by PetSage's engines, so that disposing of one waits for its threads.

aiosqlite runs each connection on a thread of its own. A task cancelled while that thread works
(a health check at its timeout, a request or a background task at shutdown) abandons the
connection: SQLAlchemy stops it without waiting, and the thread, once its work is done, hands
the result to the event loop. When that loop has closed meanwhile (the server has stopped, a
test's loop has ended), the thread dies on "Event loop is closed" and Python prints its
traceback. A loop that cancelled a connection or a `SELECT 1` a moment after starting it, then
disposed of the engine and closed, met that in 76 of 140 runs; waiting here for the stopped
threads, in none. CI met it as a test failed by another test's thread.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary, WeakSet

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    import aiosqlite

# A stopped thread finishes the statement it was running first: bounded by the busy timeout
# (5 s by default) on a locked file, a few milliseconds otherwise.
STOPPED_THREADS_WAIT_SECONDS = 5.0


class SqliteConnector:
    """An engine's `async_creator`: opens aiosqlite connections and remembers them.

    Made before its engine, then `attach`ed to it, whose dialect says how to connect to its URL.
    """

    def __init__(self, busy_timeout_seconds: float) -> None:
        self._busy_timeout_seconds = busy_timeout_seconds
        self._args: tuple[Any, ...] = ()
        self._kwargs: dict[str, Any] = {}
        self._opened: WeakSet[aiosqlite.Connection] = WeakSet()

    def attach(self, engine: AsyncEngine) -> None:
        sync_engine = engine.sync_engine
        args, kwargs = sync_engine.dialect.create_connect_args(sync_engine.url)
        # sqlite3's own timeout is the busy timeout, in force before the first statement runs.
        self._args, self._kwargs = tuple(args), {**kwargs, "timeout": self._busy_timeout_seconds}
        _CONNECTORS[sync_engine] = self

    # aiosqlite has no public handle on a connection's thread: `_thread` and `_running` are
    # read here as SQLAlchemy's own connect reads `_thread` (aiosqlite 0.22).
    def __call__(self) -> aiosqlite.Connection:
        import aiosqlite  # noqa: PLC0415 (as SQLAlchemy does: PostgreSQL never loads it)

        connection = aiosqlite.connect(*self._args, **self._kwargs)
        # As SQLAlchemy's own connect does: a connection left open never holds up an exit.
        connection._thread.daemon = True
        self._opened.add(connection)
        return connection

    async def settle(self) -> None:
        """Wait (bounded) for the threads of the connections stopped without waiting to end."""
        deadline = time.monotonic() + STOPPED_THREADS_WAIT_SECONDS
        for connection in list(self._opened):
            thread = connection._thread
            if connection._running or not thread.is_alive():
                continue
            await asyncio.to_thread(thread.join, max(0.0, deadline - time.monotonic()))


# Weak: an engine dropped without being disposed of takes its connector with it.
_CONNECTORS: WeakKeyDictionary[Engine, SqliteConnector] = WeakKeyDictionary()


async def dispose_engine(engine: AsyncEngine) -> None:
    """`engine.dispose()`, and on SQLite the wait for the threads of abandoned connections."""
    await engine.dispose()
    connector = _CONNECTORS.get(engine.sync_engine)
    if connector is not None:
        await connector.settle()
