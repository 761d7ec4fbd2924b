"""Request dependencies, each declared once as an `Annotated` alias."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.database.session import Database
from petsage.settings import Settings


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.session() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit is a
# 500 rather than a 200 for data that was never stored.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
