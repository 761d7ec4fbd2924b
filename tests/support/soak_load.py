"""The soak test's load: a fixed mix of requests sent by a bounded number of keep-alive clients.

Each client is one asyncio task with one keep-alive HTTP/1.1 connection of its own, paced so
that all of them together send at most `rate` requests a second, and stops at a deadline. Every
answer is tallied by kind and status; an exception instead of an answer (reset, timeout, a
malformed answer) is tallied by its type.

The clients speak HTTP on asyncio streams, not through httpx2, which cost 1.6 to 2.1 ms of the
test process's CPU per request under coverage's tracer (0.9 to 1.0 ms without): with it the CI
soak took 116 s of CPU from the tests running beside it on a 2-core machine, 69 s without.
The streams cost about 0.2 ms a request and send the same requests
(`tests/soak/test_soak_load.py` pins the framing).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LIVE = "/system/health"
READY = "/system/health/ready"
CHECKS = "/system/health/checks"
HISTORY = "/system/health/history"
HEALTH_JSON = {"Accept": "application/health+json"}
# A client waits this long for an answer: a probe slower than that is a failure worth seeing.
CLIENT_TIMEOUT_SECONDS = 5.0
# What a client tallies instead of a status: the connection failed, closed mid-answer, timed out
# (TimeoutError is an OSError), or the answer was not HTTP/1.1 as the client reads it.
TRANSPORT_ERRORS = (OSError, EOFError, asyncio.LimitOverrunError, ValueError)
# Statuses that are right for a route whatever the database does: readiness, checks and the
# history answer 503 while PostgreSQL is down (the history also when the pool is exhausted).
UP = frozenset({200})
UP_OR_DOWN = frozenset({200, 503})


@dataclass(frozen=True)
class RequestKind:
    """One kind of request in the mix. `unique` appends a random segment to the path, so that
    each request is to a path never seen before (a leak keyed by path would show)."""

    name: str
    method: str
    path: str
    weight: int
    expected: frozenset[int] = UP
    token: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    unique: bool = False
    # Exceptions (by type name) that are a right answer too: a refused attack's close.
    expected_errors: frozenset[str] = frozenset()

    @property
    def liveness(self) -> bool:
        return self.path == LIVE


def _probe_kinds(name: str, path: str, expected: frozenset[int]) -> list[RequestKind]:
    json_accept = tuple(HEALTH_JSON.items())
    return [
        RequestKind(name, "GET", path, 8, expected),
        RequestKind(f"{name} +token", "GET", path, 3, expected, token=True),
        RequestKind(f"{name} health+json", "GET", path, 2, expected, headers=json_accept),
        RequestKind(
            f"{name} health+json +token", "GET", path, 1, expected, True, headers=json_accept
        ),
        RequestKind(f"HEAD {name}", "HEAD", path, 2, expected),
    ]


# Weighted towards probes, as a pod's traffic is; every GET route in the README is in it.
MIX: tuple[RequestKind, ...] = (
    *_probe_kinds("live", LIVE, UP),
    *_probe_kinds("ready", READY, UP_OR_DOWN),
    *_probe_kinds("checks", CHECKS, UP_OR_DOWN),
    RequestKind("root", "GET", "/", 4),
    RequestKind("HEAD root", "HEAD", "/", 1),
    RequestKind("info", "GET", "/system/info", 2),
    RequestKind("info +token", "GET", "/system/info", 1, token=True),
    RequestKind("HEAD info", "HEAD", "/system/info", 1),
    RequestKind("history", "GET", HISTORY, 2, UP_OR_DOWN),
    RequestKind("history +token", "GET", HISTORY, 1, UP_OR_DOWN, token=True),
    RequestKind("HEAD history", "HEAD", HISTORY, 1, UP_OR_DOWN),
    RequestKind("openapi", "GET", "/openapi.json", 1),
    RequestKind("HEAD openapi", "HEAD", "/openapi.json", 1),
    RequestKind("not found", "GET", "/no/such/page", 2, frozenset({404}), unique=True),
    RequestKind("metrics", "GET", "/metrics", 1),
    RequestKind("HEAD metrics", "HEAD", "/metrics", 1),
)


@dataclass
class Tally:
    """Answers to one kind of request: statuses, and exceptions instead of answers."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())

    def unexpected(self, kind: RequestKind) -> int:
        wrong = sum(n for status, n in self.statuses.items() if status not in kind.expected)
        failed = sum(n for error, n in self.errors.items() if error not in kind.expected_errors)
        return wrong + failed


@dataclass(frozen=True)
class Load:
    base_url: str
    token: str
    clients: int
    rate: float  # requests a second, all clients together
    seed: int = 0


async def run_clients(load: Load, deadline: float) -> dict[str, Tally]:
    """Run `load.clients` clients until `deadline` (time.monotonic()); their tallies by kind."""
    tallies = {kind.name: Tally() for kind in MIX}
    async with asyncio.TaskGroup() as group:
        for number in range(load.clients):
            rng = random.Random(load.seed * 1000 + number)
            group.create_task(_client(load, rng, deadline, tallies))
    return tallies


async def _client(
    load: Load, rng: random.Random, deadline: float, tallies: dict[str, Tally]
) -> None:
    period = load.clients / load.rate
    weights = [kind.weight for kind in MIX]
    connection = Connection(load.base_url)
    try:
        next_at = time.monotonic() + rng.random() * period  # spread the clients' first sends
        while (now := time.monotonic()) < deadline:
            await asyncio.sleep(max(0.0, next_at - now))
            next_at = max(next_at + period, time.monotonic())  # late: no burst to catch up
            (kind,) = rng.choices(MIX, weights)
            await _send(connection, kind, load.token, rng, tallies[kind.name])
    finally:
        await connection.close()


async def _send(
    connection: Connection, kind: RequestKind, token: str, rng: random.Random, tally: Tally
) -> None:
    path = f"{kind.path}/{rng.randrange(10**9)}" if kind.unique else kind.path
    headers = dict(kind.headers)
    if kind.token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        async with asyncio.timeout(CLIENT_TIMEOUT_SECONDS):
            status = await connection.request(kind.method, path, headers)
    except TRANSPORT_ERRORS as exc:
        await connection.close()  # a half-read answer must not be taken for the next one
        tally.errors[type(exc).__name__] += 1
        return
    tally.statuses[status] += 1


class Connection:
    """One keep-alive HTTP/1.1 connection, opened on first use and again after the server
    closes it. Reads each answer's head and its whole body (`Content-Length`, chunked, or up
    to the close), so that the next answer starts where this one ends."""

    def __init__(self, base_url: str) -> None:
        address = urlsplit(base_url)
        if address.hostname is None or address.port is None:
            raise ValueError(f"need a host and a port: {base_url}")
        self._host, self._port = address.hostname, address.port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, headers: dict[str, str]) -> int:
        if self._streams is not None and self._streams[0].at_eof():
            await self.close()  # the server closed it while idle (its keep-alive timeout)
        if self._streams is None:
            self._streams = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._streams
        lines = [f"{method} {path} HTTP/1.1", f"host: {self._host}:{self._port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        status, fields = _parse_head(await reader.readuntil(b"\r\n\r\n"))
        if method != "HEAD" and status not in {204, 304}:
            await _read_body(reader, fields)
        if fields.get(b"connection", b"").lower() == b"close" or reader.at_eof():
            await self.close()
        return status

    async def close(self) -> None:
        if self._streams is None:
            return
        _, writer = self._streams
        self._streams = None
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def _parse_head(head: bytes) -> tuple[int, dict[bytes, bytes]]:
    """The status and the header fields (lower-case names) of an answer's head."""
    status_line, *field_lines = head[:-4].split(b"\r\n")
    version, status = status_line.split(b" ", 2)[:2]
    if version != b"HTTP/1.1":
        raise ValueError(f"not an HTTP/1.1 answer: {status_line!r}")
    fields: dict[bytes, bytes] = {}
    for line in field_lines:
        name, colon, value = line.partition(b":")
        if not colon:
            raise ValueError(f"not a header field: {line!r}")
        fields[name.strip().lower()] = value.strip()
    return int(status), fields


async def _read_body(reader: asyncio.StreamReader, fields: dict[bytes, bytes]) -> None:
    if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)  # the chunk and its CRLF
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailer fields, then the end
            pass
    elif b"content-length" in fields:
        await reader.readexactly(int(fields[b"content-length"]))
    else:  # no length: the body ends when the server closes
        await reader.read()
