"""Alembic, driven from async code: where the schema is, and bringing it to the head.

Alembic itself is synchronous; it runs inside `AsyncConnection.run_sync`, which hands it a
sync facade over the async driver without blocking the event loop on I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from petsage.database.engine import create_engine
from petsage.settings import Settings

# The scripts live with the application (`petsage/migrations`), which knows every feature's
# tables; this runner reads them as files and imports nothing from there.
ALEMBIC_INI = Path(__file__).parent.parent / "migrations" / "alembic.ini"


def alembic_config() -> Config:
    """The packaged Alembic configuration (scripts in `petsage/migrations`)."""
    return Config(ALEMBIC_INI)


@cache
def head_revision() -> str:
    """The newest revision this version of PetSage ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations are packaged"
    return head


def known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current_revision)


async def is_at_head(engine: AsyncEngine) -> bool:
    return await current_revision(engine) == head_revision()


async def upgrade_to_head(settings: Settings) -> None:
    """Apply every pending migration, on an engine of its own without a statement limit."""
    engine = create_engine(settings, pool_size=1, max_overflow=0, statement_timeout_ms=0)
    try:
        await upgrade_engine(engine)
    finally:
        await engine.dispose()


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_run_command, command.upgrade, revision)


async def downgrade_engine(engine: AsyncEngine, revision: str = "base") -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_run_command, command.downgrade, revision)


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _run_command(
    connection: Connection, alembic_command: Callable[[Config, str], None], revision: str
) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    alembic_command(config, revision)
