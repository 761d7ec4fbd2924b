"""Migrations: one head, upgrade from empty, down to base and up again, models match them.

The four pytest-alembic tests below run on SQLite and on PostgreSQL (the `alembic_engine`
fixture follows `database_url`); the others drive PetSage's own `migrate` module.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from petsage.blueprint.discovery import discover_features, platform_tables
from petsage.database import migrate
from petsage.database.engine import create_engine
from petsage.migrations import target_metadata
from petsage.settings import Settings
from tests.support.server import child_env, petsage_command, run_petsage

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]


@pytest.fixture
async def engine(database_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_settings, statement_timeout_ms=0)
    try:
        yield engine
    finally:
        await engine.dispose()


def tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def schema_differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), target_metadata()))


def test_the_packaged_revisions_form_one_line_from_the_head_to_base() -> None:
    chain = migrate.revision_chain()
    walked: list[str] = []
    revision: str | None = migrate.head_revision()
    while revision is not None and revision not in walked:
        walked.append(revision)
        revision = chain[revision]

    assert revision is None  # reached the base, with no cycle on the way
    assert sorted(walked) == sorted(migrate.known_revisions())  # and no revision off the line


def test_the_models_compared_with_the_ddl_include_every_features_tables() -> None:
    # The "models match the DDL" tests compare `target_metadata()`: every table a feature
    # declares in `Feature(models=...)` (a generated resource's too) must be in it.
    compared = set(target_metadata().tables)
    declared = {table for feature in discover_features() for table in feature.tables}

    assert declared
    assert declared <= compared
    assert platform_tables() <= compared


def test_the_head_read_from_the_version_files_is_alembics() -> None:
    # Start-up reads the version files as text, without Alembic; they must agree.
    script = ScriptDirectory.from_config(migrate.alembic_config())

    assert migrate.head_revision() == script.get_current_head()
    assert migrate.known_revisions() == {rev.revision for rev in script.walk_revisions()}
    assert migrate.revision_chain() == {
        rev.revision: rev.down_revision for rev in script.walk_revisions()
    }


@pytest.mark.anyio
async def test_upgrade_from_empty_reaches_head_and_matches_models(
    engine: AsyncEngine, database_settings: Settings
) -> None:
    assert await migrate.current_revision(engine) is None
    assert not await migrate.is_at_head(engine)

    await migrate.upgrade_to_head(database_settings)

    assert await migrate.current_revision(engine) == migrate.head_revision()
    assert await migrate.is_at_head(engine)
    async with engine.connect() as connection:
        assert "health_events" in await connection.run_sync(tables)
        assert await connection.run_sync(schema_differences) == []


@pytest.mark.anyio
async def test_downgrade_to_base_then_upgrade_again(
    engine: AsyncEngine, database_settings: Settings
) -> None:
    await migrate.upgrade_to_head(database_settings)

    await migrate.downgrade_engine(engine, "base")
    async with engine.connect() as connection:
        left = await connection.run_sync(tables)
    assert await migrate.current_revision(engine) is None
    assert left <= {"alembic_version"}

    await migrate.upgrade_engine(engine)
    assert await migrate.is_at_head(engine)


@pytest.mark.anyio
async def test_upgrading_twice_changes_nothing(
    engine: AsyncEngine, database_settings: Settings
) -> None:
    await migrate.upgrade_to_head(database_settings)
    await migrate.upgrade_to_head(database_settings)

    assert await migrate.is_at_head(engine)


@pytest.mark.postgres
@pytest.mark.slow
def test_replicas_upgrading_at_once_take_turns(postgres_url: str) -> None:
    # Replicas are processes (Alembic keeps its context in a module global, so one process
    # runs one migration at a time); PostgreSQL's advisory lock serializes them.
    env = child_env({"PETSAGE_DATABASE_URL": postgres_url})
    replicas = [
        subprocess.Popen(
            petsage_command("db", "upgrade"), env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [replica.communicate(timeout=60)[0] for replica in replicas]

    assert [replica.returncode for replica in replicas] == [0, 0, 0]
    head = migrate.head_revision()
    assert sum(f"upgraded from empty to head {head}" in out for out in outputs) >= 1
    assert run_petsage("db", "check", env={"PETSAGE_DATABASE_URL": postgres_url}).returncode == 0


def run_alembic(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """The `alembic` command line on the packaged configuration, as a developer runs it."""
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(migrate.ALEMBIC_INI), *args],
        env=child_env({"PETSAGE_DATABASE_URL": database_url}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_alembic_check_finds_nothing_to_generate(
    database_url: str, migrated_settings: Settings
) -> None:
    result = run_alembic("check", database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert "No new upgrade operations detected" in result.stdout + result.stderr


@pytest.mark.slow
def test_offline_mode_writes_the_sql_for_a_dba(sqlite_url: str) -> None:
    result = run_alembic("upgrade", "head", "--sql", database_url=sqlite_url)

    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE health_events" in result.stdout
    assert "CREATE INDEX ix_health_events_check_name_occurred_at" in result.stdout
