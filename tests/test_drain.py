"""SIGTERM on a real `petsage serve`: readiness drains, liveness stays, nothing in flight fails.

What a Kubernetes rollout does: SIGTERM, then traffic keeps arriving until every load balancer
has seen the endpoint go; PetSage keeps serving for PETSAGE_SHUTDOWN_DRAIN_SECONDS with
readiness at 503 `draining`, then uvicorn stops accepting and finishes the requests in flight.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx2 as httpx
import pytest

from tests.support.server import RunningServer, petsage_server

pytestmark = pytest.mark.slow

DRAIN_SECONDS = 2.0
DRAINING = {"PETSAGE_SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS)}
# Fast rounds, with a check timeout and a loop-lag threshold that a busy 2-core CI machine
# cannot trip by accident: the suite's load once timed out the critical database check (0.8 s
# by default), and /system/health/checks answered 503 in the middle of this file's load.
FAST = {
    "PETSAGE_HEALTH_INTERVAL_SECONDS": "0.2",
    "PETSAGE_HEALTH_CHECK_TIMEOUT_SECONDS": "5",
    "PETSAGE_HEALTH_LOOP_LAG_WARNING_MS": "60000",
}
LOAD_PATHS = ("/", "/system/health", "/system/health/checks", "/system/health/history")


@contextmanager
def steady_load(base_url: str, clients: int = 4) -> Iterator[list[str]]:
    """`clients` threads sending requests back to back until the block ends; yields the list
    of failures (anything but a 2xx, or a transport error)."""
    failures: list[str] = []
    stop = threading.Event()
    sent = [0] * clients

    def client(index: int) -> None:
        with httpx.Client(base_url=base_url, timeout=10) as http:
            while not stop.is_set():
                path = LOAD_PATHS[sent[index] % len(LOAD_PATHS)]
                try:
                    response = http.get(path)
                    if not response.is_success:
                        failures.append(f"{path}: {response.status_code}")
                except httpx.TransportError as exc:
                    failures.append(f"{path}: {type(exc).__name__}: {exc}")
                sent[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    try:
        yield failures
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    assert min(sent) > 0, "a load client never got a request through"


def probe(server: RunningServer, path: str) -> tuple[int, str]:
    response = httpx.get(server.base_url + path, timeout=1)
    return response.status_code, response.json()["status"]


def observe_drain(server: RunningServer, seconds: float) -> set[tuple[int, str]]:
    """Readiness and liveness answers seen during the first `seconds` of the drain."""
    seen: set[tuple[int, str]] = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.add(probe(server, "/system/health/ready"))
        seen.add(probe(server, "/system/health"))
        time.sleep(0.05)
    return seen


def test_sigterm_drains_under_load_then_exits(tmp_path: Path) -> None:
    with petsage_server(
        tmp_path, env={**DRAINING, **FAST}, ready_path="/system/health/ready"
    ) as server:
        with steady_load(server.base_url) as failures:
            time.sleep(0.3)
            signalled = time.monotonic()
            server.signal(signal.SIGTERM)
            seen = observe_drain(server, DRAIN_SECONDS / 2)
        # The load stopped well inside the drain, as a load balancer would have by then.
        code = server.process.wait(timeout=30)
        took = time.monotonic() - signalled
        log = server.log()

    assert failures == []
    assert seen == {(503, "draining"), (200, "ok")}
    assert took >= DRAIN_SECONDS
    # uvicorn re-raises the SIGTERM it handled once its graceful shutdown is done.
    assert code == -signal.SIGTERM
    assert "SIGTERM received: draining for 2 s" in log
    assert "Application shutdown complete" in log


def test_second_sigterm_stops_at_once(tmp_path: Path) -> None:
    env = {**FAST, "PETSAGE_SHUTDOWN_DRAIN_SECONDS": "60"}
    with petsage_server(tmp_path, env=env, ready_path="/system/health/ready") as server:
        server.signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while probe(server, "/system/health/ready") != (503, "draining"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        server.signal(signal.SIGTERM)
        server.process.wait(timeout=30)

        assert time.monotonic() - started < 30  # far less than the 60 s drain


def test_each_worker_drains_itself(tmp_path: Path) -> None:
    """With --workers, uvicorn's supervisor forwards SIGTERM to every worker."""
    with petsage_server(
        tmp_path, "--workers", "2", env={**DRAINING, **FAST}, ready_path="/system/health/ready"
    ) as server:
        server.signal(signal.SIGTERM)
        time.sleep(0.3)
        seen = observe_drain(server, DRAIN_SECONDS / 2)
        code = server.process.wait(timeout=30)

    assert seen == {(503, "draining"), (200, "ok")}
    assert code == 0


@contextmanager
def health_events_locked(dsn: str) -> Iterator[threading.Event]:
    """Hold an ACCESS EXCLUSIVE lock on `health_events` until the yielded event is set, so
    that a history request waits in the database: a request truly in flight."""
    locked, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    async def hold() -> None:
        connection = await asyncpg.connect(dsn)
        try:
            async with connection.transaction():
                await connection.execute("LOCK TABLE health_events IN ACCESS EXCLUSIVE MODE")
                locked.set()
                while not release.is_set():
                    await asyncio.sleep(0.02)
        finally:
            await connection.close()

    def run() -> None:
        try:
            asyncio.run(hold())
        except BaseException as exc:
            errors.append(exc)
            locked.set()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert locked.wait(10)
        assert not errors, errors
        yield release
    finally:
        release.set()
        thread.join(timeout=10)


def waiting_on_lock(dsn: str) -> int:
    """How many history requests wait on the lock: only their query reads the ids. The status
    page's reads and the history writer wait on it too, and other tests' servers on theirs."""

    async def count() -> int:
        connection = await asyncpg.connect(dsn)
        try:
            query = (
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE 'SELECT health_events.id, %' AND application_name = 'petsage' "
                "AND datname = current_database()"
            )
            return int(await connection.fetchval(query))
        finally:
            await connection.close()

    return asyncio.run(count())


@dataclass
class HeldRequest:
    """A history request waiting on the lock: its answer (or error) lands in `answers`."""

    answers: list[httpx.Response | BaseException]
    release: threading.Event
    thread: threading.Thread


@contextmanager
def history_request_on_lock(server: RunningServer, dsn: str) -> Iterator[HeldRequest]:
    """Send a history request and yield once it waits on the lock `health_events_locked`
    holds: the request is truly in flight until `release` is set."""
    answers: list[httpx.Response | BaseException] = []

    def slow_request() -> None:
        try:
            answers.append(httpx.get(server.base_url + "/system/health/history", timeout=30))
        except httpx.TransportError as exc:
            answers.append(exc)

    with health_events_locked(dsn) as release:
        request = threading.Thread(target=slow_request)
        request.start()
        deadline = time.monotonic() + 10
        while waiting_on_lock(dsn) == 0:
            assert time.monotonic() < deadline, "the history request never reached the lock"
            time.sleep(0.05)
        yield HeldRequest(answers, release, request)


@pytest.mark.postgres
def test_a_request_in_flight_when_the_drain_ends_still_succeeds(
    tmp_path: Path, postgres_url: str
) -> None:
    dsn = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    env = {
        **DRAINING,
        **FAST,
        "PETSAGE_DATABASE_URL": postgres_url,
        "PETSAGE_DB_MIGRATE_ON_START": "true",
        "PETSAGE_DB_STATEMENT_TIMEOUT_MS": "30000",
    }
    with petsage_server(tmp_path, env=env, ready_path="/system/health/ready") as server:
        with history_request_on_lock(server, dsn) as held:
            server.signal(signal.SIGTERM)
            seen = observe_drain(server, DRAIN_SECONDS / 2)
            deadline = time.monotonic() + 10
            while "Shutting down" not in server.log():  # the drain is over: uvicorn stops
                assert time.monotonic() < deadline
                time.sleep(0.05)
            time.sleep(0.5)
            assert held.answers == []  # still waiting on the lock, across the shutdown
            held.release.set()
            held.thread.join(timeout=30)
        code = server.process.wait(timeout=30)

    assert seen == {(503, "draining"), (200, "ok")}
    (answer,) = held.answers
    assert isinstance(answer, httpx.Response), answer
    assert answer.status_code == 200
    page = answer.json()
    assert page["total"] == len(page["items"])  # a whole page, not a cut-off answer
    assert code == -signal.SIGTERM
