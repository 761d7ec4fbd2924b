"""`Database`: one engine and the sessions made from it, one unit of work each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from petsage.database.engine import create_engine
from petsage.settings import Settings


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
        await self.engine.dispose()
