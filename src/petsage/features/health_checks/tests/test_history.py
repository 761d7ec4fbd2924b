"""`/system/health/history`: status changes recorded by the engine, listed over HTTP, on SQLite
and on PostgreSQL; bad parameters answered with a 422.

One app per database serves the whole module: its switch goes ok -> error -> ok once, and every
test only reads what that wrote. An app per test (its database migrated, its lifespan started
and stopped) was most of the module's time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from petsage.database.migrate import upgrade_to_head
from petsage.health.model import Status
from petsage.main import AppOptions, assemble_app
from petsage.process import instance_id
from petsage.settings import Settings
from petsage.testing.databases import DATABASE_KINDS, PostgresServer, url_string
from petsage.testing.health import Switch, wait_for, wait_for_rounds, wait_for_status
from petsage.testing.server import free_port

from .conftest import HEALTH_JSON, RIGHT, STEADY, TOKEN, WRONG, HealthClientFactory

HISTORY = "/system/health/history"


def history(
    client: TestClient, headers: dict[str, str] | None = None, **params: Any
) -> dict[str, Any]:
    response = client.get(HISTORY, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class FlippedApps:
    """One app per database for the module, started on first use, each with its own switch
    flipped ok -> error -> ok and both changes written. Other checks may change too on a busy
    machine (`event_loop`), so the tests look at the switch's changes."""

    def __init__(self, root: Path, stack: ExitStack) -> None:
        self._root = root
        self._stack = stack  # closes in reverse: each app stops before its database goes
        self._clients: dict[str, TestClient] = {}

    def get(self, kind: str, server: PostgresServer | None = None) -> TestClient:
        if kind not in self._clients:
            self._clients[kind] = self._start(kind, server)
        return self._clients[kind]

    def _database(self, kind: str, server: PostgresServer | None) -> str:
        if server is None:
            return f"sqlite+aiosqlite:///{self._root / kind / 'petsage.sqlite3'}"
        url = server.create_database()
        self._stack.callback(server.drop_database, url)
        return url_string(url)

    def _start(self, kind: str, server: PostgresServer | None) -> TestClient:
        data_dir = self._root / kind
        data_dir.mkdir()
        settings = Settings(
            _env_file=None,
            data_dir=data_dir,
            shutdown_drain_seconds=0,
            database_url=self._database(kind, server),
            health_token=TOKEN,
            **STEADY,
        )
        asyncio.run(upgrade_to_head(settings))
        switch = Switch()
        app = assemble_app(settings, AppOptions(health_checks=[switch.provider()]))
        client = self._stack.enter_context(TestClient(app))
        wait_for_rounds(app)
        switch.fail("the switch is off")
        wait_for_status(app, "switch", Status.ERROR)
        switch.recover()
        wait_for_status(app, "switch", Status.OK)
        wait_for(lambda: history(client, check="switch")["total"] >= 2, "two recorded changes")
        return client


@pytest.fixture(scope="module")
def flipped_apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlippedApps]:
    with ExitStack() as stack:
        yield FlippedApps(tmp_path_factory.mktemp("history"), stack)


@pytest.fixture(params=DATABASE_KINDS)
def flipped(request: pytest.FixtureRequest, flipped_apps: FlippedApps) -> TestClient:
    """The module's app on SQLite, then on PostgreSQL."""
    kind: str = request.param
    if kind == "sqlite":
        return flipped_apps.get(kind)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return flipped_apps.get(kind, server)


@pytest.fixture
def sqlite_app(flipped_apps: FlippedApps) -> TestClient:
    """The module's SQLite app, for answers that do not depend on the database."""
    return flipped_apps.get("sqlite")


def test_changes_are_listed_newest_first(flipped: TestClient) -> None:
    body = history(flipped, check="switch")

    assert body["total"] == 2  # a check starting healthy is not recorded
    assert (body["limit"], body["offset"]) == (50, 0)
    recovery, failure = body["items"]
    assert (recovery["check"], recovery["old_status"], recovery["new_status"]) == (
        "switch",
        "error",
        "ok",
    )
    assert (failure["old_status"], failure["new_status"]) == ("ok", "error")
    assert recovery["occurred_at"] >= failure["occurred_at"]
    assert recovery["reason"] == "check passed"
    assert failure["reason"] == "reason withheld"
    assert "instance_id" not in failure  # a detail: the host name maps the deployment


def test_reasons_show_with_the_token(flipped: TestClient) -> None:
    failure = history(flipped, check="switch", headers=RIGHT)["items"][1]

    assert failure["reason"] == "the switch is off"
    assert failure["instance_id"] == instance_id()


ANONYMOUS_VIEWS = [
    (HISTORY, {}),
    ("/system/health/checks", {}),
    ("/system/health/checks/switch", {}),
    ("/system/health/ready", {}),
    ("/system/health/ready", HEALTH_JSON),
    ("/system/health", {}),
    ("/system/info", {}),
]


@pytest.mark.parametrize(("path", "accept"), ANONYMOUS_VIEWS)
def test_the_instance_id_is_a_detail_on_every_endpoint(
    flipped: TestClient, path: str, accept: dict[str, str]
) -> None:
    anonymous = flipped.get(path, headers=accept)
    wrong = flipped.get(path, headers={**accept, **WRONG})
    authorized = flipped.get(path, headers={**accept, **RIGHT})

    for response in (anonymous, wrong):
        assert response.status_code == 200, response.text
        assert "instance_id" not in response.text
        assert instance_id() not in response.text
    if path in (HISTORY, "/system/info"):
        assert instance_id() in authorized.text


def test_filters_and_pages(flipped: TestClient) -> None:
    newest, oldest = history(flipped, check="switch")["items"]

    assert history(flipped)["total"] >= 2
    assert history(flipped, check="disk") == {"items": [], "total": 0, "limit": 50, "offset": 0}
    second_page = history(flipped, check="switch", limit=1, offset=1)
    assert second_page["items"] == [oldest]
    assert second_page["total"] == 2
    assert history(flipped, check="switch", since=newest["occurred_at"])["items"] == [newest]
    assert history(flipped, check="switch", until=newest["occurred_at"])["items"] == [oldest]
    assert history(flipped, since="2999-01-01T00:00:00+02:00")["total"] == 0


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 501}, ["query", "limit"]),
        ({"offset": -1}, ["query", "offset"]),
        ({"limit": "many"}, ["query", "limit"]),
        ({"since": "2024-01-01T00:00:00"}, ["query", "since"]),
        ({"until": "yesterday"}, ["query", "until"]),
        ({"until": "0.5"}, ["query", "until"]),  # a Unix time is not an RFC 3339 date-time
        ({"since": "1700000000"}, ["query", "since"]),
        ({"since": "2024-01-01"}, ["query", "since"]),
        ({"check": "Not A Name"}, ["query", "check"]),
        ({"since": "9999-12-31T23:59:59-23:00"}, ["query", "since"]),
        ({"until": "0001-01-01T00:00:00+23:59"}, ["query", "until"]),
        ({"since": "2024-02-01T00:00:00Z", "until": "2024-01-01T00:00:00Z"}, ["query"]),
    ],
)
def test_bad_parameters_are_a_422(
    sqlite_app: TestClient, params: dict[str, Any], location: list[str]
) -> None:
    response = sqlite_app.get(HISTORY, params=params)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["problems"][0]["location"] == location


@pytest.mark.parametrize(
    "params",
    [
        {"since": "0001-01-01T00:00:00+14:00"},
        {"until": "9999-12-31T23:59:59-14:00"},
    ],
    ids=["since-before-year-1", "until-after-year-9999"],
)
def test_times_outside_the_utc_range_are_a_422_on_each_database(
    flipped: TestClient, params: dict[str, str]
) -> None:
    response = flipped.get(HISTORY, params=params)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    (problem,) = error["problems"]
    assert problem["location"] == ["query", *params]
    assert "outside years 1 to 9999" in problem["message"]


def test_the_edges_of_the_utc_range_are_served_on_each_database(flipped: TestClient) -> None:
    body = history(
        flipped, since="0001-01-01T00:00:00Z", until="9999-12-31T23:59:59.999999Z", check="switch"
    )

    assert body["total"] == 2  # the whole range holds both of the switch's changes
    assert history(flipped, since="0001-01-01T00:00:00-14:00")["limit"] == 50


def test_history_during_a_database_outage_is_a_503(
    health_client: HealthClientFactory, make_settings: Callable[..., Settings]
) -> None:
    dead = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/petsage"
    client = health_client(make_settings(database_url=dead, **STEADY))

    response = client.get(HISTORY)

    assert response.status_code == 503
    assert response.json()["error"] == {
        "status": 503,
        "code": "history_unavailable",
        "message": "The health history cannot be read: the database is unavailable.",
    }
