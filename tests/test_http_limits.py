"""The HTTP limits of a real `petsage serve`: head size, head time, connections, and binding.

Each was a finding against plain uvicorn + httptools: a 100 MB header answered 200 and cost
150 MiB, trickled headers held connections for ever, and a port in use came out as exit 3
after the lifespan had started (petsage/http/protocol.py, petsage/http/server.py).
"""

from __future__ import annotations

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

pytestmark = pytest.mark.slow

LIVE = "/system/health"
SMALL_CAP = {"PETSAGE_HTTP_MAX_HEADER_BYTES": "8192", "PETSAGE_HTTP_HEADER_TIMEOUT_SECONDS": "60"}


def test_a_head_over_the_cap_is_refused_with_431_and_closed(tmp_path: Path) -> None:
    with petsage_server(tmp_path, env=SMALL_CAP) as server:
        with raw_http.connect(server.base_url) as sock:
            sock.sendall(raw_http.request_head(LIVE, b"x-big: " + b"a" * 9000))
            # Not a timeout: that would be 408, and only after 60 s.
            assert raw_http.read_status(sock) == 431
            assert raw_http.read_until_closed(sock) == b""
        with raw_http.connect(server.base_url) as sock:
            sock.sendall(raw_http.request_head(LIVE, b"x-big: " + b"a" * 8000))
            assert raw_http.read_status(sock) == 200


def test_a_100_mb_header_is_cut_off_without_growing_memory(tmp_path: Path) -> None:
    with petsage_server(tmp_path) as server:
        pid = server.process.pid
        with raw_http.connect(server.base_url) as sock:
            assert raw_http.get_status(sock, LIVE) == 200
        idle = status_bytes(pid, "VmRSS")
        reset_peak(pid)

        sent = stream_header(server, total=100 * MIB)

        peak = status_bytes(pid, "VmHWM")
        print(
            f"idle RSS {idle / MIB:.1f} MiB, peak {peak / MIB:.1f} MiB, sent {sent / MIB:.1f} MiB"
        )
        assert sent < 100 * MIB, "the server read the whole header"
        assert peak - idle < 20 * MIB
        with raw_http.connect(server.base_url) as sock:
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


@pytest.fixture
def quick_head_timeout(tmp_path: Path) -> Iterator[RunningServer]:
    with petsage_server(tmp_path, env={"PETSAGE_HTTP_HEADER_TIMEOUT_SECONDS": "1"}) as server:
        yield server


def test_an_unfinished_head_is_answered_408_and_closed(quick_head_timeout: RunningServer) -> None:
    with raw_http.connect(quick_head_timeout.base_url) as sock:
        sock.sendall(b"GET /system/health HTTP/1.1\r\nhost: pet")
        assert raw_http.read_until_closed(sock).startswith(b"HTTP/1.1 408 ")


def test_a_connection_that_sends_nothing_is_closed(quick_head_timeout: RunningServer) -> None:
    with raw_http.connect(quick_head_timeout.base_url) as sock:
        assert raw_http.read_until_closed(sock).startswith(b"HTTP/1.1 408 ")


def test_a_trickled_head_does_not_keep_its_connection(quick_head_timeout: RunningServer) -> None:
    with raw_http.connect(quick_head_timeout.base_url) as sock:
        sock.sendall(b"GET /system/health HTTP/1.1\r\nx-slow: ")
        # One byte every 0.1 s, each one "progress": the deadline still counts from the first.
        for _ in range(150):
            time.sleep(0.1)
            try:
                sock.send(b"a")
            except (BrokenPipeError, ConnectionResetError):
                return
    pytest.fail("the server kept a trickled head for 15 s")


def test_connections_beyond_the_cap_get_503_and_those_admitted_are_served(
    tmp_path: Path,
) -> None:
    with petsage_server(tmp_path, env={"PETSAGE_HTTP_MAX_CONNECTIONS": "20"}) as server:
        admitted = [raw_http.connect(server.base_url) for _ in range(20)]
        try:
            # One at a time: the readiness poll's connection is long gone before the last.
            assert [raw_http.get_status(sock, LIVE) for sock in admitted] == [200] * 20
            for _ in range(5):
                with raw_http.connect(server.base_url) as extra:
                    assert raw_http.get_status(extra, LIVE) == 503
                    assert raw_http.read_until_closed(extra) == b""
            assert raw_http.get_status(admitted[0], LIVE) == 200
        finally:
            for sock in admitted:
                sock.close()
        assert live_status_once_connections_close(server) == 200


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
