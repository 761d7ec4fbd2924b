"""An app with a migrated SQLite database, fast rounds and a `Switch` check, lifespan running."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from petsage.database.migrate import upgrade_to_head
from petsage.main import AppOptions, assemble_app
from petsage.settings import Settings
from petsage.testing.health import FAST_INTERVAL, Switch, wait_for_rounds

TOKEN = "operator-token-0123456789abcdef"
RIGHT = {"Authorization": f"Bearer {TOKEN}"}
WRONG = {"Authorization": "Bearer operator-token-0123456789abcdeX"}
HEALTH_JSON = {"Accept": "application/health+json"}
# Fast rounds; and a loop-lag threshold that a busy 2-core CI machine cannot trip by accident
# (the event_loop check has its own test).
STEADY: dict[str, Any] = {
    "health_interval_seconds": FAST_INTERVAL,
    "health_loop_lag_warning_ms": 60_000,
}

HealthClientFactory = Callable[..., TestClient]


@pytest.fixture
def switch() -> Switch:
    return Switch()


@pytest.fixture
def migrated(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    """Settings (with `overrides`) for a SQLite file already at the head revision."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {**STEADY, **overrides}
        settings = make_settings(**values)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        asyncio.run(upgrade_to_head(settings))
        return settings

    return build


@pytest.fixture
def health_client(
    migrated: Callable[..., Settings], switch: Switch
) -> Iterator[HealthClientFactory]:
    """Start an app (with the switch registered) and wait for its first round of checks."""
    clients: list[TestClient] = []

    def start(settings: Settings | None = None, **app_options: Any) -> TestClient:
        options = AppOptions(health_checks=[switch.provider()], **app_options)
        app = assemble_app(settings or migrated(), options)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        wait_for_rounds(app)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)
