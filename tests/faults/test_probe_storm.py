"""A probe storm against a real `petsage serve`, counting the database statements it causes.

Endpoints serve the engine's latest snapshot, so however many probes arrive the database sees
one round of health queries per interval per process (issue 4). The proxy between PetSage and
PostgreSQL counts every statement at the wire (Query and Execute messages), first over a quiet
window, then over a window of the same length under hundreds of concurrent probes.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.faults.test_database_faults import INTERVAL, READY, petsage_behind
from tests.support.fault_proxy import FaultProxy
from tests.support.faults import ThrowawayPostgres
from tests.support.probing import probe_storm

pytestmark = pytest.mark.slow

CHECKS = "/system/health/checks"
CONCURRENCY = 300
ROUNDS_PER_WINDOW = 6
WINDOW_SECONDS = ROUNDS_PER_WINDOW * INTERVAL


def statements_over(proxy: FaultProxy, seconds: float) -> tuple[int, float]:
    before, started = proxy.statements, time.monotonic()
    time.sleep(seconds)
    return proxy.statements - before, time.monotonic() - started


def test_a_probe_storm_causes_no_more_database_queries_than_quiet(
    fault_proxy: FaultProxy, postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    with petsage_behind(fault_proxy, postgres, tmp_path, "petsage_probe_storm") as server:
        time.sleep(INTERVAL)  # start-up's statements (migrations, first round) are behind us
        quiet, quiet_seconds = statements_over(fault_proxy, WINDOW_SECONDS)
        before, started = fault_proxy.statements, time.monotonic()
        storm = probe_storm(server.base_url, [READY, CHECKS], CONCURRENCY, WINDOW_SECONDS)
        stormy, storm_seconds = fault_proxy.statements - before, time.monotonic() - started

    assert storm.requests >= CONCURRENCY, storm
    # Every probe answered 200: the runner kept completing rounds under the storm (a snapshot
    # three intervals old would have answered 503).
    assert storm.statuses == {200: storm.requests}
    assert quiet > 0, "the quiet window saw no health query: nothing was measured"
    # The bound, absolute: one health statement per interval (`SELECT 1` in autocommit,
    # no pre-ping); the schema revision is re-read once a minute, outside this window.
    assert quiet <= quiet_seconds / INTERVAL + 1, f"{quiet} statements in {quiet_seconds:.1f} s"
    # A window of W seconds holds between W/interval - 1 and W/interval + 1 rounds, so one
    # round costs at most quiet / (quiet rounds - 1) statements, and the storm's window may
    # hold at most storm rounds + 1 of them.
    per_round = quiet / (quiet_seconds / INTERVAL - 1)
    allowed = per_round * (storm_seconds / INTERVAL + 1)
    assert stormy <= allowed, (
        f"{storm.requests} probes caused {stormy} statements in {storm_seconds:.1f} s; "
        f"quiet: {quiet} in {quiet_seconds:.1f} s, so at most {allowed:.0f} allowed"
    )
