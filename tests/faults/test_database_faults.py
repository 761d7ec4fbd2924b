"""Real database faults under a real `petsage serve`: PostgreSQL stopped, then black-holed.

PetSage talks to a throwaway PostgreSQL cluster through a `FaultProxy`, so a test can stop the
server for real or make the network swallow every byte, while probers send readiness and
liveness probes the way the kubelet does and record every answer. The contract (issue 4):
readiness turns 503 within one interval plus the check timeout, every probe meanwhile is
answered in under a second, liveness stays 200, readiness recovers within one interval of the
fault ending, and no database connection is leaked.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest

from petsage.testing.tokens import AccessTokens
from tests.support.fault_proxy import FaultProxy
from tests.support.faults import ThrowawayPostgres
from tests.support.probing import KUBERNETES_PROBE_TIMEOUT_SECONDS, Prober
from tests.support.server import RunningServer, petsage_server

pytestmark = pytest.mark.slow

READY = "/system/health/ready"
LIVE = "/system/health"
INTERVAL = 0.5
CHECK_TIMEOUT = 0.8
# Room for what the contract's bound leaves out: the probers' 50 ms period, an event loop
# that wakes a little late, and a 2-core CI machine also running the test process and the
# probers. A tenth of the contract's own figures would be too tight there, a whole interval
# would hide a missed round.
ALLOWANCE = 0.4
DETECTION_BOUND = INTERVAL + CHECK_TIMEOUT + ALLOWANCE
RECOVERY_BOUND = INTERVAL + ALLOWANCE
# The fault lasts this long after it is detected: several rounds, to see that readiness
# stays 503 and that probes stay fast while checks keep failing.
FAULT_HOLD_SECONDS = 4 * INTERVAL
TOKEN = "fault-tests-token-0123456789"
# Connections PetSage may hold: the health checks' own pool (1) and the application's pool,
# sized here to 1 with no overflow, so that the bound is exact.
CONNECTION_BOUND = 2
LEAK_WAIT_SECONDS = 5.0


@contextmanager
def petsage_behind(
    proxy: FaultProxy, postgres: ThrowawayPostgres, tmp_path: Path, database: str
) -> Iterator[RunningServer]:
    """`petsage serve` on a fresh database reached through `proxy`, ready when it yields."""
    env = {
        "PETSAGE_DATABASE_URL": postgres.url(postgres.create_database(database), proxy.port),
        "PETSAGE_DB_MIGRATE_ON_START": "true",
        "PETSAGE_DB_POOL_SIZE": "1",
        "PETSAGE_DB_MAX_OVERFLOW": "0",
        "PETSAGE_HEALTH_INTERVAL_SECONDS": str(INTERVAL),
        "PETSAGE_HEALTH_CHECK_TIMEOUT_SECONDS": str(CHECK_TIMEOUT),
        "PETSAGE_HEALTH_TOKEN": TOKEN,
        # What these tests count and bound is the health round's own database work; the
        # status page's recompute (a few statements per interval) is tested on its own, and
        # the soak runs with it under the same faults.
        "PETSAGE_STATUS_PAGE_ENABLED": "false",
        # A storm may lag the loop; a lag warning would be a status change, and so a history
        # write the statement count would charge to the probes.
        "PETSAGE_HEALTH_LOOP_LAG_WARNING_MS": "60000",
    }
    with petsage_server(tmp_path, env=env) as server:
        wait_until_ready(server)
        yield server


def wait_until_ready(server: RunningServer, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(server.base_url + READY, timeout=2).status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError(f"never ready: {database_report(server)}\n{server.log()}")


def database_report(server: RunningServer) -> dict[str, object]:
    """The `database` check as an operator with the token sees it."""
    answer = httpx.get(
        server.base_url + "/system/health/checks/database",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=2,
    )
    report = answer.json()
    checks: list[dict[str, object]] = report.get("checks", [])
    return checks[0] if checks else report


def live_through_fault(
    server: RunningServer,
    proxy: FaultProxy,
    begin: Callable[[], None],
    end: Callable[[], None],
    tokens: AccessTokens,
) -> dict[str, object]:
    """Probe readiness and liveness while `begin()`..`end()` holds a fault; check the contract
    and return what the `database` check said during the fault."""
    with Prober(server.base_url, READY) as ready, Prober(server.base_url, LIVE) as live:
        ready.wait_for(200, after=time.monotonic(), timeout=5)
        begin()
        faulted = time.monotonic()
        detected = ready.wait_for(503, after=faulted, timeout=DETECTION_BOUND + 10)
        time.sleep(FAULT_HOLD_SECONDS)
        during = database_report(server)
        # Requests that need the database: the outage's 503, never a 500 (a black hole ends
        # in the driver's own TimeoutError, which was one on a resource's routes).
        history = httpx.get(server.base_url + "/system/health/history", timeout=30)
        owner = tokens.headers("alice", "pet_profile:read")
        pets = httpx.get(server.base_url + "/pet-profiles", headers=owner, timeout=30)
        # The fault is over once the server accepts, which can be a round before `end()`
        # returns (pg_ctl polls for that): a 200 then is a recovery, not a flap.
        healing = time.monotonic()
        end()
        healed = time.monotonic()
        recovered = ready.wait_for(200, after=healed, timeout=RECOVERY_BOUND + 10)
        time.sleep(INTERVAL)  # a round after recovery, still probed

    assert detected.answered_at - faulted <= DETECTION_BOUND, (
        f"readiness turned 503 {detected.answered_at - faulted:.2f} s after the fault; "
        f"bound {DETECTION_BOUND:.2f} s"
    )
    outage = ready.between(detected.sent_at, healing)
    assert {sample.status for sample in outage} == {503}, "readiness flapped during the fault"
    assert recovered.answered_at - healed <= RECOVERY_BOUND, (
        f"readiness recovered {recovered.answered_at - healed:.2f} s after the fault ended; "
        f"bound {RECOVERY_BOUND:.2f} s"
    )
    for prober in (ready, live):
        slowest = prober.slowest()
        assert slowest.latency < KUBERNETES_PROBE_TIMEOUT_SECONDS, (
            f"a {prober.path} probe took {slowest.latency:.3f} s (status {slowest.status})"
        )
    assert {sample.status for sample in live.samples} == {200}, "liveness failed"
    assert {sample.status for sample in ready.samples} == {200, 503}

    assert history.status_code == 503, history.text
    assert (pets.status_code, pets.json()["error"]["code"]) == (503, "database_unavailable"), (
        pets.text
    )
    open_after = proxy.wait_for_open_connections(CONNECTION_BOUND, LEAK_WAIT_SECONDS)
    assert open_after <= CONNECTION_BOUND, f"{open_after} database connections still open"
    return during


# `fast` is an orderly shutdown (sessions are told and closed); `immediate` is a crash: no
# goodbye, then crash recovery when the server starts again.
@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_postgres_stopped_and_started_again(
    mode: str, fault_proxy: FaultProxy, postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    with petsage_behind(fault_proxy, postgres, tmp_path, f"petsage_stop_{mode}") as server:
        during = live_through_fault(
            server,
            fault_proxy,
            lambda: postgres.stop(mode),
            postgres.start,
            AccessTokens(tmp_path / "var"),
        )

    assert during["status"] == "error"
    assert during["reason"], "the operator with the token must see why"


def test_black_hole_between_petsage_and_postgres(
    fault_proxy: FaultProxy, postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    with petsage_behind(fault_proxy, postgres, tmp_path, "petsage_black_hole") as server:
        during = live_through_fault(
            server,
            fault_proxy,
            fault_proxy.black_hole,
            fault_proxy.forward,
            AccessTokens(tmp_path / "var"),
        )
        peak = fault_proxy.peak_open_connections

    assert during["status"] == "error"
    assert re.search(r"time[sd]? ?out", str(during["reason"]), re.IGNORECASE), during
    # While nothing answered, PetSage kept trying without piling up connections: at most one
    # attempt in flight per pool beside the connections it already held.
    assert peak <= 2 * CONNECTION_BOUND, f"{peak} connections open at once during the fault"


def test_a_statement_cancelled_at_its_timeout_is_a_503(
    fault_proxy: FaultProxy, postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    """A lock held past PETSAGE_DB_STATEMENT_TIMEOUT_MS: PostgreSQL cancels the waiting
    statement (SQLSTATE 57014, a 500 until then), and the caller gets the outage's 503."""
    database = "petsage_lock"
    holding = "SELECT count(*) FROM pg_locks WHERE relation = 'pet_profiles'::regclass AND granted"
    with petsage_behind(fault_proxy, postgres, tmp_path, database) as server:
        owner = AccessTokens(tmp_path / "var").headers("alice", "pet_profile:read")
        lock = "BEGIN; LOCK TABLE pet_profiles IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); END"
        holder = threading.Thread(target=postgres.sql, args=(lock, database))
        holder.start()
        try:
            deadline = time.monotonic() + 10
            while postgres.sql(holding, database) == "0" and time.monotonic() < deadline:
                time.sleep(0.05)
            answer = httpx.get(server.base_url + "/pet-profiles", headers=owner, timeout=30)
        finally:
            holder.join()
        after = httpx.get(server.base_url + "/pet-profiles", headers=owner, timeout=30)

    assert (answer.status_code, answer.json()["error"]["code"]) == (503, "database_unavailable")
    assert after.status_code == 200, after.text
