"""Start-up checks that turn a bad data setting into one line naming it, before serving.

`petsage serve` and the `petsage db` commands call these before anything binds a port: a data
directory that cannot be written, an unknown URL scheme, or a database that refuses the
connection ends the command with `petsage: ...` and exit code 2 instead of a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from petsage.database.engine import (
    MASK,
    URL_VARIABLE,
    create_engine,
    is_sqlite,
    masked_url,
    resolve_database_url,
    url_secrets,
)
from petsage.database.migrate import upgrade_to_head
from petsage.settings import ConfigurationError, Settings

logger = logging.getLogger("petsage.database")

DATA_DIR_VARIABLE = "PETSAGE_DATA_DIR"
_REASON_MAX = 200


async def prepare_database(settings: Settings) -> None:
    """Check the data settings, connect once, and migrate when the policy says so."""
    url = await verify_database(settings)
    if should_migrate_on_start(settings, url):
        await upgrade_to_head(settings)


async def verify_database(settings: Settings) -> URL:
    """Create the data directory, check the URL and connect once; return the resolved URL."""
    url = resolve_database_url(settings)
    await asyncio.to_thread(_ensure_writable_dir, settings.data_dir, DATA_DIR_VARIABLE)
    if is_sqlite(url) and url.database:
        sqlite_dir = Path(url.database).parent
        if sqlite_dir != settings.data_dir:
            await asyncio.to_thread(_ensure_writable_dir, sqlite_dir, URL_VARIABLE)
    await _connect_once(settings, url)
    return url


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
    except (OSError, TimeoutError, SQLAlchemyError, TypeError) as exc:
        raise ConfigurationError(
            f"invalid setting {URL_VARIABLE}: cannot connect to "
            f"{masked_url(url)}: {describe_failure(exc, url, settings)}"
        ) from None
    finally:
        await engine.dispose()


def describe_failure(exc: BaseException, url: URL, settings: Settings) -> str:
    """The root cause of a connection failure in one line, with any password blotted out."""
    root = exc
    while not isinstance(root, TimeoutError) and root.__cause__ is not None:
        root = root.__cause__
    if isinstance(root, TimeoutError):  # asyncio raises it *from* a CancelledError
        return f"timed out after {settings.db_connect_timeout_seconds:g} s"
    if isinstance(exc, SQLAlchemyError) and getattr(exc, "orig", None) is not None:
        root = exc.orig  # type: ignore[attr-defined]
    reason = " ".join(str(root).split()) or type(root).__name__
    for secret in url_secrets(url):
        reason = reason.replace(secret, MASK)
    return reason[:_REASON_MAX]
