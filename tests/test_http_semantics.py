"""HTTP semantics of a real `petsage serve`: HEAD, keep-alive and pipelining on raw connections.

An in-process client cannot catch what the server itself does with a response (uvicorn reads
the request's method from the scope to decide whether a body follows), so these tests speak
HTTP/1.1 to the running process over sockets.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.server import RunningServer, petsage_server

# One xdist worker runs the module: its module-scoped server starts once.
pytestmark = pytest.mark.slow

WAIT_SECONDS = 5.0
# Every path answered to GET, with whether two answers in a row have the same length.
GET_PATHS = {
    "/": True,
    "/system/health": True,
    "/system/health/ready": True,
    "/system/health/checks": True,
    "/system/health/checks/database": True,
    "/system/health/history": False,
    "/system/info": False,
    "/metrics": False,
    "/openapi.json": True,
    "/docs": True,
    "/docs/oauth2-redirect": True,
    "/redoc": True,
    "/docs-static/swagger-ui.css": True,
}
HEAD_LOGGED = ("/system/health", "/", "/system/info")


@dataclass
class Reply:
    status_line: bytes
    headers: dict[str, str]
    body: bytes


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {
        "PETSAGE_ACCESS_LOG_PROBES": "true",
        "PETSAGE_METRICS_INCLUDE_PROBES": "true",
        # These tests are about HTTP, not health: checks generous enough that a loaded CI
        # machine (the suite runs on both cores) cannot turn readiness to 503 by accident.
        "PETSAGE_HEALTH_CHECK_TIMEOUT_SECONDS": "10",
        "PETSAGE_HEALTH_LOOP_LAG_WARNING_MS": "60000",
    }
    # Ready, not only alive: the readiness paths are among those checked, and answer 503
    # (`starting`) until the first round of checks has finished.
    ready = "/system/health/ready"
    with petsage_server(tmp_path_factory.mktemp("semantics"), env=env, ready_path=ready) as running:
        yield running


@contextmanager
def connect(server: RunningServer) -> Iterator[http.client.HTTPConnection]:
    address = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    try:
        yield connection
    finally:
        connection.close()


def exchange(
    connection: http.client.HTTPConnection, method: str, path: str
) -> http.client.HTTPResponse:
    connection.request(method, path)
    response = connection.getresponse()
    response.read()
    return response


def read_reply(stream: BinaryIO, *, head: bool) -> Reply:
    """One response off a pipelined connection; a HEAD reply ends with its headers."""
    status_line = stream.readline()
    headers: dict[str, str] = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head else int(headers["content-length"])
    return Reply(status_line, headers, stream.read(length))


def log_lines(server: RunningServer) -> list[dict[str, object]]:
    return [json.loads(line) for line in server.log().splitlines() if line.strip()]


def http_requests(server: RunningServer) -> dict[tuple[str, str, str], float]:
    with connect(server) as connection:
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
    return {
        (sample.labels["method"], sample.labels["route"], sample.labels["status"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "petsage_http_requests"
        for sample in family.samples
    }


@pytest.mark.parametrize(("path", "stable"), GET_PATHS.items())
def test_head_then_get_on_one_connection(server: RunningServer, path: str, stable: bool) -> None:
    with connect(server) as connection:
        head = exchange(connection, "HEAD", path)
        got = exchange(connection, "GET", path)
        again = exchange(connection, "HEAD", path)

    assert head.status == got.status == again.status == 200
    assert head.getheader("content-type") == got.getheader("content-type")
    assert int(head.getheader("content-length") or -1) >= 0
    if stable:
        assert head.getheader("content-length") == got.getheader("content-length")


def test_keep_alive_across_many_requests(server: RunningServer) -> None:
    methods = ["GET", "HEAD"] * 50
    with connect(server) as connection:
        statuses = [exchange(connection, method, "/system/health").status for method in methods]
        first_socket = connection.sock
        exchange(connection, "GET", "/")

        # http.client reconnects silently if the server hung up: the socket shows it did not.
        assert connection.sock is first_socket

    assert statuses == [200] * len(methods)


def test_pipelined_get_head_get_gets_three_answers_in_order(server: RunningServer) -> None:
    address = urlsplit(server.base_url)
    request = "{} /system/health HTTP/1.1\r\nHost: petsage\r\n{}\r\n"
    pipeline = (
        request.format("GET", "")
        + request.format("HEAD", "")
        + request.format("GET", "Connection: close\r\n")
    )
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(pipeline.encode())
        with sock.makefile("rb") as stream:
            replies = [
                read_reply(stream, head=method == "HEAD") for method in ("GET", "HEAD", "GET")
            ]
            rest = stream.read()

    alive = replies[0].body
    assert [reply.status_line for reply in replies] == [b"HTTP/1.1 200 OK\r\n"] * 3
    assert json.loads(alive)["status"] == "ok"
    assert replies[1].headers["content-length"] == str(len(alive))
    assert replies[1].body == b""
    assert replies[2].body == alive
    # The server closed after the third answer, with nothing more: no stray body bytes.
    assert rest == b""


def test_head_is_logged_and_counted_as_head(server: RunningServer) -> None:
    before = http_requests(server)
    logged_before = len(log_lines(server))
    with connect(server) as connection:
        for path in HEAD_LOGGED:
            exchange(connection, "HEAD", path)

    # The access line and the counter are written when the application returns, which may be
    # after the client has read the answer: wait for both, counting only what came after.
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        access = [
            line
            for line in log_lines(server)[logged_before:]
            if line["logger"] == "petsage.access" and line["method"] == "HEAD"
        ]
        after = http_requests(server)
        counted = {
            route
            for route in HEAD_LOGGED
            if after.get(("HEAD", route, "200"), 0) - before.get(("HEAD", route, "200"), 0) >= 1
        }
        logged = {line["path"] for line in access if line["status"] == 200}
        if (set(HEAD_LOGGED) <= logged and counted == set(HEAD_LOGGED)) or (
            time.monotonic() > deadline
        ):
            break
        time.sleep(0.02)
    assert set(HEAD_LOGGED) <= logged, access
    assert counted == set(HEAD_LOGGED), after
    assert not [key for key in after if key[0] == "HEAD" and key[2] != "200"]


def test_static_assets_and_openapi_are_labelled_by_template(server: RunningServer) -> None:
    with connect(server) as connection:
        exchange(connection, "GET", "/openapi.json")
        exchange(connection, "GET", "/docs-static/swagger-ui.css")

    routes = {route for _, route, _ in http_requests(server)}

    assert {"/openapi.json", "/docs-static/{path}"} <= routes
    assert "unmatched" not in routes


def test_no_error_in_the_server_log(server: RunningServer) -> None:
    # Last in the module: every request above has been answered by now.
    lines = log_lines(server)

    assert [line for line in lines if line["level"] not in ("info", "debug")] == []
    assert "Traceback" not in server.log()
