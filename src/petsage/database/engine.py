"""Async engines for the embedded SQLite default and for PostgreSQL, with every wait bounded.

`PETSAGE_DATABASE_URL` picks the engine; without it PetSage keeps a SQLite file in the data
directory. Connect, pool checkout and (on PostgreSQL) statement times all have limits, so a
dead or hung database costs a request its budget and no more.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from petsage.credentials import MASK, SECRET_PARAMETER
from petsage.database.sqlite_threads import SqliteConnector
from petsage.settings import ConfigurationError, Settings

SQLITE = "sqlite+aiosqlite"
POSTGRESQL = "postgresql+asyncpg"
# Schemes operators commonly write, mapped to the one async driver PetSage ships for each.
_DRIVERS = {
    "sqlite": SQLITE,
    SQLITE: SQLITE,
    "postgres": POSTGRESQL,
    "postgresql": POSTGRESQL,
    POSTGRESQL: POSTGRESQL,
}
URL_VARIABLE = "PETSAGE_DATABASE_URL"
# How long the client waits past PostgreSQL's own statement_timeout before giving up on a
# server that no longer answers at all (a black hole never sends the timeout error).
_CLIENT_TIMEOUT_MARGIN_SECONDS = 0.25
_RECYCLE_SECONDS = 1800


def resolve_database_url(settings: Settings) -> URL:
    """The URL to connect to: `PETSAGE_DATABASE_URL`, or the SQLite file in the data dir."""
    if not settings.database_url:
        return URL.create(SQLITE, database=os.path.abspath(settings.sqlite_path))
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        raise ConfigurationError(
            f"invalid setting {URL_VARIABLE}: not a database URL "
            f"(expected {POSTGRESQL}://user:password@host:port/dbname or {SQLITE}:///path)"
        ) from None
    driver = _DRIVERS.get(url.drivername)
    if driver is None:
        raise ConfigurationError(
            f"invalid setting {URL_VARIABLE}: unsupported scheme {url.drivername!r} "
            f"(use {POSTGRESQL}:// or {SQLITE}://)"
        )
    if driver == SQLITE and url.database in (None, "", ":memory:"):
        # Each connection would get a database of its own, gone when it closes.
        raise ConfigurationError(
            f"invalid setting {URL_VARIABLE}: an in-memory SQLite database keeps nothing; "
            f"give a file ({SQLITE}:///path/to/petsage.sqlite3) or leave it unset"
        )
    return url.set(drivername=driver)


def masked_url(url: URL) -> str:
    """`url` as text for messages and logs: the password and every secret-looking query
    parameter replaced by `***`. Render database URLs only through this."""
    shown = url.set(query={}).render_as_string(hide_password=True)
    if not url.query:
        return shown
    pairs = [(key, MASK if SECRET_PARAMETER.search(key) else value) for key, value in _pairs(url)]
    return f"{shown}?{urlencode(pairs, safe='*')}"


def _pairs(url: URL) -> list[tuple[str, str]]:
    return [
        (key, value)
        for key, values in url.query.items()
        for value in ((values,) if isinstance(values, str) else values)
    ]


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def create_engine(
    settings: Settings,
    *,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    statement_timeout_ms: int | None = None,
    probe: bool = False,
) -> AsyncEngine:
    """An engine for `settings`, connecting lazily.

    `pool_size` and `max_overflow` default to the settings; a health check passes small ones
    to get a pool of its own. `statement_timeout_ms` overrides the setting; 0 lifts the limit
    (migrations need that). `probe=True` is for the health checks, whose statement is itself
    the liveness test of the connection: no pre-ping and no transaction around it (autocommit),
    so one check costs the database one statement instead of five.
    """
    url = resolve_database_url(settings)
    pool: dict[str, Any] = {
        "pool_size": settings.db_pool_size if pool_size is None else pool_size,
        "max_overflow": settings.db_max_overflow if max_overflow is None else max_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
    }
    if probe:
        pool["isolation_level"] = "AUTOCOMMIT"
    if is_sqlite(url):
        return _sqlite_engine(url, settings.sqlite_busy_timeout_ms, pool)
    statement_ms = (
        settings.db_statement_timeout_ms if statement_timeout_ms is None else statement_timeout_ms
    )
    # Named apart in `pg_stat_activity`, so an operator (and the probe-storm test) can tell
    # the health checks' one connection from the application's pool.
    application = "petsage-health" if probe else "petsage"
    return _postgres_engine(
        url, settings.db_connect_timeout_seconds, statement_ms, pool, application, probe=probe
    )


def _sqlite_engine(url: URL, busy_timeout_ms: int, pool: dict[str, Any]) -> AsyncEngine:
    # Dispose of it with `sqlite_threads.dispose_engine`: see there why.
    connector = SqliteConnector(busy_timeout_ms / 1000)
    engine = create_async_engine(url, async_creator=connector, **pool)
    connector.attach(engine)
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer, so several worker processes can share the
    # file; NORMAL sync is what SQLite recommends with WAL (durable except on power loss).
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _postgres_engine(
    url: URL,
    connect_timeout: float,
    statement_ms: int,
    pool: dict[str, Any],
    application: str,
    *,
    probe: bool,
) -> AsyncEngine:
    command_timeout = statement_ms / 1000 + _CLIENT_TIMEOUT_MARGIN_SECONDS if statement_ms else None
    return create_async_engine(
        url,
        # A server restart leaves dead connections in the pool: test each before use.
        pool_pre_ping=not probe,
        pool_recycle=_RECYCLE_SECONDS,
        connect_args={
            "timeout": connect_timeout,
            "command_timeout": command_timeout,
            "server_settings": {
                "application_name": application,
                "statement_timeout": str(statement_ms),
            },
        },
        **pool,
    )
