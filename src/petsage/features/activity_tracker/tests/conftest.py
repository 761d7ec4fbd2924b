"""A real `petsage serve` per database (SQLite, PostgreSQL) shared by the summary and insights
tests, called over HTTP with development-issuer tokens. Each test makes its own pets under its
own owners, so no test sees another's rows and nothing is emptied between them."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from petsage.database.migrate import upgrade_to_head
from petsage.settings import Settings
from petsage.testing.databases import DATABASE_KINDS, PostgresServer, url_string
from petsage.testing.server import petsage_server
from petsage.testing.tokens import AccessTokens

READ, WRITE, ADMIN = "activity_tracker:read", "activity_tracker:write", "activity_tracker:admin"
PETS = ("pet_profile:read", "pet_profile:write")
_owners = itertools.count(1)


@dataclass
class Api:
    """The server's client, and tokens it accepts; `owner()` names a fresh owner."""

    client: httpx.Client
    tokens: AccessTokens

    def owner(self) -> str:
        return f"owner-{next(_owners)}"

    def as_owner(self, owner: str, *scopes: str) -> dict[str, str]:
        return self.tokens.headers(owner, *(scopes or (READ, WRITE, *PETS)))

    def pet(self, owner: str, goal: int | None = None, name: str = "Rex") -> int:
        body: dict[str, Any] = {"name": name, "species": "dog"}
        if goal is not None:
            body["daily_activity_goal_minutes"] = goal
        answer = self.client.post("/pet-profiles", json=body, headers=self.as_owner(owner))
        assert answer.status_code == 201, answer.text
        pet_id: int = answer.json()["id"]
        return pet_id

    def log(
        self, owner: str, pet_id: int, at: datetime, minutes: int, km: str | None = None
    ) -> None:
        """An activity of `minutes` started at `at` (aware), `km` long if given."""
        body: dict[str, Any] = {
            "pet_id": pet_id,
            "kind": "walk",
            "started_at": at.isoformat(),
            "duration_minutes": minutes,
        }
        if km is not None:
            body["distance_km"] = str(Decimal(km))
        answer = self.client.post("/activities", json=body, headers=self.as_owner(owner))
        assert answer.status_code == 201, answer.text

    def get(self, owner: str, path: str, *scopes: str, **params: str) -> httpx.Response:
        return self.client.get(path, params=params, headers=self.as_owner(owner, *scopes))


@contextmanager
def _database(request: pytest.FixtureRequest, root: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{root / 'var' / 'petsage.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        yield url_string(url)
    finally:
        server.drop_database(url)


@pytest.fixture(
    scope="package",
    params=DATABASE_KINDS,
)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    root = tmp_path_factory.mktemp("insights")
    data_dir = root / "var"
    data_dir.mkdir()
    with _database(request, root) as url:
        settings = Settings(_env_file=None, data_dir=data_dir, database_url=url)
        asyncio.run(upgrade_to_head(settings))
        env = {
            "PETSAGE_DATA_DIR": str(data_dir),
            "PETSAGE_DATABASE_URL": url,
            # These tests check answers, not speed (bench/pet_insights.py measures that): on a
            # two-core machine running the whole suite, PostgreSQL once took longer than the
            # default 0.5 s statement timeout, and the answer was the (right) 503.
            "PETSAGE_DB_STATEMENT_TIMEOUT_MS": "5000",
        }
        with (
            petsage_server(root, env=env) as server,
            httpx.Client(base_url=server.base_url, timeout=10) as client,
        ):
            yield Api(client, AccessTokens(data_dir))
