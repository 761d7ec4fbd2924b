"""Start-up checks that turn a bad data setting into one line naming it, before serving.

`petsage serve` and the `petsage db` commands call these before anything binds a port: a data
directory that cannot be written, an unknown URL scheme, credentials the server refuses or a
database that does not exist end the command with `petsage: ...` and exit code 2 instead of a
traceback. A database that is merely unavailable (`availability.is_unavailable`) raises
`DatabaseUnreachableError` instead: `petsage serve` then starts not ready, or waits for it
when it must migrate first.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from petsage.credentials import mask_credentials
from petsage.database.availability import (
    DatabaseUnreachableError,
    backoff_delays,
    is_unavailable,
)
from petsage.database.engine import (
    URL_VARIABLE,
    create_engine,
    is_sqlite,
    masked_url,
    resolve_database_url,
)
from petsage.database.migrate import upgrade_to_head
from petsage.database.sqlite_threads import dispose_engine
from petsage.settings import ConfigurationError, Settings

logger = logging.getLogger(__name__)

DATA_DIR_VARIABLE = "PETSAGE_DATA_DIR"
_REASON_MAX = 200


async def prepare_database(settings: Settings) -> None:
    """For `petsage serve`: check the data settings, connect once, migrate when the policy says
    so. An unavailable database is logged and left to readiness, unless the server must migrate
    first: then it is waited for (`wait_for_database`)."""
    url = await check_data_settings(settings)
    if should_migrate_on_start(settings, url):
        await wait_for_database(settings, url)
        await upgrade_to_head(settings)
        return
    try:
        await _connect_once(settings, url)
    except DatabaseUnreachableError as exc:
        logger.warning("%s; starting not ready until it answers", exc)


async def verify_database(settings: Settings) -> URL:
    """Check the data settings and connect once; return the resolved URL. Raises
    `ConfigurationError` for a wrong setting, `DatabaseUnreachableError` for a database that may
    answer later."""
    url = await check_data_settings(settings)
    await _connect_once(settings, url)
    return url


async def check_data_settings(settings: Settings) -> URL:
    """Create the data directory and check the URL, without connecting; return the URL."""
    url = resolve_database_url(settings)
    await asyncio.to_thread(_ensure_writable_dir, settings.data_dir, DATA_DIR_VARIABLE)
    if is_sqlite(url) and url.database:
        sqlite_dir = Path(url.database).parent
        if sqlite_dir != settings.data_dir:
            await asyncio.to_thread(_ensure_writable_dir, sqlite_dir, URL_VARIABLE)
    return url


async def wait_for_database(
    settings: Settings, url: URL, delays: Iterator[float] | None = None
) -> None:
    """Connect, retrying an unavailable database with backoff for up to
    `PETSAGE_DB_STARTUP_WAIT_SECONDS`; then raise `DatabaseUnreachableError` saying so."""
    wait = settings.db_startup_wait_seconds
    deadline = time.monotonic() + wait
    delays = delays or backoff_delays()
    for attempt in itertools.count(1):
        try:
            await _connect_once(settings, url)
            return
        except DatabaseUnreachableError as exc:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DatabaseUnreachableError(url, exc.reason, waited_seconds=wait) from None
            delay = min(next(delays), remaining)
            logger.warning(
                "database unavailable (attempt %d), retrying in %.2f s: %s",
                attempt, delay, exc.reason,
            )  # fmt: skip
            await asyncio.sleep(delay)


def should_migrate_on_start(settings: Settings, url: URL) -> bool:
    """Embedded SQLite always migrates on start; PostgreSQL only when asked to, because
    several replicas starting at once must not race (the upgrade runs once, as a job)."""
    if settings.db_migrate_on_start is None:
        return is_sqlite(url)
    return settings.db_migrate_on_start


def _ensure_writable_dir(path: Path, variable: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        # Permission bits do not stop root, and a read-only mount shows only on writing: try.
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigurationError(
            f"invalid setting {variable}: cannot write to {os.fspath(path)!r}: {reason}"
        ) from None


async def _connect_once(settings: Settings, url: URL) -> None:
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    # TypeError: asyncpg takes the URL's query parameters as keyword arguments, so one it does
    # not know (`?sslpassword=`, a typo) fails the call itself.
    except (OSError, SQLAlchemyError, TypeError) as exc:
        reason = describe_failure(exc, url, settings)
        # SQLite fails for reasons of its own (the file, its directory): never a network blip.
        if is_unavailable(exc) and not is_sqlite(url):
            raise DatabaseUnreachableError(url, reason) from None
        raise ConfigurationError(
            f"invalid setting {URL_VARIABLE}: cannot connect to {masked_url(url)}: {reason}"
        ) from None
    finally:
        await dispose_engine(engine)


def describe_failure(exc: BaseException, url: URL, settings: Settings) -> str:
    """The root cause of a connection failure in one line, with any URL's password blotted out.

    Only credentials where they sit (a URL's userinfo, a `password=` parameter) are masked,
    not every occurrence of the password's text: that garbled the message and so revealed a
    short password (`role "app" *** not exist` with the password `does`). Neither PostgreSQL
    nor asyncpg puts a password in its message otherwise; `url` names the database only in
    the caller's line, through `masked_url`.
    """
    root = exc
    while not isinstance(root, TimeoutError) and root.__cause__ is not None:
        root = root.__cause__
    if isinstance(root, TimeoutError):  # asyncio raises it *from* a CancelledError
        return f"timed out after {settings.db_connect_timeout_seconds:g} s"
    if isinstance(exc, SQLAlchemyError) and getattr(exc, "orig", None) is not None:
        root = exc.orig  # type: ignore[attr-defined]
    reason = " ".join(str(root).split()) or type(root).__name__
    return mask_credentials(reason)[:_REASON_MAX]
