"""What a real `petsage serve` answers around the status page: HEAD on the endless event
stream (pipelined too), the stream's 503, caching headers, and no `Host` echoed anywhere."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import BinaryIO

import httpx2 as httpx
import pytest

from petsage.http.vary import note_authorization, with_vary
from tests.support.raw_http import connect
from tests.support.server import RunningServer, petsage_server

# One xdist worker runs the module: its module-scoped server starts once.
pytestmark = pytest.mark.slow

TOKEN = "status-answers-token-0123456789"
AUTHORIZED = {"authorization": f"Bearer {TOKEN}"}
STATUS = "/system/status"
EVENTS = f"{STATUS}/events"
MAX_STREAMS = 2
HEALTH_INTERVAL_SECONDS = 2
# A bound for the server to notice a closed stream on a loaded machine, not a timing.
RELEASE_BOUND_SECONDS = 30.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {
        "PETSAGE_HEALTH_TOKEN": TOKEN,
        "PETSAGE_STATUS_MAX_STREAMS": str(MAX_STREAMS),
        "PETSAGE_HEALTH_INTERVAL_SECONDS": str(HEALTH_INTERVAL_SECONDS),
        # A loaded start lagged the loop: its incident made the feed too small to gzip 3x.
        "PETSAGE_HEALTH_LOOP_LAG_WARNING_MS": "60000",
    }
    with petsage_server(tmp_path_factory.mktemp("status-answers"), env=env) as running:
        yield running


def read_head(stream: BinaryIO) -> tuple[int, dict[str, str]]:
    status_line = stream.readline()
    assert status_line, "the server closed the connection"
    headers: dict[str, str] = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers


def raw_request(method: str, path: str, *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: petsage", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def stream_status(server: RunningServer) -> int:
    """The status of a new GET stream, closed at once (its body never ends)."""
    with httpx.Client(timeout=30) as client, client.stream("GET", server.base_url + EVENTS) as got:
        return int(got.status_code)


def test_head_on_the_stream_then_a_pipelined_request_leaks_no_place(
    server: RunningServer,
) -> None:
    # The reproduction, ten times the cap: each HEAD used to hold a place for ever.
    for _ in range(MAX_STREAMS * 10):
        with connect(server.base_url) as sock:
            sock.sendall(raw_request("HEAD", EVENTS))
            assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
            sock.sendall(raw_request("GET", "/system/health"))
            time.sleep(0.02)

    # A place frees once the server sees its (already closed) connection end.
    deadline = time.monotonic() + RELEASE_BOUND_SECONDS
    while (status := stream_status(server)) != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status == 200


def test_head_on_the_stream_answers_at_once_and_the_connection_stays_usable(
    server: RunningServer,
) -> None:
    with connect(server.base_url) as sock, sock.makefile("rb") as stream:
        get = raw_request("GET", EVENTS)
        head = raw_request("HEAD", EVENTS)
        health = raw_request("GET", "/system/health")
        sock.sendall(head + health)
        head_status, head_headers = read_head(stream)
        health_status, health_headers = read_head(stream)
        alive = json.loads(stream.read(int(health_headers["content-length"])))
        # The GET's own head, for comparison, on a fresh connection (its body never ends).
        with connect(server.base_url) as other, other.makefile("rb") as other_stream:
            other.sendall(get)
            get_status, get_headers = read_head(other_stream)

    assert head_status == get_status == 200
    assert head_headers["content-type"] == get_headers["content-type"]
    assert head_headers["content-type"].startswith("text/event-stream")
    assert "content-length" not in head_headers
    assert health_status == 200
    assert alive["status"] == "ok"


def open_admitted_stream(client: httpx.Client, server: RunningServer, held: ExitStack) -> None:
    """Open a stream and keep it open; retried while an earlier test's places are freed."""
    deadline = time.monotonic() + RELEASE_BOUND_SECONDS
    while True:
        response = held.enter_context(client.stream("GET", server.base_url + EVENTS))
        if response.status_code == 200:
            return
        assert time.monotonic() < deadline, "no place for a stream"
        response.close()
        time.sleep(0.2)


def test_a_stream_past_the_cap_gets_503_with_retry_after(server: RunningServer) -> None:
    with httpx.Client(timeout=30) as client, ExitStack() as held:
        for _ in range(MAX_STREAMS):
            open_admitted_stream(client, server, held)
        refused = client.get(server.base_url + EVENTS)

    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "streams_unavailable"
    assert int(refused.headers["retry-after"]) > 0


HOSTILE = {"host": "evil.example"}


def test_a_hostile_host_is_echoed_neither_in_a_redirect_nor_in_the_feed(
    server: RunningServer,
) -> None:
    with httpx.Client(timeout=30) as client:
        redirect = client.get(server.base_url + "/system/health/?x=1", headers=HOSTILE)
        followed = client.get(server.base_url + redirect.headers["location"])
        feed = client.get(server.base_url + STATUS + "/feed.atom", headers=HOSTILE)

    assert redirect.status_code == 307
    assert redirect.headers["location"] == "/system/health?x=1"
    assert followed.status_code == 200
    assert feed.status_code == 200
    assert b"evil.example" not in feed.content
    assert b'href="/system/status"' in feed.content


CACHED = [
    f"{STATUS}.json",
    f"{STATUS}/badge.svg",
    f"{STATUS}/badge.json",
    f"{STATUS}/badge/database.svg",
    f"{STATUS}/badge/database.json",
]
# Every answer the detail policy shapes, whatever it sends as its own Vary.
SHAPED_BY_THE_TOKEN = [
    *CACHED,
    STATUS,
    f"{STATUS}/feed.atom",
    "/system/info",
    "/system/health/ready",
    "/system/health/checks",
    "/system/health/checks/database",
    "/system/health/history",
]


@pytest.mark.parametrize("path", CACHED)
def test_anonymous_summaries_are_cached_for_an_interval_and_details_never(
    server: RunningServer, path: str
) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        anonymous = client.get(path)
        authorized = client.get(path, headers=AUTHORIZED)

    assert anonymous.status_code == authorized.status_code == 200
    assert anonymous.headers["cache-control"] == f"public, max-age={HEALTH_INTERVAL_SECONDS}"
    assert authorized.headers["cache-control"] == "private, no-store"


@pytest.mark.parametrize("path", SHAPED_BY_THE_TOKEN)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_answers_shaped_by_the_token_vary_by_authorization(
    server: RunningServer, path: str, method: str
) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        answers = [client.request(method, path, headers=h) for h in ({}, AUTHORIZED)]

    for answer in answers:
        assert answer.status_code == 200, answer.text
        (vary,) = answer.headers.get_list("vary")  # one header, the platform's and the page's
        # Accept-Encoding too where the answer also goes gzipped (the status page's, issue 20).
        gzipped = {"accept-encoding"} if path.startswith("/system/status") else set()
        assert {token.strip().lower() for token in vary.split(",")} == {"authorization", *gzipped}


def test_answers_the_token_does_not_shape_do_not_vary(server: RunningServer) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        answers = [client.get(path) for path in ("/system/health", "/", "/openapi.json")]

    assert [answer.status_code for answer in answers] == [200] * len(answers)
    assert all("vary" not in answer.headers for answer in answers)


@pytest.mark.parametrize(
    ("sent", "merged"),
    [
        ([], [(b"vary", b"Authorization")]),
        ([(b"Vary", b"Accept")], [(b"Vary", b"Accept, Authorization")]),
        ([(b"vary", b"accept, authorization")], [(b"vary", b"accept, authorization")]),
        ([(b"vary", b"*")], [(b"vary", b"*")]),
    ],
)
def test_vary_is_merged_into_the_one_sent(
    sent: list[tuple[bytes, bytes]], merged: list[tuple[bytes, bytes]]
) -> None:
    scope: dict[str, object] = {}
    assert with_vary(scope, sent) == sent
    note_authorization(scope)
    assert with_vary(scope, sent) == merged


@pytest.mark.parametrize(
    "path",
    [
        "/system/status",
        "/system/status.json",
        "/system/status/feed.atom",
        "/system/status/badge.json",
        "/system/status/badge/database.svg",
        "/system/status/heartbeats.json",
    ],
)
def test_status_answers_carry_an_etag_and_go_gzipped(server: RunningServer, path: str) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        first = client.get(path, headers={"accept-encoding": "gzip"})
        again = client.get(path, headers={"if-none-match": first.headers["etag"]})

    assert first.status_code == 200
    assert first.headers["etag"].startswith('W/"')
    if len(first.content) >= 1024:  # small badges are not worth compressing
        assert first.headers["content-encoding"] == "gzip"
        assert first.num_bytes_downloaded * 3 < len(first.content)
    # A round of checks may land between the two; then the tag moved and the body is new.
    assert again.status_code in (304, 200)
    if again.status_code == 304:
        assert again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
    else:
        assert again.headers["etag"] != first.headers["etag"]


def test_the_board_view_streams_the_page_board_gzipped(server: RunningServer) -> None:
    headers = {"accept-encoding": "gzip"}
    with (
        httpx.Client(base_url=server.base_url, timeout=30) as client,
        client.stream("GET", "/system/status/events?view=board", headers=headers) as response,
    ):
        encoding = response.headers.get("content-encoding")
        lines = []
        for line in response.iter_lines():
            if line == "" and lines:
                break
            lines.append(line)

    assert encoding == "gzip"
    assert "event: board" in lines
    data = [line.removeprefix("data: ") for line in lines if line.startswith("data: ")]
    assert data[0].startswith('<main id="board" data-version="')
    assert data[-1] == "</main>"
