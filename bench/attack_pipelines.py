"""The attacks of issue 16 that put a second request behind the first on one connection.

D3: `HEAD /system/status/events`, then a liveness GET on the same connection, a hundred times.
D13: a valid request and, in the same write, a head far over the cap, complete or not.
Bounded like the others (bench/attack_clients.py): in rounds, bytes and time.
"""

from __future__ import annotations

import socket
import sys
import time
from collections import Counter
from pathlib import Path

from attack_clients import (
    ANSWER_SECONDS,
    LIVE,
    Outcome,
    Target,
    connect,
    received,
    statuses,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.soak_observe import sample_process

HEAD_STREAM = b"HEAD /system/status/events HTTP/1.1\r\nhost: attack\r\n\r\n"
GET_STREAM = b"GET /system/status/events HTTP/1.1\r\nhost: attack\r\n\r\n"
HEAD_ROUNDS = 100
# The follow-up is a liveness probe on a quiet server: it answers in a few ms or never.
FOLLOW_UP_SECONDS = 0.2
# Left to the server to see the attack's connections closed before they are counted.
CLOSE_SETTLE_SECONDS = 1.0

PIPELINED_CONNECTIONS = 8
# Sent with the first request in one write, so that they arrive in the same read: three
# times the benchmark's head cap (8 KiB), well within one TCP segment on loopback.
FIRST_WRITE_BYTES = 24 * 1024


def head_stream_loop(target: Target, deadline: float) -> Outcome:
    """The issue's reproduction of D3, then: are the connections and the stream slots free?"""
    heads: Counter[str] = Counter()
    answered = rounds = 0
    while rounds < HEAD_ROUNDS and time.monotonic() < deadline:
        rounds += 1
        with connect(target) as sock:
            head = statuses(_ask(sock, HEAD_STREAM))
            heads[head[0] if head else "no answer"] += 1
            answered += "200" in _follow_up(sock)
    time.sleep(CLOSE_SETTLE_SECONDS)
    left = sample_process(target.pid, target.port, 0, 0.0).http_connections
    with connect(target) as sock:
        stream = statuses(_ask(sock, GET_STREAM))
    shown = " ".join(f"{status}x{n}" for status, n in sorted(heads.items()))
    summary = (
        f"HEAD {shown}; follow-ups answered {answered}/{rounds}; {left} connections left open; "
        f"a new stream: {stream[0] if stream else 'no answer'}"
    )
    return Outcome(summary, answered == rounds and left == 0 and stream[:1] == ["200"])


def _ask(sock: socket.socket, request: bytes) -> bytes:
    """Send `request` and read its answer's head."""
    sock.sendall(request)
    return received(sock, ANSWER_SECONDS, until=b"\r\n\r\n")


def _follow_up(sock: socket.socket) -> list[str]:
    """A liveness GET after the HEAD, on the same connection: its answer, if any comes."""
    try:
        sock.sendall(LIVE)
    except OSError:
        return ["closed"]
    return statuses(received(sock, FOLLOW_UP_SECONDS, until=b"\r\n"))


def oversize_pipelined_head(target: Target, deadline: float) -> Outcome:
    """A valid GET and, in the same write, a head three times the cap: complete on half of
    the connections, unfinished (and then nothing more) on the other half. Every connection
    must end, and the valid GET be answered first."""
    second = b"GET /system/health HTTP/1.1\r\nhost: attack\r\nx-big: "
    unfinished = LIVE + second + b"a" * (FIRST_WRITE_BYTES - len(LIVE) - len(second))
    writes = [unfinished + b"\r\n\r\n", unfinished] * (PIPELINED_CONNECTIONS // 2)
    sockets = [connect(target) for _ in writes]
    answers: Counter[str] = Counter()
    first_answered = refused = 0
    try:
        for sock, write in zip(sockets, writes, strict=True):
            sock.sendall(write)
        for sock in sockets:
            answer = statuses(received(sock, max(0.0, deadline - time.monotonic())))
            answers[" ".join(answer) or "no answer"] += 1
            first_answered += answer[:1] == ["200"]
            refused += answer[-1:] in (["closed"], ["reset"])
    finally:
        for sock in sockets:
            sock.close()
    shown = ", ".join(f"{n} x [{a}]" for a, n in answers.most_common())
    summary = f"first request answered {first_answered}/{len(sockets)}; {shown}"
    return Outcome(summary, refused == first_answered == len(sockets))
