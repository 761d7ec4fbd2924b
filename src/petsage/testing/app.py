"""Fixtures for a PetSage app under test: its settings, and an in-process client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from petsage.main import create_app
from petsage.settings import Settings


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings isolated from the environment and `.env`, with data under `tmp_path`."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"data_dir": tmp_path / "var", "shutdown_drain_seconds": 0}
        values.update(overrides)
        if "data_dir" not in overrides:
            # As `petsage serve`'s preflight does: features write to the database at start-up.
            values["data_dir"].mkdir(parents=True, exist_ok=True)
        return Settings(_env_file=None, **values)

    return build


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """An in-process client of an app with default settings, lifespan included."""
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client
