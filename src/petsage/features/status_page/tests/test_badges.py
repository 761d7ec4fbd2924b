"""Badges, SVG and shields.io JSON, through the app factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from petsage.features.status_page.tests.factories import (
    AUTHORIZED,
    SECRET_REASON,
    TOKEN,
    sample_summary,
    serving,
)
from petsage.main import AppOptions, assemble_app
from petsage.settings import Settings

SVG_NS = "{http://www.w3.org/2000/svg}"
BADGE = "/system/status/badge"


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    settings = make_settings(health_token=TOKEN)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = assemble_app(settings, AppOptions(features=[serving(sample_summary())]))
    with TestClient(app) as test_client:
        yield test_client


def svg_words(body: str) -> tuple[str, list[str]]:
    root = ElementTree.fromstring(body)  # noqa: S314 - our own answer; invalid XML raises
    title = root.find(f"{SVG_NS}title")
    assert title is not None
    assert title.text is not None
    return title.text, [text.text or "" for text in root.iter(f"{SVG_NS}text")]


def test_status_badge_names_the_overall_status(client: TestClient) -> None:
    response = client.get(f"{BADGE}.svg")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    # One round of checks (5 s by default): the summary changes no faster.
    assert response.headers["cache-control"] == "public, max-age=5"
    assert response.headers["vary"] == "accept-encoding, Authorization"
    assert svg_words(response.text) == ("status: partial outage", ["status", "partial outage"])


@pytest.mark.parametrize(
    ("check", "words"),
    [("database", ["database", "outage"]), ("http:payments", ["http:payments", "degraded"])],
)
def test_check_badge_names_its_status(client: TestClient, check: str, words: list[str]) -> None:
    response = client.get(f"{BADGE}/{check}.svg")

    assert response.status_code == 200
    assert svg_words(response.text)[1] == words


def test_uptime_badge_shows_the_window(client: TestClient) -> None:
    overall = client.get(f"{BADGE}.svg", params={"metric": "uptime", "window": "30d"})
    check = client.get(f"{BADGE}/database.svg", params={"metric": "uptime", "window": "90d"})
    unknown = client.get(f"{BADGE}/http:payments.svg", params={"metric": "uptime", "window": "90d"})

    assert svg_words(overall.text)[1] == ["uptime 30d", "99.90%"]
    assert svg_words(check.text)[1] == ["database uptime 90d", "99.96%"]
    assert svg_words(unknown.text)[1] == ["http:payments uptime 90d", "no data"]


def test_shields_endpoint_json(client: TestClient) -> None:
    overall = client.get(f"{BADGE}.json").json()
    check = client.get(f"{BADGE}/disk.json", params={"metric": "uptime", "window": "7d"}).json()

    assert overall == {
        "schemaVersion": 1,
        "label": "status",
        "message": "partial outage",
        "color": "bc4c00",
    }
    assert check == {
        "schemaVersion": 1,
        "label": "disk uptime 7d",
        "message": "100.00%",
        "color": "1a7f37",
    }


@pytest.mark.parametrize("suffix", [".svg", ".json"])
def test_unknown_check_is_404(client: TestClient, suffix: str) -> None:
    response = client.get(f"{BADGE}/nope{suffix}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "check_not_found"


@pytest.mark.parametrize(
    "params", [{"metric": "uptime", "window": "1y"}, {"metric": "latency"}, {"window": ""}]
)
@pytest.mark.parametrize("path", [f"{BADGE}.svg", f"{BADGE}.json", f"{BADGE}/disk.svg"])
def test_unknown_window_or_metric_is_422(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("headers", [{}, AUTHORIZED])
@pytest.mark.parametrize(
    "path", [f"{BADGE}.svg", f"{BADGE}.json", f"{BADGE}/database.svg", f"{BADGE}/database.json"]
)
def test_badges_never_carry_reasons(client: TestClient, path: str, headers: dict[str, str]) -> None:
    response = client.get(path, headers=headers)

    assert response.status_code == 200
    assert SECRET_REASON not in response.text
    assert "10.0.0.7" not in response.text
