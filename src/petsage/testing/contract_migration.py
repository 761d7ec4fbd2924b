"""The contract's migration case: the resource's migration goes up, down and up again.

It runs on a fresh, empty database of its own (on SQLite and PostgreSQL, as the
`database_settings` fixture makes them), not on the class's shared app database, which is
already at the head. A class naming no `revision` skips it before any database is made.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Connection, inspect

from petsage.database.engine import create_engine
from petsage.database.migrate import downgrade_engine, upgrade_engine
from petsage.database.sqlite_threads import dispose_engine
from petsage.settings import Settings
from petsage.testing.contract_app import class_database, contract_settings
from petsage.testing.contract_base import ContractBase
from petsage.testing.databases import DATABASE_KINDS


class MigrationContract(ContractBase):
    @classmethod
    def migration_cases(cls) -> dict[str, list[Any]]:
        return {"migration_database": DATABASE_KINDS}

    def test_migration_goes_up_down_and_up_again(
        self, request: pytest.FixtureRequest, migration_database: str
    ) -> None:
        """Up to `revision`: the table exists; down to `down_revision`: gone; up: back."""
        if self.revision is None:
            pytest.skip("the class names no `revision`")
        down = self.down_revision or "base"
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        with class_database(request, migration_database) as url:
            settings = contract_settings(factory.mktemp("migration") / "var", url)
            asyncio.run(migration_round_trip(settings, self.table().name, self.revision, down))


async def migration_round_trip(
    settings: Settings, table: str, revision: str, down_revision: str
) -> None:
    """Migrate `settings`' database up to `revision`, down to `down_revision` and up again,
    checking after each step whether `table` exists."""
    engine = create_engine(settings, statement_timeout_ms=0)
    steps = [(revision, True), (down_revision, False), (revision, True)]
    try:
        for target, exists in steps:
            migrate = upgrade_engine if exists else downgrade_engine
            await migrate(engine, target)
            async with engine.connect() as connection:
                tables = await connection.run_sync(table_names)
            assert (table in tables) is exists, (target, table, tables)
    finally:
        await dispose_engine(engine)


def table_names(connection: Connection) -> list[str]:
    return inspect(connection).get_table_names()
