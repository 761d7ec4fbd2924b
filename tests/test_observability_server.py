"""Logs, request ids and metrics of a real `petsage serve` process, over real HTTP."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.promql import names_read_by_rules_and_dashboard
from tests.support.server import RunningServer, petsage_server

# One xdist worker runs the module: its module-scoped server starts once.
pytestmark = pytest.mark.slow

GIVEN = "0b9d4a53-5f4e-4c1e-9a51-6a1b2c3d4e5f"
WAIT_SECONDS = 5.0


# One live-update stream at a time, so that a second one is refused.
SERVER_ENV = {"PETSAGE_STATUS_MAX_STREAMS": "1"}
EVENTS = "/system/status/events"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with petsage_server(tmp_path_factory.mktemp("observability"), env=SERVER_ENV) as running:
        yield running


def get(server: RunningServer, path: str, **headers: str) -> httpx.Response:
    return httpx.get(server.base_url + path, headers=headers, timeout=5)


def json_lines(server: RunningServer) -> list[dict[str, Any]]:
    """Every line of the server's output, each parsed as JSON (a line that is not fails)."""
    return [json.loads(line) for line in server.log().splitlines() if line.strip()]


def wait_for_line(
    server: RunningServer, wanted: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The access line is written after the response is sent: poll the log for it."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = [line for line in json_lines(server) if wanted(line)]
        if found:
            return found[0]
        time.sleep(0.02)
    raise AssertionError(f"no such log line in:\n{server.log()}")


def access_line_of(server: RunningServer, request_id: str) -> dict[str, Any]:
    def wanted(line: dict[str, Any]) -> bool:
        return line["logger"] == "petsage.access" and line["request_id"] == request_id

    return wait_for_line(server, wanted)


def test_every_line_is_json_with_the_one_schema(server: RunningServer) -> None:
    get(server, "/", **{"X-Request-ID": GIVEN})
    access_line_of(server, GIVEN)

    lines = json_lines(server)

    loggers = {line["logger"] for line in lines}
    assert {"uvicorn.error", "petsage.access"} <= loggers
    for line in lines:
        assert list(line)[:5] == ["time", "level", "logger", "message", "request_id"]


def test_the_request_id_is_echoed_and_logged(server: RunningServer) -> None:
    response = get(server, "/", **{"X-Request-ID": GIVEN})

    assert response.headers["x-request-id"] == GIVEN
    access = access_line_of(server, GIVEN)
    assert access["message"].startswith("GET / 200 ")
    assert (access["method"], access["path"], access["status"]) == ("GET", "/", 200)
    assert access["client"] == "127.0.0.1"
    assert isinstance(access["duration_ms"], float)


def test_an_invalid_request_id_is_replaced_and_logged(server: RunningServer) -> None:
    response = get(server, "/no/such/page", **{"X-Request-ID": "'; DROP TABLE pets; --"})

    generated = response.headers["x-request-id"]
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", generated
    )
    assert access_line_of(server, generated)["status"] == 404
    assert "DROP TABLE" not in server.log()


def test_probes_are_answered_with_an_id_but_not_logged(server: RunningServer) -> None:
    probe = get(server, "/system/health")
    get(server, "/", **{"X-Request-ID": GIVEN})
    access_line_of(server, GIVEN)

    assert "x-request-id" in probe.headers
    assert probe.headers["x-request-id"] not in server.log()
    assert not any(line.get("path") == "/system/health" for line in json_lines(server))


def test_metrics_count_requests_by_route_template(server: RunningServer) -> None:
    before = http_requests(server)
    for _ in range(3):
        get(server, "/")
    get(server, "/no/such/page/at/all")
    get(server, "/system/health")

    after = http_requests(server)

    assert after[("GET", "/", "200")] - before.get(("GET", "/", "200"), 0) == 3
    assert after[("GET", "unmatched", "404")] - before.get(("GET", "unmatched", "404"), 0) == 1
    assert all(route in {"/", "unmatched", "/metrics"} for _, route, _ in after)


def http_requests(server: RunningServer) -> dict[tuple[str, str, str], float]:
    text = get(server, "/metrics").text
    return {
        (sample.labels["method"], sample.labels["route"], sample.labels["status"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "petsage_http_requests"
        for sample in family.samples
    }


def sample_values(server: RunningServer) -> dict[str, float]:
    """Every sample of a scrape, keyed `name{label="value",...}` as PromQL writes a series."""
    found = {}
    for family in text_string_to_metric_families(get(server, "/metrics").text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


def scraped_names(server: RunningServer) -> set[str]:
    return {key.split("{", 1)[0] for key in sample_values(server)}


def test_rules_and_dashboard_read_only_series_a_scrape_has(server: RunningServer) -> None:
    wanted = names_read_by_rules_and_dashboard()
    get(server, "/")  # the request histogram has a series once a request was timed
    deadline = time.monotonic() + WAIT_SECONDS
    while not wanted <= (names := scraped_names(server)) and time.monotonic() < deadline:
        time.sleep(0.1)  # the uptime ratio comes with the status page's first summary

    assert wanted - names == set()


def test_readiness_and_the_last_round_are_exported(server: RunningServer) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while (values := sample_values(server)).get("petsage_ready") != 1:
        assert time.monotonic() < deadline, values.get("petsage_ready")
        time.sleep(0.1)

    assert values["petsage_draining"] == 0
    assert values['petsage_health_phase{phase="serving"}'] == 1
    assert abs(values["petsage_health_last_round_timestamp_seconds"] - time.time()) < 60
    assert values['petsage_health_check_status{check="database",critical="true",status="ok"}'] == 1


def wait_for_value(server: RunningServer, series: str, wanted: float) -> dict[str, float]:
    deadline = time.monotonic() + WAIT_SECONDS
    while (values := sample_values(server)).get(series) != wanted:
        assert time.monotonic() < deadline, f"{series} = {values.get(series)}, not {wanted}"
        time.sleep(0.05)
    return values


def test_a_head_too_large_is_counted_as_a_refusal(server: RunningServer) -> None:
    series = 'petsage_http_refusals_total{reason="header_too_large"}'
    before = sample_values(server)[series]
    host, port = server.base_url.removeprefix("http://").split(":")
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(head)
        answer = connection.recv(4096)

    assert answer.startswith(b"HTTP/1.1 431 ")
    wait_for_value(server, series, before + 1)


def test_streams_are_counted_open_and_refused_but_not_timed(server: RunningServer) -> None:
    refused = 'petsage_event_streams_refused_total{reason="limit"}'
    before = sample_values(server)
    with (
        httpx.Client(base_url=server.base_url, timeout=5) as client,
        client.stream("GET", EVENTS) as stream,
    ):
        # Kept: a line iterator that is collected closes the response, and the stream with it.
        lines = stream.iter_lines()
        next(lines)  # the first event: the stream is open
        during = wait_for_value(server, "petsage_event_streams_open", 1)
        second = client.get(EVENTS)
        wait_for_value(server, refused, before[refused] + 1)
    after = wait_for_value(server, "petsage_event_streams_open", 0)

    assert stream.status_code == 200
    assert second.status_code != 200
    assert during["petsage_event_streams_open"] == 1
    opened = 'petsage_http_requests_total{method="GET",route="/system/status/events",status="200"}'
    assert after[opened] == before.get(opened, 0) + 1
    # The refused one was an ordinary JSON answer, timed as any other.
    streamed = f'route="{EVENTS}",status="200"'
    assert [key for key in after if "duration" in key and streamed in key] == []


def test_console_format_is_readable(tmp_path: Path) -> None:
    with petsage_server(tmp_path, env={"PETSAGE_LOG_FORMAT": "console"}) as running:
        get(running, "/", **{"X-Request-ID": GIVEN})
        deadline = time.monotonic() + WAIT_SECONDS
        while GIVEN not in running.log() and time.monotonic() < deadline:
            time.sleep(0.02)
        log = running.log()

    assert re.search(r" INFO     uvicorn\.error: Started server process \[\d+\]", log)
    assert re.search(
        rf" INFO     petsage\.access: GET / 200 [\d.]+ms client=127\.0\.0\.1 \[{GIVEN}\]", log
    )
    assert not log.lstrip().startswith("{")


def test_every_worker_logs_in_json(tmp_path: Path) -> None:
    with petsage_server(tmp_path, "--workers", "2") as running:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            started = [
                line for line in json_lines(running) if line["message"].startswith("Started server")
            ]
            if len(started) == 2:
                break
            time.sleep(0.1)
        get(running, "/", **{"X-Request-ID": GIVEN})
        access = access_line_of(running, GIVEN)

    assert len({line["message"] for line in started}) == 2
    assert access["path"] == "/"
