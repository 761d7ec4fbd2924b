"""One app and one database per contract class and database kind, emptied between tests.

A contract class runs a few hundred small tests; an app started (and a database migrated) for
each would cost seconds apiece. So `contract_app` is class-scoped: one fresh database, one
`TestClient` with its lifespan, and between tests a `DELETE` of the rows the class can write.
The deletes run on the app's own event loop (the client's portal), on an engine of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Table, delete
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.schema import sort_tables

from petsage.database.engine import create_engine
from petsage.settings import Settings
from petsage.testing.contract_access import AccessRule
from petsage.testing.contract_api import Collection
from petsage.testing.databases import PostgresServer, url_string


@dataclass
class ContractApp:
    """A running app, its client, and the tables the contract empties between tests."""

    client: TestClient
    settings: Settings
    tables: Sequence[Table]
    engine: AsyncEngine
    # The resource's own collection and those its references need, by table name.
    collections: dict[str, Collection] = field(default_factory=dict)
    # Who may call them (their routes' scopes in OpenAPI), and the tokens to do it with.
    access: AccessRule | None = None

    def empty_tables(self) -> None:
        """Delete every row the contract may have written, children before parents."""
        portal = self.client.portal
        assert portal is not None, "the client runs inside `with`"
        portal.call(self._delete_rows)

    async def _delete_rows(self) -> None:
        async with self.engine.begin() as connection:
            for table in reversed(sort_tables(self.tables)):
                await connection.execute(delete(table))


def contract_settings(data_dir: Path, database_url: str) -> Settings:
    """Settings isolated from the environment and `.env`, as `make_settings` builds them."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        _env_file=None, data_dir=data_dir, database_url=database_url, shutdown_drain_seconds=0
    )


@contextmanager
def class_database(request: pytest.FixtureRequest, kind: str) -> Iterator[str]:
    """A fresh database of `kind` for one class: a SQLite file, or a PostgreSQL database made
    on the session's server and dropped after the class."""
    if kind == "sqlite":
        directory = request.getfixturevalue("tmp_path_factory").mktemp("contract")
        yield f"sqlite+aiosqlite:///{directory / 'petsage.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        yield url_string(url)
    finally:
        server.drop_database(url)


@contextmanager
def running_contract_app(
    settings: Settings,
    *,
    prepare: Callable[[Settings], None],
    build: Callable[[Settings], FastAPI],
    tables: Sequence[Table],
) -> Iterator[ContractApp]:
    """`prepare` the database (migrate it), start the app `build` makes, and stop it after."""
    prepare(settings)
    with TestClient(build(settings)) as client:
        assert client.portal is not None
        engine = client.portal.call(_engine, settings)
        try:
            yield ContractApp(client, settings, tables, engine)
        finally:
            client.portal.call(engine.dispose)


async def _engine(settings: Settings) -> AsyncEngine:
    # Made on the portal's loop, where its connections will live.
    await asyncio.sleep(0)
    return create_engine(settings, pool_size=1, max_overflow=0, statement_timeout_ms=0)
