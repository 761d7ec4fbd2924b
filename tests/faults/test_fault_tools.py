"""The fault tools themselves: the wire counter, the proxy's modes, the throwaway cluster.

A fault test is only as trustworthy as its faults, so each tool is checked against something
it cannot fake: exact message counts, bytes that do or do not come back, a real server that
refuses connections while stopped.
"""

from __future__ import annotations

import itertools
import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.fault_proxy import FaultProxy
from tests.support.faults import missing_postgres_reason
from tests.support.pg_wire import SSL_REQUEST, FrontendStream, MessageTally

SILENCE_SECONDS = 0.3


def startup_packet(code: int, body: bytes = b"") -> bytes:
    return (8 + len(body)).to_bytes(4, "big") + code.to_bytes(4, "big") + body


def message(kind: bytes, body: bytes = b"") -> bytes:
    return kind + (4 + len(body)).to_bytes(4, "big") + body


# What asyncpg sends for a simple query, then a prepared statement executed twice.
CLIENT_STREAM = b"".join(
    [
        startup_packet(SSL_REQUEST),
        startup_packet(196608, b"user\x00postgres\x00application_name\x00petsage-health\x00\x00"),
        message(b"Q", b"SELECT 1\x00"),
        message(b"P", b"\x00SELECT $1::int\x00\x00\x00"),
        message(b"D", b"S\x00"),
        message(b"S"),
        *[message(b"B", b"\x00\x00" + b"\x00" * 6) + message(b"E", b"\x00" + bytes(4))] * 2,
        message(b"S"),
        message(b"X"),
    ]
)


def tally_of(chunks: list[bytes], server_answer: bytes = b"N") -> MessageTally:
    tally = MessageTally()
    stream = FrontendStream(tally)
    stream.client_bytes(chunks[0][:8])  # the SSLRequest, answered before anything else
    stream.server_bytes(server_answer)
    for chunk in [chunks[0][8:], *chunks[1:]]:
        stream.client_bytes(chunk)
    return tally


def test_counter_counts_queries_and_executes_not_parses() -> None:
    tally = tally_of([CLIENT_STREAM])

    counts = tally.snapshot()
    assert tally.statements == 3
    assert (counts["Q"], counts["E"], counts["P"], counts["B"]) == (1, 2, 1, 2)
    assert (counts["ssl_request"], counts["startup"], counts["X"]) == (1, 1, 1)
    # Charged to the application the StartupMessage named, and to no other.
    assert (tally.statements_of("petsage-health"), tally.statements_of("petsage")) == (3, 0)


@given(st.lists(st.integers(min_value=9, max_value=len(CLIENT_STREAM) - 1), unique=True))
def test_counter_is_indifferent_to_how_tcp_splits_the_stream(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(CLIENT_STREAM)]
    chunks = [CLIENT_STREAM[a:b] for a, b in itertools.pairwise(bounds)]

    split = tally_of(chunks)
    assert split.snapshot() == tally_of([CLIENT_STREAM]).snapshot()
    assert split.statements_of("petsage-health") == 3


def test_counter_gives_up_on_an_encrypted_stream_instead_of_counting_noise() -> None:
    tally = tally_of([CLIENT_STREAM], server_answer=b"S")

    assert tally.statements == 0
    assert tally.opaque_connections == 1


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(4096):
            self.request.sendall(data)


@pytest.fixture
def echo_proxy() -> Iterator[FaultProxy]:
    """A proxy in front of an echo server: every byte that gets through comes back."""
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), EchoHandler) as echo:
        echo.daemon_threads = True
        threading.Thread(target=echo.serve_forever, daemon=True).start()
        with FaultProxy("127.0.0.1", echo.server_address[1]) as proxy:
            yield proxy
        echo.shutdown()


def connect(proxy: FaultProxy) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    client.settimeout(SILENCE_SECONDS)
    return client


def receive(client: socket.socket, size: int) -> bytes:
    client.settimeout(5)
    data = b""
    while len(data) < size:
        chunk = client.recv(size - len(data))
        assert chunk, "the proxy closed a connection it should have kept open"
        data += chunk
    return data


def test_black_hole_holds_both_directions_open_and_silent_then_delivers_in_order(
    echo_proxy: FaultProxy,
) -> None:
    before = connect(echo_proxy)
    before.sendall(b"ping")
    assert receive(before, 4) == b"ping"

    echo_proxy.black_hole()
    before.sendall(b"held-")
    before.sendall(b"bytes")
    during = connect(echo_proxy)
    assert echo_proxy.wait_for_accepted(2, timeout=5) == 2
    during.sendall(b"never answered")
    for client in (before, during):
        client.settimeout(SILENCE_SECONDS)
        with pytest.raises(TimeoutError):  # silence, not a close (recv would return b"")
            client.recv(100)
    assert echo_proxy.open_connections == 2

    echo_proxy.forward()
    assert receive(before, 10) == b"held-bytes"
    during.settimeout(SILENCE_SECONDS)
    with pytest.raises(TimeoutError):
        during.recv(100)
    before.close()
    during.close()
    assert echo_proxy.wait_for_open_connections(at_most=0, timeout=5) == 0
    assert echo_proxy.accepted_connections == 2


def test_a_client_closing_inside_the_black_hole_is_counted_at_once(echo_proxy: FaultProxy) -> None:
    clients = [connect(echo_proxy) for _ in range(3)]
    assert echo_proxy.wait_for_accepted(3, timeout=5) == 3
    echo_proxy.black_hole()
    for client in clients:
        client.close()

    assert echo_proxy.wait_for_open_connections(at_most=0, timeout=5) == 0
    assert echo_proxy.peak_open_connections == 3


def test_a_refused_upstream_closes_the_client_connection() -> None:
    with FaultProxy("127.0.0.1", unused_port()) as proxy, connect(proxy) as client:
        client.settimeout(5)
        assert client.recv(10) == b""


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_missing_binaries_are_reported_with_the_path() -> None:
    reason = missing_postgres_reason(Path("/nonexistent"))

    assert reason is not None
    assert "/nonexistent/initdb" in reason
