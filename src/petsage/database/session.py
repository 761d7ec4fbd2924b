"""`Database`: one engine and the sessions made from it, one unit of work each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from petsage.database.availability import is_unavailable
from petsage.database.engine import create_engine
from petsage.database.sqlite_threads import dispose_engine
from petsage.errors import PetSageError
from petsage.settings import Settings

# Failures that mean the database cannot be reached or the connection died (a stop, a crash, a
# network fault, the pool exhausted), as opposed to a statement it refused (IntegrityError,
# ProgrammingError...). asyncpg's own client errors on a connection cut mid-transaction arrive
# as InterfaceError or InternalError; a refused connect arrives unwrapped, as ConnectionError;
# a server that stops answering mid-statement (a black hole, or a machine so loaded that
# PostgreSQL's own statement_timeout answer comes too late) ends in asyncpg's client-side
# timeout, unwrapped, as TimeoutError (a 500 until the pet features' tests met it under load).
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
    sa_exc.InterfaceError,
    sa_exc.OperationalError,
    sa_exc.InternalError,
    sa_exc.TimeoutError,
    ConnectionError,
    TimeoutError,
)


def means_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot serve the request now: one of the failures above,
    or an answer whose SQLSTATE says so (57014: PostgreSQL cancelled the statement at
    statement_timeout, as under a lock held too long or a server too loaded to answer)."""
    if isinstance(exc, DATABASE_UNAVAILABLE):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and is_unavailable(exc)


class DatabaseUnavailableError(PetSageError):
    """The database went away during a request: a 503, like any other database outage (at
    start-up an unreachable database is `availability.DatabaseUnreachableError`)."""

    status_code = 503
    code = "database_unavailable"


class Database:
    """The application's engine and session factory, created at start-up, disposed at exit."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # Objects stay readable after the commit, when handlers build their responses.
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(create_engine(settings))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits once on success and rolls back on any error.

        Services only add, query and flush; committing is this context manager's job.
        """
        async with self._sessions.begin() as session:
            yield session

    async def dispose(self) -> None:
        await dispose_engine(self.engine)
