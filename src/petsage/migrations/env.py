"""Alembic's environment for PetSage: migrations run on the same async engines as the app.

Where the connection comes from, in order: a sync `Connection` placed in
`config.attributes["connection"]` (PetSage's own `upgrade_to_head`, running it through
`AsyncConnection.run_sync`); an `AsyncEngine` placed there (pytest-alembic); otherwise an
engine built from the PETSAGE_* settings (the `alembic` command line).
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from petsage.database.columns import UTCDateTime
from petsage.database.engine import create_engine, resolve_database_url
from petsage.database.sqlite_threads import dispose_engine
from petsage.migrations import target_metadata
from petsage.settings import load_settings

# Held for the duration of a migration on PostgreSQL, so replicas that all migrate on start
# take turns instead of racing; the value is arbitrary but must stay the same forever.
MIGRATION_LOCK_KEY = 0x7065_7473_6167_65  # "petsage"


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=compared_metadata(),
        # SQLite alters tables by copying them; batch mode writes migrations that way.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.run_migrations()


def compared_metadata() -> MetaData:
    # `petsage db revision` may name the models to compare (its tests pass a copy with a
    # column added); otherwise every table of the platform and the features.
    given = context.config.attributes.get("target_metadata")
    return given if isinstance(given, MetaData) else target_metadata()


def render_item(type_: str, obj: Any, _context: Any) -> str | Literal[False]:
    # Migrations are frozen history: write the plain column type, never an import of ours.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


async def run_on_engine(engine: AsyncEngine) -> None:
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        # The caller's loop ends with this call: connections must not outlive it, even when
        # a hook stops the run by raising (pytest-alembic does, to skip writing a revision).
        await dispose_engine(engine)


def run_online() -> None:
    connectable = context.config.attributes.get("connection")
    if isinstance(connectable, Connection):
        run_migrations(connectable)
    elif isinstance(connectable, AsyncEngine):
        asyncio.run(run_on_engine(connectable))
    else:
        engine = create_engine(load_settings(), pool_size=1, max_overflow=0, statement_timeout_ms=0)
        asyncio.run(run_on_engine(engine))


def run_offline() -> None:
    context.configure(
        url=resolve_database_url(load_settings()),
        target_metadata=target_metadata(),
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
