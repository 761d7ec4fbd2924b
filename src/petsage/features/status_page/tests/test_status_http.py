"""`GET /system/status.json` over HTTP: the detail policy, the metric, the switch, the cache."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from petsage.features.status_page.dependencies import BOARD
from petsage.features.status_page.settings import StatusPageSettings
from petsage.http.dependencies import DATABASE, HEALTH
from petsage.http.state import state_of
from petsage.main import AppOptions, assemble_app, create_app
from petsage.settings import Settings
from petsage.testing.server import free_port, petsage_server

JSON_PATH = "/system/status.json"
HEARTBEATS_PATH = "/system/status/heartbeats.json"
TOKEN = "a-status-page-token-0123456789"
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}
# A bound on a loaded machine, not a measure.
SETTLE_SECONDS = 60.0


def dead_check(name: str = "dep", *, critical: bool = False) -> str:
    """A check of a port nothing listens on: `error` from its first round."""
    url = f"http://127.0.0.1:{free_port()}/"
    return json.dumps([{"name": name, "url": url, "critical": critical}])


def wait_for(
    read: Callable[[], dict[str, Any]], holds: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        body = read()
        if holds(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def settle(statements: list[str], ready: Callable[[], bool]) -> None:
    """Wait until start-up work (first round, first rollup, first summary) has gone quiet."""
    deadline = time.monotonic() + SETTLE_SECONDS
    seen = -1
    while time.monotonic() < deadline and not (ready() and seen == len(statements)):
        seen = len(statements)
        time.sleep(1.0)


def check_of(body: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in body["checks"] if c["name"] == name)
    return found


def uptime_metrics(text: str) -> dict[tuple[str, str], float]:
    values = {}
    for line in text.splitlines():
        if line.startswith("petsage_health_uptime_ratio{"):
            labels, value = line.split("} ")
            parts = dict(p.split("=") for p in labels.split("{")[1].split(","))
            values[(parts["check"].strip('"'), parts["window"].strip('"'))] = float(value)
    return values


@pytest.mark.slow
def test_reasons_only_with_the_token_and_the_metric_carries_the_same_uptime(
    tmp_path: Path,
) -> None:
    env = {
        "PETSAGE_HEALTH_TOKEN": TOKEN,
        "PETSAGE_HEALTH_HTTP_CHECKS": dead_check(),
        "PETSAGE_HEALTH_INTERVAL_SECONDS": "3600",  # one round: the summary then holds still
    }
    with petsage_server(tmp_path, env=env) as server:

        def read(headers: dict[str, str] | None = None) -> dict[str, Any]:
            response = httpx.get(server.base_url + JSON_PATH, headers=headers, timeout=10)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        authorized = wait_for(
            lambda: read(AUTHORIZED),
            lambda b: (
                check_of(b, "http:dep")["status"] == "error" and b["banner"] == "partial_outage"
            ),
        )
        anonymous = read()
        metrics = uptime_metrics(httpx.get(server.base_url + "/metrics", timeout=10).text)
        # The metric and the page must come from one computation: when the summary was
        # recomputed between the reads (its cache expired on a loaded machine), read again.
        while (reread := read(AUTHORIZED))["updated_at"] != authorized["updated_at"]:
            authorized, anonymous = reread, read()
            metrics = uptime_metrics(httpx.get(server.base_url + "/metrics", timeout=10).text)
        beats = httpx.get(server.base_url + HEARTBEATS_PATH, timeout=10)
        again = httpx.get(
            server.base_url + HEARTBEATS_PATH,
            headers={"if-none-match": beats.headers["etag"]},
            timeout=10,
        )

    # The last rounds of each check, with how long each took; a reader holding them gets 304.
    last_round = beats.json()["checks"]["http:dep"][-1]
    assert last_round["status"] == "error"
    assert last_round["ms"] >= 0
    assert {"database", "disk"} <= set(beats.json()["checks"])
    assert (again.status_code, again.content) == (304, b"")  # one round an hour: no new one

    failing = check_of(authorized, "http:dep")
    assert failing["reason"]  # ConnectError, or a timeout on a loaded machine
    # The first incident of the dead dependency (a loaded machine may add others).
    incident = next(i for i in authorized["incidents"] if i["check"] == "http:dep")
    assert incident["reason"] == failing["reason"]
    assert incident["ended_at"] is None
    assert check_of(anonymous, "http:dep")["reason"] is None
    assert all(i["reason"] is None for i in anonymous["incidents"])
    assert [i["id"] for i in anonymous["incidents"]] == [i["id"] for i in authorized["incidents"]]
    assert len(anonymous["days"]) == 90
    assert all(len(c["days"]) == 90 for c in anonymous["checks"])
    expected = {("_overall", w): v for w, v in anonymous["uptime"].items() if v is not None}
    for check in anonymous["checks"]:
        expected |= {(check["name"], w): v for w, v in check["uptime"].items() if v is not None}
    assert metrics == pytest.approx(expected)
    assert ("http:dep", "30d") in metrics


def test_disabled_the_feature_answers_404_and_adds_no_metric(
    make_settings: Callable[..., Settings],
) -> None:
    off = AppOptions(feature_settings=[StatusPageSettings(page_enabled=False)])
    with TestClient(assemble_app(make_settings(), off)) as client:
        assert client.get(JSON_PATH).status_code == 404
        assert client.get(JSON_PATH).json()["error"]["code"] == "not_found"
        assert "petsage_health_uptime_ratio" not in client.get("/metrics").text
        assert JSON_PATH not in client.get("/openapi.json").json()["paths"]


@pytest.fixture
def counted(migrated_settings: Settings) -> Iterator[tuple[TestClient, list[str]]]:
    settings = migrated_settings.model_copy(update={"health_interval_seconds": 3600.0})
    app = create_app(settings)
    statements: list[str] = []
    event.listen(
        state_of(app).get(DATABASE).engine.sync_engine,
        "before_cursor_execute",
        lambda *args: statements.append(args[2]),
    )
    with TestClient(app) as client:
        yield client, statements


def test_viewers_cost_no_database_query(counted: tuple[TestClient, list[str]]) -> None:
    client, statements = counted
    app: Any = client.app
    state = state_of(app)
    board, health = state.get(BOARD), state.get(HEALTH)
    for _ in range(5):  # background work during the requests (a change, a rollup): again
        settle(statements, lambda: health.snapshot.started and not board.refresh_requested)
        refreshes, before = board.refreshes, len(statements)

        answers = [client.get(JSON_PATH, headers=AUTHORIZED if n % 2 else None) for n in range(50)]

        if board.refreshes == refreshes and not board.refresh_requested:
            break
    assert all(answer.status_code == 200 for answer in answers)
    assert statements[before:] == []
