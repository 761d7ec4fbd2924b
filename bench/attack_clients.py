"""The attacks of issue 16, on bare sockets to 127.0.0.1, each bounded in bytes and in time.

Each attack takes the server and a deadline (time.monotonic()) and returns what the server did:
a line for the table, and whether it let go of what the attack tried to hold (refused the
request or closed the connection, released the stream slot). Every send and every wait ends
at the deadline, whatever the server does.
"""

from __future__ import annotations

import re
import select
import socket
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pets_resource import PATH as RESOURCE

MIB = 1024 * 1024
LIVE = b"GET /system/health HTTP/1.1\r\nhost: attack\r\n\r\n"
# How long an answer is waited for once the attack has sent what it sends.
ANSWER_SECONDS = 3.0
STATUS_LINE = re.compile(rb"HTTP/1\.1 (\d{3}) ")


@dataclass(frozen=True)
class Target:
    port: int
    pid: int


@dataclass(frozen=True)
class Outcome:
    summary: str
    released: bool


def connect(target: Target) -> socket.socket:
    return socket.create_connection(("127.0.0.1", target.port), timeout=ANSWER_SECONDS)


def send_until_refused(sock: socket.socket, pieces: Iterable[bytes], deadline: float) -> str:
    """Send `pieces` until the server closes, stops reading until the deadline, or all are sent;
    which of the three, with the MiB sent."""
    sent = 0
    for piece in pieces:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return f"deadline after {sent / MIB:.1f} MiB"
        sock.settimeout(remaining)
        try:
            sock.sendall(piece)
        except TimeoutError:
            return f"server stopped reading after {sent / MIB:.1f} MiB"
        except OSError:
            return f"closed after {sent / MIB:.1f} MiB"
        sent += len(piece)
    return f"all {sent / MIB:.1f} MiB sent"


def received(sock: socket.socket, seconds: float, until: bytes = b"") -> bytes:
    """What the server sends within `seconds`, up to its close (or until `until` is in it)."""
    deadline = time.monotonic() + seconds
    data = b""
    while (remaining := deadline - time.monotonic()) > 0 and not (until and until in data):
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except OSError:  # reset: what was received before it is all there is
            return data + b"<reset>"
        if not chunk:
            return data + b"<closed>"
        data += chunk
    return data


def statuses(data: bytes) -> list[str]:
    """The status of every answer in `data`, then `closed` or `reset` if the server ended it."""
    found = [m.decode() for m in STATUS_LINE.findall(data)]
    ending = [end for end in ("closed", "reset") if data.endswith(f"<{end}>".encode())]
    return found + ending


# What the protocol answers to what it will not take, and a close: the server let go. A 200 or
# a 422 is not a refusal: the server took all it was sent.
REFUSALS = frozenset({"400", "408", "413", "431", "503", "closed", "reset"})


def refused(answer: list[str]) -> bool:
    return any(status in REFUSALS for status in answer)


def repeated(piece: bytes, total: int) -> Iterator[bytes]:
    """`piece` as many times as fit in `total` bytes, made once and sent again."""
    for _ in range(total // len(piece)):
        yield piece


# --- D1: trailers ------------------------------------------------------------------------------

CHUNKED_GET = b"GET /system/health HTTP/1.1\r\nhost: attack\r\ntransfer-encoding: chunked\r\n\r\n"


def trailer_flood(target: Target, deadline: float) -> Outcome:
    """The issue's reproduction: 25 MB of short trailer fields on one connection."""
    return _trailers(target, deadline, b"", repeated(b"a: b\r\n" * 10_000, 420 * 60_000))


def huge_trailer_value(target: Target, deadline: float) -> Outcome:
    """One trailer field whose value is 150 MiB long."""
    return _trailers(target, deadline, b"x-big: ", repeated(b"a" * MIB, 150 * MIB))


def _trailers(target: Target, deadline: float, start: bytes, pieces: Iterable[bytes]) -> Outcome:
    with connect(target) as sock:
        sock.sendall(CHUNKED_GET + b"1\r\na\r\n0\r\n" + start)
        how = send_until_refused(sock, pieces, deadline)
        answer = statuses(received(sock, ANSWER_SECONDS))
    return Outcome(f"{' '.join(answer) or 'no answer'}; {how}", refused(answer))


# --- D6: bodies --------------------------------------------------------------------------------

BODY_BYTES = 100 * MIB
# The head of a POST to the resource, less its framing fields and the blank line.
POST = b"POST %s HTTP/1.1\r\nhost: attack\r\ncontent-type: application/json\r\n" % (
    RESOURCE.encode()
)
NAME_START, NAME_END = b'{"name":"', b'"}'


def big_json(target: Target, deadline: float) -> Outcome:
    """A 100 MiB JSON object to the resource, with its Content-Length."""
    return _body(target, deadline, POST + b"content-length: %d\r\n\r\n" % BODY_BYTES, False)


def big_json_chunked(target: Target, deadline: float) -> Outcome:
    """The same object, chunked: no length to refuse it by before it arrives."""
    return _body(target, deadline, POST + b"transfer-encoding: chunked\r\n\r\n", True)


def _body(target: Target, deadline: float, head: bytes, chunked: bool) -> Outcome:
    middle = repeated(b"a" * MIB, BODY_BYTES - MIB)  # the name; 1 MiB is left for the rest
    rest = MIB - len(NAME_START) - len(NAME_END)
    pieces: Iterable[bytes] = [NAME_START + b"a" * rest, *middle, NAME_END]
    if chunked:
        pieces = [*(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces), b"0\r\n\r\n"]
    with connect(target) as sock:
        sock.sendall(head)
        how = send_until_refused(sock, pieces, deadline)
        # A server that took it all parses 100 MiB of JSON before it answers.
        answer = statuses(received(sock, 4 * ANSWER_SECONDS, until=b"\r\n"))
    return Outcome(f"{' '.join(answer) or 'no answer'}; {how}", refused(answer))


# --- D5: a body trickled at 1 byte a second ----------------------------------------------------

TRICKLING_CONNECTIONS = 32
TRICKLED_LENGTH = 64


def slow_bodies(target: Target, deadline: float) -> Outcome:
    """TRICKLING_CONNECTIONS connections, each sending its body one byte a second."""
    head = POST + b"content-length: %d\r\n\r\n" % TRICKLED_LENGTH
    started = tick = time.monotonic()
    open_ = [connect(target) for _ in range(TRICKLING_CONNECTIONS)]
    ends: Counter[str] = Counter()
    last_end = 0.0
    try:
        for sock in open_:
            sock.sendall(head)
        while open_ and time.monotonic() < deadline:
            readable, _, _ = select.select(open_, [], [], 0)
            for sock in list(open_):
                answer = statuses(received(sock, 0.05)) if sock in readable else []
                if not answer and not (answer := _trickle(sock)):
                    continue
                ends[answer[0]] += 1
                last_end = time.monotonic() - started
                open_.remove(sock)
                sock.close()
            tick += 1.0
            time.sleep(max(0.0, min(tick, deadline) - time.monotonic()))
    finally:
        for sock in open_:
            sock.close()
    held = len(open_)
    ended = " ".join(f"{status}x{n}" for status, n in sorted(ends.items()))
    summary = f"{TRICKLING_CONNECTIONS - held}/{TRICKLING_CONNECTIONS} ended by the server"
    summary += f" ({ended}, the last after {last_end:.1f} s)" if ends else ""
    return Outcome(summary, held == 0)


def _trickle(sock: socket.socket) -> list[str]:
    """One more byte of the body; `closed` when the server no longer takes it."""
    try:
        sock.sendall(b" ")
    except OSError:
        return ["closed"]
    return []
