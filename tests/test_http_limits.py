"""The HTTP limits of a real `petsage serve`: the head's size and time, connections, binding.

Each was a finding against plain uvicorn + httptools: a 100 MB header answered 200 and cost
150 MiB, trickled headers held connections for ever, and a port in use came out as exit 3
after the lifespan had started (petsage/http/protocol.py, petsage/http/server.py). Issue 16
added pipelining around the cap, 414, `Host`, the body deadline under a connection cap and
the refusal log's throttle; tests/test_http_bodies.py covers bodies and trailers.
"""

from __future__ import annotations

import re
import resource
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import raw_http
from tests.support.process_memory import MIB, reset_peak, status_bytes
from tests.support.server import (
    RunningServer,
    child_env,
    petsage_command,
    petsage_server,
    run_petsage,
)

# One xdist worker runs the module: its module-scoped servers start once.
pytestmark = pytest.mark.slow

LIVE = "/system/health"
MAX_HEAD = 8192
STATUS_LINE = re.compile(rb"HTTP/1\.1 (\d{3}) ")


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A small head cap and a head deadline of 1 s."""
    env = {
        "PETSAGE_HTTP_MAX_HEADER_BYTES": str(MAX_HEAD),
        "PETSAGE_HTTP_HEADER_TIMEOUT_SECONDS": "1",
    }
    with petsage_server(tmp_path_factory.mktemp("capped"), env=env) as server:
        yield server


def statuses_until_closed(sock: socket.socket) -> list[int]:
    """The status of every answer the server sends until it closes."""
    return [int(status) for status in STATUS_LINE.findall(raw_http.read_until_closed(sock))]


def test_a_head_over_the_cap_is_refused_with_431_and_closed(capped: RunningServer) -> None:
    with raw_http.connect(capped.base_url) as sock:
        sock.sendall(raw_http.request_head(LIVE, b"x-big: " + b"a" * 9000))
        assert raw_http.read_status(sock) == 431
        assert raw_http.read_until_closed(sock) == b""
    with raw_http.connect(capped.base_url) as sock:
        sock.sendall(raw_http.request_head(LIVE, b"x-big: " + b"a" * 8000))
        assert raw_http.read_status(sock) == 200


def test_a_target_alone_over_the_cap_is_414(capped: RunningServer) -> None:
    with raw_http.connect(capped.base_url) as sock:
        sock.sendall(raw_http.request_head(LIVE + "?q=" + "a" * 100_000))
        assert statuses_until_closed(sock) == [414]
    # Within the cap itself, but not with its headers: the head is what is too large.
    with raw_http.connect(capped.base_url) as sock:
        sock.sendall(raw_http.request_head(LIVE + "?q=" + "a" * 6000, b"x-big: " + b"a" * 3000))
        assert statuses_until_closed(sock) == [431]


@pytest.mark.parametrize(
    "head",
    [
        b"GET /system/health HTTP/1.1\r\n\r\n",
        b"GET /system/health HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n",
        b"GET /system/health HTTP/1.0\r\nhost: a\r\nhost: a\r\n\r\n",
    ],
    ids=["no-host", "two-hosts", "two-hosts-http-1.0"],
)
def test_a_request_without_one_host_is_400(capped: RunningServer, head: bytes) -> None:
    with raw_http.connect(capped.base_url) as sock:
        sock.sendall(head)
        assert statuses_until_closed(sock) == [400]


def test_http_1_0_without_host_is_served(capped: RunningServer) -> None:
    with raw_http.connect(capped.base_url) as sock:
        sock.sendall(b"GET /system/health HTTP/1.0\r\n\r\n")
        assert statuses_until_closed(sock) == [200]


FIRST = raw_http.request_head(LIVE)


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        # Complete and over the cap: the first answer is sent, then the refusal.
        (raw_http.request_head(LIVE, b"x-big: " + b"a" * 9000), [200, 431]),
        # Over the cap and unfinished, in the same read as the first request: counted too.
        (b"GET / HTTP/1.1\r\nhost: petsage\r\nx-big: " + b"a" * 9000, [200, 431]),
        # Small and unfinished: its deadline runs (keep-alive would close without a word).
        (b"GET / HTTP/1.1\r\nhost: pet", [200, 408]),
    ],
    ids=["complete-over-cap", "unfinished-over-cap", "unfinished"],
)
def test_a_pipelined_head_is_bounded_after_the_first_answer(
    capped: RunningServer, second: bytes, expected: list[int]
) -> None:
    with raw_http.connect(capped.base_url) as sock:
        sock.sendall(FIRST + second)
        assert statuses_until_closed(sock) == expected


def test_a_100_mb_header_is_cut_off_without_growing_memory(capped: RunningServer) -> None:
    pid = capped.process.pid
    with raw_http.connect(capped.base_url) as sock:
        assert raw_http.get_status(sock, LIVE) == 200
    idle = status_bytes(pid, "VmRSS")
    reset_peak(pid)

    sent = stream_header(capped, total=100 * MIB)

    peak = status_bytes(pid, "VmHWM")
    print(f"idle RSS {idle / MIB:.1f} MiB, peak {peak / MIB:.1f} MiB, sent {sent / MIB:.1f} MiB")
    assert sent < 100 * MIB, "the server read the whole header"
    assert peak - idle < 20 * MIB
    with raw_http.connect(capped.base_url) as sock:
        assert raw_http.get_status(sock, LIVE) == 200


def stream_header(server: RunningServer, total: int) -> int:
    """Send one header of `total` bytes in 64 KiB chunks until the server hangs up."""
    chunk = b"a" * 65536
    with raw_http.connect(server.base_url) as sock:
        sent = 0
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nhost: petsage\r\nx-big: ")
            while sent < total:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # what a client gets for writing to a connection the server closed
        raw_http.read_until_closed(sock)
    return sent


def test_an_unfinished_head_is_answered_408_and_closed(capped: RunningServer) -> None:
    with raw_http.connect(capped.base_url) as sock:
        sock.sendall(b"GET /system/health HTTP/1.1\r\nhost: pet")
        assert raw_http.read_until_closed(sock).startswith(b"HTTP/1.1 408 ")


def test_a_connection_that_sends_nothing_is_closed(capped: RunningServer) -> None:
    with raw_http.connect(capped.base_url) as sock:
        assert raw_http.read_until_closed(sock).startswith(b"HTTP/1.1 408 ")


def test_a_trickled_head_does_not_keep_its_connection(capped: RunningServer) -> None:
    with raw_http.connect(capped.base_url) as sock:
        sock.sendall(b"GET /system/health HTTP/1.1\r\nx-slow: ")
        # One byte every 0.1 s, each one "progress": the deadline still counts from the first.
        for _ in range(150):
            time.sleep(0.1)
            try:
                sock.send(b"a")
            except (BrokenPipeError, ConnectionResetError):
                return
    pytest.fail("the server kept a trickled head for 15 s")


CONNECTIONS = 20


@pytest.fixture(scope="module")
def few_connections(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {
        "PETSAGE_HTTP_MAX_CONNECTIONS": str(CONNECTIONS),
        "PETSAGE_HTTP_BODY_TIMEOUT_SECONDS": "1",
    }
    with petsage_server(tmp_path_factory.mktemp("few"), env=env) as server:
        yield server


def test_connections_beyond_the_cap_get_503_and_those_admitted_are_served(
    few_connections: RunningServer,
) -> None:
    server = few_connections
    assert live_status_once_connections_close(server) == 200
    admitted = [raw_http.connect(server.base_url) for _ in range(CONNECTIONS)]
    try:
        # One at a time: the readiness poll's connection is long gone before the last.
        assert [raw_http.get_status(sock, LIVE) for sock in admitted] == [200] * CONNECTIONS
        for _ in range(5):
            with raw_http.connect(server.base_url) as extra:
                assert raw_http.get_status(extra, LIVE) == 503
                assert raw_http.read_until_closed(extra) == b""
        assert raw_http.get_status(admitted[0], LIVE) == 200
    finally:
        for sock in admitted:
            sock.close()
    assert live_status_once_connections_close(server) == 200


def test_trickled_bodies_are_closed_at_the_body_deadline(few_connections: RunningServer) -> None:
    """Issue 16's D5: bodies trickled on every connection the cap allows held them all."""
    server = few_connections
    assert live_status_once_connections_close(server) == 200
    head = b"POST /system/health HTTP/1.1\r\nhost: petsage\r\ncontent-length: 1000\r\n\r\n"
    tricklers = [raw_http.connect(server.base_url) for _ in range(CONNECTIONS)]
    try:
        for sock in tricklers:
            sock.sendall(head)
        # The app answers (405) without reading the body; the connections are held until the
        # deadline, counted from each head, closes them: a byte every 0.1 s does not extend it.
        open_ = list(tricklers)
        for _ in range(100):
            open_ = [sock for sock in open_ if still_sending(sock)]
            if not open_:
                break
            time.sleep(0.1)
        assert open_ == [], f"{len(open_)} trickled bodies kept their connections for 10 s"
    finally:
        for sock in tricklers:
            sock.close()
    assert live_status_once_connections_close(server) == 200


def still_sending(sock: socket.socket) -> bool:
    try:
        sock.send(b"a")
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def test_refusals_are_logged_at_most_once_a_second_with_a_count(
    few_connections: RunningServer,
) -> None:
    server = few_connections
    assert live_status_once_connections_close(server) == 200
    admitted = [raw_http.connect(server.base_url) for _ in range(CONNECTIONS)]
    try:
        assert [raw_http.get_status(sock, LIVE) for sock in admitted] == [200] * CONNECTIONS
        # Past the interval: the next refusal is logged, with the count of any before it.
        time.sleep(1.1)
        assert refused_once(server) == 503
        start = len(refusal_lines(server))
        refused = [refused_once(server) for _ in range(30)]
        time.sleep(1.1)
        refused.append(refused_once(server))
    finally:
        for sock in admitted:
            sock.close()

    lines = refusal_lines(server)[start:]
    left_out = [int(m.group(1)) if (m := LEFT_OUT.search(line)) else 0 for line in lines]
    assert refused == [503] * 31
    # Every refusal is in the log, as a line or in a line's count; most in a count.
    assert len(lines) + sum(left_out) == len(refused)
    assert len(lines) < len(refused)
    assert live_status_once_connections_close(server) == 200


LEFT_OUT = re.compile(r"and (\d+) more since the last such line")


def refused_once(server: RunningServer) -> int:
    with raw_http.connect(server.base_url) as sock:
        return raw_http.get_status(sock, LIVE)


def refusal_lines(server: RunningServer) -> list[str]:
    return [line for line in server.log().splitlines() if "refused a request: 503" in line]


def live_status_once_connections_close(server: RunningServer) -> int:
    # The server sees the closes a moment later; until then a new connection is still extra.
    deadline = time.monotonic() + raw_http.SOCKET_TIMEOUT_SECONDS
    while True:
        with raw_http.connect(server.base_url) as sock:
            status = raw_http.get_status(sock, LIVE)
        if status != 503 or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_a_port_in_use_is_one_line_naming_petsage_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_petsage("serve", "--port", str(port), env=data_dir(tmp_path), cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"petsage: invalid setting PETSAGE_PORT: port {port} on 127.0.0.1 is already in use"
    ]
    # Nothing started: no lifespan, so no health engine and no uvicorn start-up lines.
    assert "startup" not in result.stdout.lower()


def test_a_host_that_does_not_resolve_is_one_line_naming_petsage_host(tmp_path: Path) -> None:
    result = run_petsage(
        "serve", "--host", "no-such-host.invalid", env=data_dir(tmp_path), cwd=tmp_path
    )

    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("petsage: invalid setting PETSAGE_HOST: cannot resolve ")
    assert "startup" not in result.stdout.lower()


def test_a_connection_cap_above_the_open_files_limit_is_one_line(tmp_path: Path) -> None:
    def few_open_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    result = subprocess.run(
        petsage_command("serve", "--port", "1"),
        env=child_env({**data_dir(tmp_path), "PETSAGE_HTTP_MAX_CONNECTIONS": "1000"}),
        cwd=tmp_path,
        preexec_fn=few_open_files,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "petsage: invalid setting PETSAGE_HTTP_MAX_CONNECTIONS: 1000 connections need 1100"
        " open files, above this process's hard limit of 256"
    ]


def data_dir(tmp_path: Path) -> dict[str, str]:
    return {"PETSAGE_DATA_DIR": str(tmp_path / "var")}
