"""What follows a request's head, against a real `petsage serve`: body cap, body deadline, trailers.

Each was a finding of issue 16 against the httptools protocol: trailer fields went into the
request's headers without bound (a trailer flood took RSS from 107 to 589 MiB, a trailer
`Authorization` unlocked details), nothing bounded a body's size or its arrival, so a 100 MiB
POST cost 300 MiB and a body trickled at 1 B/s held its connection for ever
(petsage/http/protocol.py). An installed feature serves `POST /echo`, which reads the whole
body: a request the app is still reading is refused with its status; one it has answered is
only closed.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import raw_http
from tests.support.plugins import env_with_site, install_feature
from tests.support.process_memory import MIB, reset_peak, status_bytes
from tests.support.server import RunningServer, petsage_server

pytestmark = pytest.mark.slow

MAX_BODY = 65536
MAX_HEAD = 8192
TOKEN = "http-bodies-token-0123456789"
ECHO = """
from fastapi import APIRouter, Request

from petsage.blueprint import Feature

router = APIRouter()


@router.post("/echo")
async def echo(request: Request) -> dict[str, int]:
    return {"length": len(await request.body())}


feature = Feature(name="echo_body", summary="Reads a request's body", routers=(router,))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp_path = tmp_path_factory.mktemp("bodies")
    site = install_feature(tmp_path / "site", "echo_body", ECHO)
    env = env_with_site(
        site,
        {
            "PETSAGE_HTTP_MAX_BODY_BYTES": str(MAX_BODY),
            "PETSAGE_HTTP_MAX_HEADER_BYTES": str(MAX_HEAD),
            "PETSAGE_HTTP_BODY_TIMEOUT_SECONDS": "1",
            "PETSAGE_HEALTH_TOKEN": TOKEN,
        },
    )
    with petsage_server(tmp_path, env=env) as running:
        yield running


def post_head(path: str, *headers: bytes) -> bytes:
    lines = [b"POST " + path.encode() + b" HTTP/1.1", b"host: petsage", *headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def chunked(data: bytes, size: int = 4096) -> bytes:
    pieces = [data[start : start + size] for start in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces)


def refusal_of(sock: socket.socket) -> bytes:
    """The status line of the one answer before the server closes."""
    return raw_http.read_until_closed(sock).split(b"\r\n", 1)[0]


def test_a_body_within_the_cap_is_read(server: RunningServer) -> None:
    with raw_http.connect(server.base_url) as sock:
        body = b"a" * MAX_BODY
        sock.sendall(post_head("/echo", b"content-length: %d" % len(body)) + body)
        assert raw_http.read_status(sock) == 200
        sock.sendall(post_head("/echo", b"transfer-encoding: chunked") + chunked(b"a" * 60000))
        sock.sendall(b"0\r\n\r\n")
        assert raw_http.read_status(sock) == 200


def test_a_content_length_over_the_cap_is_refused_413_at_the_head(server: RunningServer) -> None:
    with raw_http.connect(server.base_url) as sock:
        # Not a byte of the body is sent: the head alone is refused.
        sock.sendall(post_head("/echo", b"content-length: %d" % (MAX_BODY + 1)))
        assert refusal_of(sock) == b"HTTP/1.1 413 Request Entity Too Large"


def test_a_chunked_body_over_the_cap_is_refused_413(server: RunningServer) -> None:
    with raw_http.connect(server.base_url) as sock:
        sock.sendall(post_head("/echo", b"transfer-encoding: chunked"))
        try:
            for _ in range(100):
                sock.sendall(chunked(b"a" * 16384))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused before the client finished: what is tested
        assert refusal_of(sock) == b"HTTP/1.1 413 Request Entity Too Large"


def test_a_trickled_body_is_answered_408_at_the_body_deadline(server: RunningServer) -> None:
    with raw_http.connect(server.base_url) as sock:
        sock.sendall(post_head("/echo", b"content-length: 100"))
        # A byte every 0.1 s, each one "progress": the deadline counts from the end of the head.
        for _ in range(100):
            try:
                sock.send(b"a")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the server kept a trickled body for 10 s")
        assert refusal_of(sock) == b"HTTP/1.1 408 Request Timeout"


def test_trailers_over_the_head_cap_are_refused_431(server: RunningServer) -> None:
    with raw_http.connect(server.base_url) as sock:
        sock.sendall(post_head("/echo", b"transfer-encoding: chunked") + b"1\r\na\r\n0\r\n")
        try:
            for _ in range(100):
                sock.sendall(b"x-trailer: b\r\n" * 1000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert refusal_of(sock) == b"HTTP/1.1 431 Request Header Fields Too Large"


def test_a_trailer_flood_is_cut_off_with_flat_memory(server: RunningServer) -> None:
    """The issue's reproduction: trailers after a liveness request, 420 x 10,000 fields, then
    one trailer value as long as the client sends it."""
    pid = server.process.pid
    idle = status_bytes(pid, "VmRSS")
    reset_peak(pid)
    fields = b"a: b\r\n" * 10000
    long_value = b"v" * 65536
    sent = []
    for first, piece in ((fields, fields), (b"x-long: ", long_value)):
        with raw_http.connect(server.base_url) as sock:
            sock.sendall(raw_http.request_head("/system/health", b"transfer-encoding: chunked"))
            assert raw_http.read_status(sock) == 200
            total = 0
            try:
                sock.sendall(b"1\r\na\r\n0\r\n" + first)
                while total < 150 * MIB:
                    sock.sendall(piece)
                    total += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                pass
            # Answered already: the server only closes.
            assert raw_http.read_until_closed(sock) == b""
            sent.append(total)

    peak = status_bytes(pid, "VmHWM")
    print(f"idle RSS {idle / MIB:.1f} MiB, peak {peak / MIB:.1f} MiB, sent {sent} bytes")
    assert max(sent) < 16 * MIB, "the server read the whole flood"
    assert peak - idle < 40 * MIB
    with raw_http.connect(server.base_url) as sock:
        assert raw_http.get_status(sock, "/system/health") == 200


def test_trailer_fields_never_become_request_headers(server: RunningServer) -> None:
    forged = "0f0f0f0f-0000-4000-8000-000000000000"
    trailers = (
        f"x-request-id: {forged}\r\nauthorization: Bearer {TOKEN}\r\n"
        "x-forwarded-for: 203.0.113.9\r\n\r\n"
    )
    with raw_http.connect(server.base_url) as sock:
        head = raw_http.request_head("/system/info", b"transfer-encoding: chunked")
        sock.sendall(head + b"0\r\n" + trailers.encode())
        head, body = raw_http.read_response(sock)

    assert head.startswith(b"HTTP/1.1 200 ")
    assert forged.encode() not in head
    assert json.loads(body)["details"] is None
    log = server.log()
    assert "203.0.113.9" not in log
    assert forged not in log


def refusal_counts(server: RunningServer) -> dict[str, float]:
    with raw_http.connect(server.base_url) as sock:
        sock.sendall(raw_http.request_head("/metrics"))
        _, body = raw_http.read_response(sock)
    return {
        sample.labels["reason"]: sample.value
        for family in text_string_to_metric_families(body.decode())
        if family.name == "petsage_http_refusals"
        for sample in family.samples
    }


def test_each_refusal_is_counted_by_reason(server: RunningServer) -> None:
    before = refusal_counts(server)
    with raw_http.connect(server.base_url) as sock:
        sock.sendall(post_head("/echo", b"content-length: %d" % (MAX_BODY + 1)))
        assert refusal_of(sock).startswith(b"HTTP/1.1 413 ")
    with raw_http.connect(server.base_url) as sock:
        trailers = b"x-trailer: " + b"b" * MAX_HEAD + b"\r\n\r\n"
        sock.sendall(post_head("/echo", b"transfer-encoding: chunked") + b"0\r\n" + trailers)
        assert refusal_of(sock).startswith(b"HTTP/1.1 431 ")
    with raw_http.connect(server.base_url) as sock:
        sock.sendall(post_head("/echo", b"content-length: 10") + b"a")  # then nothing
        assert refusal_of(sock).startswith(b"HTTP/1.1 408 ")

    after = refusal_counts(server)
    added = {reason: after[reason] - before.get(reason, 0) for reason in after}
    assert added["body_too_large"] == 1
    assert added["header_too_large"] == 1
    assert added["body_timeout"] == 1
    assert added["header_timeout"] == 0


def test_the_refusals_left_no_error_in_the_log(server: RunningServer) -> None:
    # Last in the module: the app saw http.disconnect for every body refused under it.
    assert "Traceback" not in server.log()
    errors = [
        line
        for line in server.log().splitlines()
        if line.strip() and json.loads(line)["level"] in ("error", "critical")
    ]
    assert errors == []
