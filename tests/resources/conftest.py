"""One app serving the example resource per module and database, its rows emptied between
tests. The example table is made with `create_all` beside the migrated schema: it belongs to
these tests, not to the migrations. The client sends alice's token with the example's read and
write scopes unless a test sends other headers (`Served.tokens` mints them)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from petsage.database.engine import create_engine
from petsage.main import AppOptions, assemble_app
from petsage.settings import Settings
from petsage.testing.databases import DATABASE_KINDS, upgrade_with_tables
from petsage.testing.tokens import AccessTokens, ensure_identity, resource_scopes
from tests.resources.example_pets import feature
from tests.resources.example_pets.orm import ExampleBase, ExamplePet

T = TypeVar("T")
FEATURE = "example_pets"
READ, WRITE = resource_scopes(FEATURE)
ADMIN = f"{FEATURE}:admin"
OWNER = "alice"


@dataclass
class Served:
    """The example app's client, and a way to run the kit's service directly on its database
    (in the app's own event loop)."""

    client: TestClient
    engine: AsyncEngine
    tokens: AccessTokens

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.engine, expire_on_commit=False)

    def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work(session)` in a transaction committed when it returns."""

        async def in_transaction() -> T:
            async with self.sessions.begin() as session:
                return await work(session)

        return self.client.portal.call(in_transaction)  # type: ignore[union-attr]


def _database_url(request: pytest.FixtureRequest, data_dir: Path) -> tuple[str, Callable[[], Any]]:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{data_dir / 'petsage.sqlite3'}", lambda: None
    server = request.getfixturevalue("postgres_server")
    url = server.create_database()
    return url.render_as_string(hide_password=False), lambda: server.drop_database(url)


@pytest.fixture(
    scope="module",
    params=DATABASE_KINDS,
)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("resources")
    url, drop = _database_url(request, data_dir)
    try:
        settings = Settings(
            _env_file=None, data_dir=data_dir, database_url=url, shutdown_drain_seconds=0
        )
        asyncio.run(upgrade_with_tables(settings, ExampleBase.metadata))
        app = assemble_app(settings, AppOptions(features=(feature,), observability=False))
        ensure_identity(app, data_dir)
        tokens = AccessTokens(data_dir)
        with TestClient(app, headers=tokens.headers(OWNER, READ, WRITE)) as client:
            assert client.portal is not None
            engine = client.portal.call(create_engine, settings)
            try:
                yield Served(client, engine, tokens)
            finally:
                client.portal.call(engine.dispose)
    finally:
        drop()


@pytest.fixture
def api(served: Served) -> Iterator[TestClient]:
    """The example app's client; the example rows are deleted after the test."""
    yield served.client

    async def empty(session: AsyncSession) -> None:
        await session.execute(delete(ExamplePet))

    served.run(empty)
