"""Fixtures for a PetSage app under test: its settings, and an in-process client."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from petsage.database.migrate import upgrade_to_head
from petsage.main import create_app
from petsage.settings import Settings


class MigratedSqlite:
    """An embedded database at the head revision, migrated once a session and copied for each
    test: migrating is ~0.3 s, a copy a millisecond."""

    def __init__(self, directory: Path) -> None:
        settings = Settings(_env_file=None, data_dir=directory)
        # Here, in a fixture's set-up, and not on first use: that may be inside an async test,
        # whose running loop `asyncio.run` refuses.
        asyncio.run(upgrade_to_head(settings))
        self._template = settings.sqlite_path

    def copy_to(self, settings: Settings) -> None:
        shutil.copyfile(self._template, settings.sqlite_path)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> MigratedSqlite:
    return MigratedSqlite(tmp_path_factory.mktemp("migrated-sqlite"))


@pytest.fixture
def make_settings(tmp_path: Path, migrated_sqlite: MigratedSqlite) -> Callable[..., Settings]:
    """Settings isolated from the environment and `.env`, with data under `tmp_path`.

    With neither `data_dir` nor `database_url` given, the embedded database is already at the
    head revision, as `petsage serve`'s preflight leaves it (it always migrates SQLite): an
    app started on an empty file would have its background work (the status page's heartbeat,
    the health history) fail and log in a state no server is ever in.
    """

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"data_dir": tmp_path / "var", "shutdown_drain_seconds": 0}
        values.update(overrides)
        if "data_dir" not in overrides:
            # As `petsage serve`'s preflight does: features write to the database at start-up.
            values["data_dir"].mkdir(parents=True, exist_ok=True)
        settings = Settings(_env_file=None, **values)
        if (
            not {"data_dir", "database_url"} & overrides.keys()
            and not settings.sqlite_path.exists()
        ):
            migrated_sqlite.copy_to(settings)
        return settings

    return build


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """An in-process client of an app with default settings, lifespan included."""
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client
