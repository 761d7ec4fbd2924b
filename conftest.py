"""Fixtures shared by every test, in features and in tests/."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from petsage.main import create_app
from petsage.settings import Settings

# Database fixtures (sqlite_url, postgres_url, database_url, migrated_settings, ...).
pytest_plugins = ["tests.support.databases"]

# Server tests run `petsage` subprocesses in temporary directories; coverage measures them
# (patch = ["subprocess"]) but would write their data files there. Anchor the data file here.
os.environ.setdefault("COVERAGE_FILE", str(Path(__file__).parent / ".coverage"))

# About three and a half minutes on their own, mostly waiting on a paced load. First, so that
# under xdist (`--dist loadfile --no-loadscope-reorder`, the README's test command) one worker
# starts them at once while the others share the rest: the suite then takes about as long as
# the longer of the two, not their sum.
RUN_FIRST = ("tests/soak/",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(RUN_FIRST))


@pytest.hookimpl(wrapper=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Generator[None, int, int]:
    """`-n auto`: xdist's count (the cores), plus two. The soak's worker waits on a paced load
    for three minutes, using about a third of a core, and many server tests wait on a process
    or a timeout: on 2 cores, four workers took the suite from 6 min 17 s to 5 min 17 s (same
    tree, same machine, one run each), where the third worker had taken it from 6 min 58 s to
    6 min 12 s (README, "The test suite"). PYTEST_XDIST_AUTO_NUM_WORKERS is taken as it is."""
    cores: int = yield
    return cores if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") else cores + 2


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings isolated from the environment and `.env`, with data under `tmp_path`."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"data_dir": tmp_path / "var", "shutdown_drain_seconds": 0}
        values.update(overrides)
        if "data_dir" not in overrides:
            # As `petsage serve`'s preflight does: features write to the database at start-up.
            values["data_dir"].mkdir(parents=True, exist_ok=True)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return build


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """An in-process client of an app with default settings, lifespan included."""
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client
