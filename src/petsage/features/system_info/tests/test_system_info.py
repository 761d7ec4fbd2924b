"""`/system/info` under each detail mode, and `/metrics` in the OpenAPI document."""

from __future__ import annotations

import platform
from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from petsage import __version__
from petsage.instance import instance_id
from petsage.main import create_app
from petsage.settings import Settings

TOKEN = "an-operator-token-0123456789"
RIGHT = {"Authorization": f"Bearer {TOKEN}"}
WRONG = {"Authorization": "Bearer not-the-operator-token"}


def info(settings: Settings, headers: dict[str, str] | None = None) -> dict[str, object]:
    response = TestClient(create_app(settings)).get("/system/info", headers=headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, object] = response.json()
    return body


@pytest.mark.parametrize(
    ("mode", "headers"),
    [
        ("never", None),
        ("never", RIGHT),
        ("authorized", None),
        ("authorized", WRONG),
    ],
)
def test_anonymous_callers_see_only_the_version(
    make_settings: Callable[..., Settings], mode: str, headers: dict[str, str] | None
) -> None:
    settings = make_settings(health_details=mode, health_token=TOKEN, git_commit="abc1234")

    assert info(settings, headers) == {"version": __version__, "details": None}


@pytest.mark.parametrize(("mode", "headers"), [("authorized", RIGHT), ("always", None)])
def test_allowed_callers_see_every_detail(
    make_settings: Callable[..., Settings], mode: str, headers: dict[str, str] | None
) -> None:
    settings = make_settings(health_details=mode, health_token=TOKEN, git_commit="abc1234")

    body = info(settings, headers)

    details = body["details"]
    assert isinstance(details, dict)
    assert body["version"] == __version__
    assert details["git_commit"] == "abc1234"
    assert details["python_version"] == platform.python_version()
    assert details["instance_id"] == instance_id()
    assert datetime.fromisoformat(details["started_at"]).tzinfo is not None
    assert 0 <= details["uptime_seconds"] < 60


def test_unknown_commit_is_null(make_settings: Callable[..., Settings]) -> None:
    details = info(make_settings(health_details="always"))["details"]

    assert isinstance(details, dict)
    assert details["git_commit"] is None


def test_openapi_documents_both_endpoints(client: TestClient) -> None:
    document = client.get("/openapi.json").json()

    system_info = document["paths"]["/system/info"]["get"]
    assert system_info["tags"] == ["System"]
    assert system_info["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SystemInfo"
    }
    assert {"HealthToken": []} in system_info["security"]
    metrics = document["paths"]["/metrics"]["get"]
    assert "text/plain; version=0.0.4; charset=utf-8" in metrics["responses"]["200"]["content"]


def test_metrics_answers_head(client: TestClient) -> None:
    response = client.head("/metrics")

    assert response.status_code == 200
    assert response.content == b""
