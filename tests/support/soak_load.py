"""The soak test's load: a fixed mix of requests sent by a bounded number of keep-alive clients.

Each client is one asyncio task with one connection of its own (httpx2, keep-alive), paced so
that all of them together send at most `rate` requests a second, and stops at a deadline. Every
answer is tallied by kind and status; an exception instead of an answer (reset, timeout) is
tallied by its type.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx2 as httpx

LIVE = "/system/health"
READY = "/system/health/ready"
CHECKS = "/system/health/checks"
HISTORY = "/system/health/history"
HEALTH_JSON = {"Accept": "application/health+json"}
# A client waits this long for an answer: a probe slower than that is a failure worth seeing.
CLIENT_TIMEOUT_SECONDS = 5.0
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
        return wrong + sum(self.errors.values())


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
    # trust_env=False: no proxy from the environment; the soak talks to 127.0.0.1 only.
    async with httpx.AsyncClient(
        base_url=load.base_url,
        timeout=CLIENT_TIMEOUT_SECONDS,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        trust_env=False,
    ) as client:
        next_at = time.monotonic() + rng.random() * period  # spread the clients' first sends
        while (now := time.monotonic()) < deadline:
            await asyncio.sleep(max(0.0, next_at - now))
            next_at = max(next_at + period, time.monotonic())  # late: no burst to catch up
            (kind,) = rng.choices(MIX, weights)
            await _send(client, kind, load.token, rng, tallies[kind.name])


async def _send(
    client: httpx.AsyncClient, kind: RequestKind, token: str, rng: random.Random, tally: Tally
) -> None:
    path = f"{kind.path}/{rng.randrange(10**9)}" if kind.unique else kind.path
    headers = dict(kind.headers)
    if kind.token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        answer = await client.request(kind.method, path, headers=headers)
    except httpx.TransportError as exc:
        tally.errors[type(exc).__name__] += 1
        return
    tally.statuses[answer.status_code] += 1
