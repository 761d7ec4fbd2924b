"""Real databases for tests: a SQLite file per test, a fresh PostgreSQL database per test.

Several engineers (and CI) run tests against the same PostgreSQL server at once, so each test
session works only in databases named `petsage_test_<session hex>_<n>`, created through the
`postgres` maintenance database and dropped after use. The base URL comes from
PETSAGE_TEST_POSTGRES_URL. When the server cannot be reached the PostgreSQL tests skip with the
reason, unless PETSAGE_TEST_REQUIRE_POSTGRES=1 (CI sets it): then they fail with it.

Registered by the plugin (`petsage.testing.plugin`). Fixtures:
- `sqlite_url`, `postgres_url`: the URL of a fresh, empty database (a string).
- `database_url`: parametrized over both (the PostgreSQL case carries the `postgres` mark).
- `database_settings`: `Settings` pointing at `database_url`; `migrated_settings`: the same
  after `upgrade_to_head`; `module_migrated_settings`: migrated once per kind for a module.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import MetaData
from sqlalchemy.engine import URL, make_url

from petsage.database.engine import create_engine
from petsage.database.migrate import upgrade_to_head
from petsage.database.sqlite_threads import dispose_engine
from petsage.settings import Settings

POSTGRES_URL_VARIABLE = "PETSAGE_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VARIABLE = "PETSAGE_TEST_REQUIRE_POSTGRES"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
MAINTENANCE_DATABASE = "postgres"
ADMIN_TIMEOUT_SECONDS = 5.0


def postgres_base_url() -> URL:
    """The server the tests use, from PETSAGE_TEST_POSTGRES_URL (its database is not used)."""
    return make_url(os.environ.get(POSTGRES_URL_VARIABLE) or DEFAULT_POSTGRES_URL)


def postgres_required() -> bool:
    return os.environ.get(REQUIRE_POSTGRES_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def url_string(url: URL) -> str:
    """The URL as a string *with* its password (`str(url)` masks it)."""
    return url.render_as_string(hide_password=False)


def asyncpg_dsn(url: URL) -> str:
    return url_string(url.set(drivername="postgresql"))


@dataclass
class PostgresServer:
    """The shared server, and the databases this test session made on it."""

    base_url: URL
    prefix: str = field(default_factory=lambda: f"petsage_test_{secrets.token_hex(4)}")
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def create_database(self) -> URL:
        name = f"{self.prefix}_{next(self._numbers)}"
        asyncio.run(self._admin(f'CREATE DATABASE "{name}"'))
        return self.base_url.set(drivername="postgresql+asyncpg", database=name)

    def drop_database(self, url: URL) -> None:
        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))

    def drop_leftovers(self) -> None:
        """Drop every database of this session that a crashed test left behind."""

        async def drop_all() -> None:
            connection = await self._connect()
            try:
                names = await connection.fetch(
                    "SELECT datname FROM pg_database WHERE datname LIKE $1", f"{self.prefix}\\_%"
                )
                for row in names:
                    await connection.execute(
                        f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)'
                    )
            finally:
                await connection.close()

        asyncio.run(drop_all())

    async def _admin(self, statement: str) -> None:
        connection = await self._connect()
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def _connect(self) -> asyncpg.Connection:
        maintenance = self.base_url.set(database=MAINTENANCE_DATABASE)
        return await asyncpg.connect(asyncpg_dsn(maintenance), timeout=ADMIN_TIMEOUT_SECONDS)


def reach_postgres(base_url: URL) -> str | None:
    """None when the server answers, else why not."""
    server = PostgresServer(base_url)
    try:
        asyncio.run(server._admin("SELECT 1"))
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    base_url = postgres_base_url()
    problem = reach_postgres(base_url)
    if problem is not None:
        masked = base_url.set(password="***")  # noqa: S106 - a mask, not a password
        where = url_string(masked if base_url.password else base_url)
        message = f"PostgreSQL at {where} ({POSTGRES_URL_VARIABLE}) is unreachable: {problem}"
        if postgres_required():
            pytest.fail(f"{message}; {REQUIRE_POSTGRES_VARIABLE}=1 requires it", pytrace=False)
        pytest.skip(message)
    server = PostgresServer(base_url)
    yield server
    server.drop_leftovers()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test alone, dropped after it."""
    url = postgres_server.create_database()
    try:
        yield url_string(url)
    finally:
        postgres_server.drop_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file for this test alone (created on first connection)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'var' / 'petsage.sqlite3'}"


# The same test on the embedded SQLite and on PostgreSQL (that case carries the mark).
DATABASE_KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=DATABASE_KINDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """The same test on the embedded SQLite and on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def database_settings(database_url: str, make_settings: Callable[..., Settings]) -> Settings:
    """Settings whose database is `database_url`, with its data directory created."""
    settings = make_settings(database_url=database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


@pytest.fixture
def migrated_settings(database_settings: Settings) -> Settings:
    """`database_settings` with the schema at the head revision."""
    asyncio.run(upgrade_to_head(database_settings))
    return database_settings


@pytest.fixture(
    scope="module",
    params=DATABASE_KINDS,
)
def module_migrated_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """`migrated_settings` shared by a module, one database per kind: migrating is most of a
    small test's time. Its tests must not depend on rows another wrote (they empty the tables
    they use first, or tell their own rows apart)."""
    data_dir = tmp_path_factory.mktemp("migrated")
    if request.param == "sqlite":
        yield _migrated(data_dir, f"sqlite+aiosqlite:///{data_dir / 'petsage.sqlite3'}")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        yield _migrated(data_dir, url_string(url))
    finally:
        server.drop_database(url)


def _migrated(data_dir: Path, url: str) -> Settings:
    settings = Settings(_env_file=None, data_dir=data_dir, database_url=url)
    asyncio.run(upgrade_to_head(settings))
    return settings


async def upgrade_with_tables(settings: Settings, metadata: MetaData) -> None:
    """The database at the head revision, plus the tables of `metadata`, which belong to the
    tests (a resource defined for them), not to the migrations."""
    await upgrade_to_head(settings)
    engine = create_engine(settings, statement_timeout_ms=0)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
    finally:
        await dispose_engine(engine)
