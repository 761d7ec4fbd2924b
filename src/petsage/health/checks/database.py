"""`database` and `migrations`: a round trip to the application's database, and its schema.

Both go through a pool of their own (one connection, no overflow), so a saturated application
pool cannot fail them, and the health checks can never take more than one connection from the
database. `engine.check("database").probe` is the `DatabaseProbe`; its `engine` is that pool's
engine, whose URL and `pool.checkedout()` tests read.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from petsage.database.engine import create_engine
from petsage.database.migrate import current_revision, head_revision
from petsage.database.sqlite_threads import dispose_engine
from petsage.health.check import Check, Outcome
from petsage.health.model import Status
from petsage.settings import Settings

# The schema changes only when someone migrates: an ok revision is re-read this often, while a
# failing one is re-read every round so that recovery shows within one interval.
MIGRATIONS_REFRESH_SECONDS = 60.0


class DatabaseProbe:
    """One small engine shared by the `database` and `migrations` checks, made on first use
    (building the app connects to nothing).

    The two checks run side by side in a round, and their pool holds one connection: they take
    turns on it. Left to the pool, the second would wait at most the pool's timeout (0.5 s by
    default), and a round trip slower than that (a first connection, a loaded machine) failed
    the other check with the pool's timeout, a critical error that was never the database's.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._engine: AsyncEngine | None = None
        self._turn = asyncio.Lock()
        self._revision: Outcome | None = None
        self._revision_read_at = 0.0

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = create_engine(self._settings, pool_size=1, max_overflow=0, probe=True)
        return self._engine

    async def __call__(self) -> Outcome:
        """The `database` check: one `SELECT 1` round trip (timed once its turn has come)."""
        async with self._turn:
            started = time.perf_counter()
            try:
                await self._select_one()
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                # The pooled connection died (a server restart) and has been discarded. The
                # probe engine has no pre-ping, so this retry on a fresh connection stands in
                # for it: a database that is back is reported back in this round, not the next.
                await self._select_one()
            return Outcome.ok(round((time.perf_counter() - started) * 1000, 3), "ms")

    async def _select_one(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def schema_revision(self) -> Outcome:
        cached = self._revision
        fresh = time.monotonic() - self._revision_read_at < MIGRATIONS_REFRESH_SECONDS
        if cached is not None and cached.status is Status.OK and fresh:
            return cached
        async with self._turn:
            current = await current_revision(self.engine)
        self._revision = outcome = _compare(current, head_revision())
        self._revision_read_at = time.monotonic()
        return outcome

    async def close(self) -> None:
        if self._engine is not None:
            await dispose_engine(self._engine)


def _compare(current: str | None, head: str) -> Outcome:
    if current == head:
        return Outcome.ok(current, "revision")
    if current is None:
        return Outcome.failed("the database has no schema: run `petsage db upgrade`")
    return Outcome.failed(
        f"the schema is at revision {current}, this release expects {head}", current, "revision"
    )


def database_checks(settings: Settings) -> list[Check]:
    probe = DatabaseProbe(settings)
    return [
        Check(
            "database",
            probe,
            critical=True,
            component_type="datastore",
            measurement="responseTime",
            close=probe.close,
        ),
        Check(
            "migrations",
            probe.schema_revision,
            critical=True,
            component_type="datastore",
            measurement="schemaVersion",
        ),
    ]
