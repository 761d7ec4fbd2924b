"""Alembic, driven from async code: where the schema is, and bringing it to the head.

Alembic itself is synchronous; it runs inside `AsyncConnection.run_sync`, which hands it a
sync facade over the async driver without blocking the event loop on I/O.

Alembic (with Mako and Pygments behind it) is a third of what start-up imports, and start-up
rarely needs it: the head is read from the version files themselves and the database's
revision with one query, so Alembic is imported only when a migration must run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from petsage.database.engine import create_engine
from petsage.database.sqlite_threads import dispose_engine
from petsage.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config

# The scripts live with the application (`petsage/migrations`), which knows every feature's
# tables; this runner reads them as files and imports nothing from there.
MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
ALEMBIC_INI = MIGRATIONS_DIR / "alembic.ini"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
# Alembic's default, which env.py keeps.
VERSION_TABLE = "alembic_version"
_REVISION = re.compile(r"^revision(?:: str)? = ['\"]([^'\"]+)['\"]$", re.MULTILINE)
_DOWN_REVISION = re.compile(
    r"^down_revision(?:: [\w| ]+)? = (?:None|['\"]([^'\"]+)['\"])$", re.MULTILINE
)


def alembic_config() -> Config:
    """The packaged Alembic configuration (scripts in `petsage/migrations`)."""
    from alembic.config import Config  # noqa: PLC0415 (only when a migration runs)

    return Config(ALEMBIC_INI)


@cache
def revision_chain() -> dict[str, str | None]:
    """Each packaged revision and the one it revises, read from the version files as text.

    One linear history: a file whose `revision` or `down_revision` is not a plain string (a
    merge, a computed value) is refused, and a test proves the result matches Alembic's."""
    chain: dict[str, str | None] = {}
    for path in sorted(VERSIONS_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            raise RuntimeError(f"{path.name}: no plain `revision` and `down_revision` found")
        chain[revision.group(1)] = down.group(1)
    return chain


@cache
def head_revision() -> str:
    """The newest revision this version of PetSage ships: the one no other revises."""
    chain = revision_chain()
    heads = set(chain) - set(chain.values())
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have exactly one head, found {sorted(heads)}")
    return heads.pop()


def known_revisions() -> frozenset[str]:
    return frozenset(revision_chain())


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current_revision)


async def is_at_head(engine: AsyncEngine) -> bool:
    return await current_revision(engine) == head_revision()


async def upgrade_to_head(settings: Settings) -> None:
    """Apply every pending migration, on an engine of its own without a statement limit;
    a schema already at the head costs one query and no Alembic."""
    engine = create_engine(settings, pool_size=1, max_overflow=0, statement_timeout_ms=0)
    try:
        if not await is_at_head(engine):
            await upgrade_engine(engine)
    finally:
        await dispose_engine(engine)


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    from alembic import command  # noqa: PLC0415 (only when a migration runs)

    async with engine.connect() as connection:
        await connection.run_sync(_run_command, command.upgrade, revision)


async def downgrade_engine(engine: AsyncEngine, revision: str = "base") -> None:
    from alembic import command  # noqa: PLC0415 (only when a migration runs)

    async with engine.connect() as connection:
        await connection.run_sync(_run_command, command.downgrade, revision)


def _current_revision(connection: Connection) -> str | None:
    # As Alembic's MigrationContext reads it: no version table means never migrated.
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    result = connection.execute(text("SELECT version_num FROM alembic_version"))
    revision: str | None = result.scalar_one_or_none()
    return revision


def _run_command(
    connection: Connection, alembic_command: Callable[[Config, str], None], revision: str
) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    alembic_command(config, revision)
