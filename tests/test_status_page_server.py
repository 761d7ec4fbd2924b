"""The status page's HTTP surface on a real `petsage serve`: live events, the stream cap, streams
ending at drain and shutdown, the detail policy on every path, and switching it all off."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import feedparser
import httpx2 as httpx
import pytest

from tests.support.server import RunningServer, petsage_server
from tests.support.stub_http import StoppableDependency, stoppable_dependency

pytestmark = pytest.mark.slow

TOKEN = "status-page-token-0123456789"
AUTHORIZED = {"authorization": f"Bearer {TOKEN}"}
CHECK = "http:stub"
STATUS = "/system/status"
EVENTS = f"{STATUS}/events"
# A bound for a change to reach a stream: many intervals on a loaded machine, not a timing.
CHANGE_BOUND_SECONDS = 30.0
GRACEFUL_TIMEOUT_EXCEEDED = "timeout graceful shutdown exceeded"


def server_env(dependency: StoppableDependency, **extra: str) -> dict[str, str]:
    checks = [{"name": "stub", "url": dependency.url, "timeout_seconds": 0.5}]
    return {
        "PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(checks),
        "PETSAGE_HEALTH_INTERVAL_SECONDS": "0.5",
        "PETSAGE_HEALTH_TOKEN": TOKEN,
        **extra,
    }


@contextmanager
def status_server(
    tmp_path: Path, **extra: str
) -> Iterator[tuple[RunningServer, StoppableDependency]]:
    with (
        stoppable_dependency() as dependency,
        petsage_server(tmp_path, env=server_env(dependency, **extra)) as server,
    ):
        yield server, dependency


class EventReader:
    """Reads events off an open stream: `summary` ones as JSON."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.iter_lines()

    def next_event(self) -> tuple[str, str] | None:
        """The next event's name and data; None once the stream ends."""
        name, data = "message", []
        for line in self.lines:
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data.append(line.removeprefix("data: "))
            elif line == "" and data:
                return name, "\n".join(data)
        return None

    def next_summary(self) -> dict[str, Any]:
        while (event := self.next_event()) is not None:
            if event[0] == "summary":
                summary: dict[str, Any] = json.loads(event[1])
                return summary
        raise AssertionError("the stream ended")

    def check_status(self, summary: dict[str, Any]) -> str:
        return next(c["status"] for c in summary["checks"] if c["name"] == CHECK)

    def until_check(self, status: str) -> dict[str, Any]:
        deadline = time.monotonic() + CHANGE_BOUND_SECONDS
        while time.monotonic() < deadline:
            summary = self.next_summary()
            if self.check_status(summary) == status:
                return summary
        raise AssertionError(f"{CHECK} never became {status}")

    def rest(self) -> list[str]:
        """The names of the events left until the stream ends."""
        names = []
        while (event := self.next_event()) is not None:
            names.append(event[0])
        return names


def open_stream(client: httpx.Client, server: RunningServer, **headers: str) -> Any:
    return client.stream("GET", server.base_url + EVENTS, headers=headers)


def stream_status(client: httpx.Client, server: RunningServer) -> int:
    """The status of a new stream, closed at once (a stream's body never ends)."""
    with open_stream(client, server) as response:
        return int(response.status_code)


def test_stream_pushes_the_failure_and_the_recovery(tmp_path: Path) -> None:
    with (
        status_server(tmp_path) as (server, dependency),
        httpx.Client(timeout=30) as client,
        open_stream(client, server) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert response.headers["cache-control"] == "no-store"
        events = EventReader(response)
        first = events.next_summary()
        # The document of /system/status.json (which may have moved on since).
        assert first.keys() == client.get(server.base_url + STATUS + ".json").json().keys()

        dependency.stop()
        failed = events.until_check("error")
        dependency.start()
        recovered = events.until_check("ok")

    assert [i["ended_at"] for i in failed["incidents"] if i["check"] == CHECK] == [None]
    ended = [i["ended_at"] for i in recovered["incidents"] if i["check"] == CHECK]
    assert len(ended) == 1
    assert ended[0] is not None


def test_streams_beyond_the_cap_get_503_and_a_place_frees_when_one_ends(tmp_path: Path) -> None:
    with (
        status_server(tmp_path, PETSAGE_STATUS_MAX_STREAMS="1") as (server, _),
        httpx.Client(timeout=30) as client,
    ):
        with open_stream(client, server) as first:
            # Kept: a dropped line iterator closes its stream.
            events = EventReader(first)
            events.next_summary()
            refused = client.get(server.base_url + EVENTS)
        # The server sees the disconnect, then frees the place.
        deadline = time.monotonic() + CHANGE_BOUND_SECONDS
        while (admitted := stream_status(client, server)) == 503:
            assert time.monotonic() < deadline, "the place was never freed"
            time.sleep(0.1)

    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "streams_unavailable"
    assert admitted == 200


def test_streams_end_at_shutdown_without_holding_it_up(tmp_path: Path) -> None:
    env = {"PETSAGE_SHUTDOWN_TIMEOUT_SECONDS": "60"}
    with status_server(tmp_path, **env) as (server, _), httpx.Client(timeout=60) as client:
        with open_stream(client, server) as response:
            events = EventReader(response)
            events.next_summary()
            server.signal(signal.SIGTERM)
            # Its last event tells the browser to come back (to the next instance).
            assert events.rest() == ["reconnect"]
        code = server.process.wait(timeout=60)

    # uvicorn re-raises the SIGTERM it handled once its graceful shutdown is done.
    assert code == -signal.SIGTERM
    assert "Application shutdown complete" in server.log()
    assert GRACEFUL_TIMEOUT_EXCEEDED not in server.log()


def test_streams_say_reconnect_when_draining_begins_and_new_ones_too(tmp_path: Path) -> None:
    env = {"PETSAGE_SHUTDOWN_DRAIN_SECONDS": "30"}
    with status_server(tmp_path, **env) as (server, _), httpx.Client(timeout=60) as client:
        with open_stream(client, server) as response:
            events = EventReader(response)
            events.next_summary()
            server.signal(signal.SIGTERM)
            assert events.rest() == ["reconnect"]
        # Still draining (30 s): a new stream is a 200 that says reconnect and ends, never a
        # status that would end a browser's EventSource for good.
        with open_stream(client, server, **{"accept-encoding": "gzip"}) as response:
            late = (response.status_code, response.headers.get("content-encoding"))
            late_events = EventReader(response).rest()
        readiness = client.get(server.base_url + "/system/health/ready")

    assert late == (200, "gzip")
    assert late_events == ["reconnect"]
    assert readiness.status_code == 503


PATHS = [
    STATUS,
    f"{STATUS}.json",
    f"{STATUS}/feed.atom",
    f"{STATUS}/badge.svg",
    f"{STATUS}/badge.json",
    f"{STATUS}/badge/{CHECK}.svg",
    f"{STATUS}/badge/{CHECK}.json",
    f"{STATUS}/badge.svg?metric=uptime&window=24h",
]


def test_anonymous_callers_see_no_reason_host_or_instance(tmp_path: Path) -> None:
    with status_server(tmp_path) as (server, dependency), httpx.Client(timeout=30) as client:
        with open_stream(client, server) as response:
            dependency.stop()
            anonymous_event = EventReader(response).until_check("error")
        with open_stream(client, server, **AUTHORIZED) as response:
            authorized_event = EventReader(response).until_check("error")
        anonymous = {path: client.get(server.base_url + path).text for path in PATHS}
        page = client.get(server.base_url + STATUS, headers=AUTHORIZED).text
        feed = feedparser.parse(
            client.get(server.base_url + f"{STATUS}/feed.atom", headers=AUTHORIZED).content
        )
        instance = client.get(server.base_url + "/system/info", headers=AUTHORIZED).json()

    reason = next(c["reason"] for c in authorized_event["checks"] if c["name"] == CHECK)
    assert reason
    assert "Reason:" in page
    assert reason.split(":")[0] in page
    assert any("Reason:" in entry.summary for entry in feed.entries)
    secrets = ["Reason:", f"127.0.0.1:{dependency.port}", reason]
    secrets += [str(value) for key, value in instance.items() if "instance" in key]
    for text in [*anonymous.values(), json.dumps(anonymous_event)]:
        for secret in secrets:
            assert secret not in text


def test_disabled_status_page_answers_404_everywhere(tmp_path: Path) -> None:
    with status_server(tmp_path, PETSAGE_STATUS_PAGE_ENABLED="false") as (server, _):
        answers = {path: httpx.get(server.base_url + path, timeout=10) for path in [*PATHS, EVENTS]}

    assert {path: answer.status_code for path, answer in answers.items()} == dict.fromkeys(
        answers, 404
    )
