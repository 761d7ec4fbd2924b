"""Engines: which URL, and that every wait (connect, pool checkout, statement) is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from petsage.database.engine import (
    POSTGRESQL,
    SQLITE,
    create_engine,
    is_sqlite,
    resolve_database_url,
)
from petsage.database.sqlite_threads import dispose_engine
from petsage.settings import ConfigurationError, Settings

SettingsFactory = Callable[..., Settings]


def test_default_is_a_sqlite_file_in_the_data_dir(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    url = resolve_database_url(make_settings(data_dir=tmp_path / "data"))

    assert url.drivername == SQLITE
    assert url.database == str(tmp_path / "data" / "petsage.sqlite3")
    assert is_sqlite(url)


def test_blank_url_means_the_default(make_settings: SettingsFactory) -> None:
    assert is_sqlite(resolve_database_url(make_settings(database_url="")))


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+asyncpg"])
def test_postgresql_schemes_use_asyncpg(make_settings: SettingsFactory, scheme: str) -> None:
    url = resolve_database_url(make_settings(database_url=f"{scheme}://u:pw@db:5433/petsage"))

    assert url.drivername == POSTGRESQL
    assert (url.host, url.port, url.database, url.password) == ("db", 5433, "petsage", "pw")
    assert not is_sqlite(url)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("mysql://root:hunter2@db/petsage", "unsupported scheme 'mysql'"),
        ("postgresql+psycopg2://u:hunter2@db/petsage", "unsupported scheme"),
        ("not a url hunter2", "not a database URL"),
    ],
)
def test_unusable_url_names_the_variable_without_the_password(
    make_settings: SettingsFactory, value: str, problem: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_database_url(make_settings(database_url=value))

    message = str(caught.value)
    assert message.startswith("invalid setting PETSAGE_DATABASE_URL: ")
    assert problem in message
    assert "hunter2" not in message


@pytest.mark.anyio
async def test_sqlite_connections_use_wal_and_the_busy_timeout(
    sqlite_url: str, make_settings: SettingsFactory
) -> None:
    settings = make_settings(database_url=sqlite_url, sqlite_busy_timeout_ms=1234)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            journal = await connection.scalar(text("PRAGMA journal_mode"))
            busy = await connection.scalar(text("PRAGMA busy_timeout"))
            keys = await connection.scalar(text("PRAGMA foreign_keys"))
    finally:
        await engine.dispose()

    assert (journal, busy, keys) == ("wal", 1234, 1)


@pytest.mark.anyio
@pytest.mark.postgres
async def test_postgresql_cancels_a_statement_past_its_timeout(
    postgres_url: str, make_settings: SettingsFactory
) -> None:
    engine = create_engine(make_settings(database_url=postgres_url, db_statement_timeout_ms=200))
    try:
        async with engine.connect() as connection:
            shown = await connection.scalar(text("SHOW statement_timeout"))
            with pytest.raises(DBAPIError, match="statement timeout"):
                await connection.execute(text("SELECT pg_sleep(5)"))
    finally:
        await engine.dispose()

    assert shown == "200ms"


@pytest.mark.anyio
@pytest.mark.postgres
async def test_statement_limit_can_be_lifted_for_migrations(
    postgres_url: str, make_settings: SettingsFactory
) -> None:
    engine = create_engine(make_settings(database_url=postgres_url), statement_timeout_ms=0)
    try:
        async with engine.connect() as connection:
            shown = await connection.scalar(text("SHOW statement_timeout"))
    finally:
        await engine.dispose()

    assert shown == "0"


@pytest.mark.anyio
async def test_pool_checkout_gives_up_after_the_pool_timeout(
    database_url: str, make_settings: SettingsFactory
) -> None:
    settings = make_settings(database_url=database_url, db_pool_timeout_seconds=0.2)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            with pytest.raises(PoolTimeoutError):
                await engine.connect()
    finally:
        await engine.dispose()


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port whose listener completes TCP handshakes but never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.mark.anyio
async def test_connect_to_a_silent_server_times_out(
    black_hole: int, make_settings: SettingsFactory
) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{black_hole}/test"
    engine = create_engine(make_settings(database_url=url, db_connect_timeout_seconds=0.2))
    try:
        with pytest.raises(TimeoutError):
            await engine.connect()
    finally:
        await engine.dispose()


def test_a_cancelled_statement_leaves_no_thread_behind_a_closed_loop(
    make_settings: SettingsFactory,
) -> None:
    """As at a server's stop: a `SELECT 1` cancelled just after it started, the engine disposed
    of, the loop closed. The connection's aiosqlite thread, left to finish alone, used to hand
    its result to the closed loop and die on "Event loop is closed" (76 of 140 runs)."""
    engine = create_engine(make_settings())
    before = _aiosqlite_threads()

    async def cancel_then_dispose(delay: float) -> None:
        async def select_one() -> None:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))

        statement = asyncio.create_task(select_one())
        await asyncio.sleep(delay)
        statement.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await statement
        await dispose_engine(engine)

    for delay in (0, 0.0001, 0.0003, 0.001, 0.003) * 4:
        asyncio.run(cancel_then_dispose(delay))
        assert _aiosqlite_threads() <= before


def _aiosqlite_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if "_connection_worker" in thread.name}
