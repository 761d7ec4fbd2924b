"""The status page through real database outages, and after them, on a real `petsage serve`.

PetSage reaches a throwaway PostgreSQL cluster through a fault proxy. The test stops the
cluster for real (`pg_ctl stop`): the page, its title, the badges, `status.json` and the event
stream must all show the outage within one interval of readiness turning 503, with
`history_complete: false` and an `updated_at` that moves; an HTTP dependency fails and recovers
meanwhile. Once the database is back, the changes made meanwhile reach it with their own times:
the database's incident, the dependency's and the reduced uptime are there. Then the proxy
black-holes the database and `petsage serve` is restarted in the middle of it, which shows the
README's guarantee: the new process shows the outage live at once and, once the database is
back, has the first outage as it was and the second from the restart on (the old process's
memory of it is gone).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.support.fault_proxy import FaultProxy
from tests.support.faults import ThrowawayPostgres
from tests.support.server import RunningServer, petsage_server
from tests.support.stub_http import StoppableDependency, stoppable_dependency

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

READY = "/system/health/ready"
STATUS = "/system/status"
TOKEN = "status-outage-token-0123456789"
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}
INTERVAL = 0.5
# What the other fault tests allow for a loaded 2-core machine: probers' period, a late loop.
ALLOWANCE = 0.5
BLACK_HOLE_CLIENT_TIMEOUT = 0.75
# A bound on slow work (a start, a recovery), not a measure.
SETTLE_SECONDS = 60.0
DEPENDENCY = "http:stub"


def server_env(
    postgres: ThrowawayPostgres, database: str, dependency: str, port: int
) -> dict[str, str]:
    checks = [{"name": "stub", "url": dependency, "timeout_seconds": 0.4}]
    return {
        "PETSAGE_DATABASE_URL": postgres.url(database, port),
        "PETSAGE_DB_MIGRATE_ON_START": "true",
        "PETSAGE_HEALTH_INTERVAL_SECONDS": str(INTERVAL),
        "PETSAGE_HEALTH_TOKEN": TOKEN,
        "PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(checks),
        # Two outages seconds apart stay two incidents.
        "PETSAGE_STATUS_INCIDENT_MERGE_SECONDS": "0",
        "PETSAGE_HEALTH_LOOP_LAG_WARNING_MS": "60000",
        # With incidents never merged, one round trip past the default 0.8 s just after the
        # database is back (new connections on a loaded 2-core machine) would be one more
        # database incident than the outages made. The faults here are a refused connection
        # and a black hole, which no timeout can pass for ok.
        "PETSAGE_HEALTH_CHECK_TIMEOUT_SECONDS": "2",
    }


def summary(server: RunningServer) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(server.base_url + STATUS + ".json", timeout=10).json()
    return body


def check(body: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in body["checks"] if c["name"] == name)
    return found


def incidents_of(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [incident for incident in body["incidents"] if incident["check"] == name]


def wait_for_summary(server: RunningServer, holds: Any) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        body = summary(server)
        if holds(body):
            return body
        assert time.monotonic() < deadline, f"never held: {json.dumps(without_days(body))}"
        time.sleep(0.1)


def without_days(body: dict[str, Any]) -> dict[str, Any]:
    """The summary without its 90-day bars: what a failure message can show in full."""
    checks = [{k: v for k, v in c.items() if k != "days"} for c in body.get("checks", [])]
    return {**{k: v for k, v in body.items() if k != "days"}, "checks": checks}


def settled(body: dict[str, Any]) -> bool:
    """Computed from the database, every check known and ok."""
    return bool(body["history_complete"]) and body["banner"] == "operational"


class StreamRecorder:
    """Reads the page's event stream in a thread and keeps every `summary` event."""

    def __init__(self, server: RunningServer) -> None:
        self.events: list[dict[str, Any]] = []
        self._client = httpx.Client(timeout=httpx.Timeout(5, read=SETTLE_SECONDS))
        self._thread = threading.Thread(target=self._read, args=(server,), daemon=True)
        self._stop = threading.Event()

    def _read(self, server: RunningServer) -> None:
        try:
            with self._client.stream("GET", server.base_url + STATUS + "/events") as response:
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        self.events.append(json.loads(line.removeprefix("data: ")))
        except (httpx.HTTPError, RuntimeError):
            if not self._stop.is_set():  # closing the client ends the read: not a failure
                raise

    def __enter__(self) -> StreamRecorder:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._client.close()
        self._thread.join(timeout=10)


@contextmanager
def outage_scene(
    postgres: ThrowawayPostgres, proxy: FaultProxy
) -> Iterator[tuple[dict[str, str], StoppableDependency]]:
    database = postgres.create_database("petsage_status_outage")
    with stoppable_dependency() as dependency:
        yield server_env(postgres, database, dependency.url, proxy.port), dependency


def test_the_page_shows_a_database_outage_and_keeps_it_after_a_restart(
    postgres: ThrowawayPostgres, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    with outage_scene(postgres, fault_proxy) as (env, dependency):
        with petsage_server(tmp_path, env=env, ready_path=READY) as server:
            before = wait_for_summary(server, settled)
            with StreamRecorder(server) as stream:
                stopped_at = time.monotonic()
                postgres.stop("fast")
                ready_503, page_outage = first_outage(server)
                during = summary(server)
                dependency.stop()  # an incident that begins and ends during the outage
                wait_for_summary(server, lambda b: check(b, DEPENDENCY)["status"] == "error")
                dependency.start()
                later = wait_for_summary(server, lambda b: check(b, DEPENDENCY)["status"] == "ok")
                page = httpx.get(server.base_url + STATUS, timeout=10).text
                badge = httpx.get(server.base_url + STATUS + "/badge.svg", timeout=10).text
                db_badge = httpx.get(server.base_url + STATUS + "/badge/database.json", timeout=10)
                detailed = httpx.get(server.base_url + STATUS + ".json", headers=AUTHORIZED)
                streamed = list(stream.events)
                postgres.start()
                back = wait_for_summary(
                    server, lambda b: settled(b) and bool(incidents_of(b, DEPENDENCY))
                )
            recovered_after = time.monotonic() - stopped_at
            # A second outage, a black hole this time, and a restart in the middle of it: this
            # process's memory of it is lost (see the README); the next one records it from
            # its own start.
            fault_proxy.black_hole()
            hole_503, hole_outage = first_outage(server)
        restarted = datetime.now(UTC)
        # Not migrating: that would wait for the database. Live, not ready, as in production.
        down_env = {**env, "PETSAGE_DB_MIGRATE_ON_START": "false"}
        with petsage_server(tmp_path, env=down_env) as again:
            restarted_during = wait_for_summary(again, lambda b: b["banner"] == "outage")
            fault_proxy.forward()
            after_restart = wait_for_summary(
                again, lambda b: settled(b) and len(incidents_of(b, "database")) == 2
            )

    # Within one interval of readiness (and the allowance), everything says outage.
    assert page_outage - ready_503 <= INTERVAL + ALLOWANCE, (ready_503, page_outage)
    assert during["banner"] == "outage"
    assert check(during, "database")["status"] == "error"
    assert during["history_complete"] is False
    assert datetime.fromisoformat(later["updated_at"]) > datetime.fromisoformat(
        during["updated_at"]
    )
    assert "<title>Major outage · PetSage status</title>" in page
    assert "History incomplete" in page
    assert ">major outage</text>" in badge
    assert db_badge.json()["message"] == "outage"
    assert check(detailed.json(), "database")["reason"], "the operator sees why"
    assert any(e["banner"] == "outage" and not e["history_complete"] for e in streamed)
    assert [i["ended_at"] for i in incidents_of(later, "database")] == [None]

    # A computation already waiting on a black hole fails only at the database client's
    # timeout (PETSAGE_DB_STATEMENT_TIMEOUT_MS, 0.5 s, plus 0.25 s); later ones never wait.
    assert hole_outage - hole_503 <= INTERVAL + BLACK_HOLE_CLIENT_TIMEOUT + ALLOWANCE

    # Back: the outage's changes were written with their own times.
    # No database incident before the fault (a loaded start may open others: CI's coverage run
    # saw the loop lag and the pooled probe connection's wait each cut a moment short).
    assert incidents_of(before, "database") == []
    assert back["history_complete"] is True
    (first,) = incidents_of(back, "database")
    assert first["ended_at"] is not None
    assert 0 < first["duration_seconds"] < recovered_after
    # One incident, or more where a loaded machine made the stub's check flap: each is kept.
    dependency_incidents = incidents_of(back, DEPENDENCY)
    assert dependency_incidents
    assert check(back, "database")["uptime"]["24h"] < 1
    assert back["uptime"]["24h"] < 1
    # The one the page showed live is the one written: the id is the check and its start.
    assert {i["id"] for i in incidents_of(later, "database")} == {first["id"]}

    # Restarted during the second outage: the new process shows it live at once...
    assert restarted_during["history_complete"] is False
    assert check(restarted_during, "database")["status"] == "error"
    # ...and after the database is back, read by a process that did not see the first: both
    # incidents of the first outage as they were, and the second from the restart on.
    assert after_restart["history_complete"] is True
    by_id = {i["id"]: i for i in after_restart["incidents"]}
    assert by_id[first["id"]] == {**first, "reason": None}
    for incident in dependency_incidents:
        assert by_id[incident["id"]] == {**incident, "reason": None}
    second = next(i for i in incidents_of(after_restart, "database") if i["id"] != first["id"])
    assert datetime.fromisoformat(second["started_at"]) >= restarted
    assert second["ended_at"] is not None
    assert check(after_restart, "database")["uptime"]["24h"] < 1


def first_outage(server: RunningServer) -> tuple[float, float]:
    """When readiness first answered 503, and when `status.json` first said outage."""
    ready_503 = page_outage = None
    deadline = time.monotonic() + SETTLE_SECONDS
    with httpx.Client(timeout=5) as client:
        while ready_503 is None or page_outage is None:
            assert time.monotonic() < deadline, "the outage never showed"
            now = time.monotonic()
            if ready_503 is None and client.get(server.base_url + READY).status_code == 503:
                ready_503 = now
            body = client.get(server.base_url + STATUS + ".json").json()
            if page_outage is None and body["banner"] == "outage":
                page_outage = time.monotonic()
            time.sleep(0.02)
    return ready_503, page_outage
