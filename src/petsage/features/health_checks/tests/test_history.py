"""`/system/health/history`: status changes recorded by the engine, listed over HTTP, on SQLite
and on PostgreSQL; bad parameters answered with a 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from petsage.health.model import Status
from petsage.process import instance_id
from petsage.settings import Settings
from petsage.testing.health import Switch, wait_for, wait_for_status
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


@pytest.fixture
def flipped(
    database_url: str,  # first: the database must outlive the app using it
    health_client: HealthClientFactory,
    migrated: Callable[..., Settings],
    switch: Switch,
) -> TestClient:
    """An app whose switch went ok -> error -> ok, with both changes written. Other checks may
    change too on a busy machine (`event_loop`), so the tests look at the switch's changes."""
    client = health_client(migrated(database_url=database_url, health_token=TOKEN))
    switch.fail("the switch is off")
    wait_for_status(client.app, "switch", Status.ERROR)  # type: ignore[arg-type]
    switch.recover()
    wait_for_status(client.app, "switch", Status.OK)  # type: ignore[arg-type]
    wait_for(lambda: history(client, check="switch")["total"] >= 2, "two recorded changes")
    return client


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
    health_client: HealthClientFactory, params: dict[str, Any], location: list[str]
) -> None:
    response = health_client().get(HISTORY, params=params)

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
    database_url: str,
    health_client: HealthClientFactory,
    migrated: Callable[..., Settings],
    params: dict[str, str],
) -> None:
    client = health_client(migrated(database_url=database_url))

    response = client.get(HISTORY, params=params)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    (problem,) = error["problems"]
    assert problem["location"] == ["query", *params]
    assert "outside years 1 to 9999" in problem["message"]


def test_the_edges_of_the_utc_range_are_served_on_each_database(
    database_url: str, health_client: HealthClientFactory, migrated: Callable[..., Settings]
) -> None:
    client = health_client(migrated(database_url=database_url))

    body = history(
        client, since="0001-01-01T00:00:00Z", until="9999-12-31T23:59:59.999999Z", check="switch"
    )

    assert body["total"] == 0
    assert history(client, since="0001-01-01T00:00:00-14:00")["limit"] == 50


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
