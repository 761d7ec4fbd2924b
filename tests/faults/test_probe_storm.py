"""A probe storm against a real `petsage serve`, counting the database statements it causes.

Endpoints serve the engine's latest snapshot, so however many probes arrive the database sees
one round of health queries per interval per process (issue 4). The proxy between PetSage and
PostgreSQL counts every statement at the wire (Query and Execute messages), first over a quiet
window, then over a window of the same length under hundreds of concurrent probes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.faults.test_database_faults import INTERVAL, READY, petsage_behind
from tests.support.fault_proxy import FaultProxy
from tests.support.faults import ThrowawayPostgres
from tests.support.probing import probe_storm
from tests.support.server import RunningServer

pytestmark = pytest.mark.slow

CHECKS = "/system/health/checks"
CONCURRENCY = 300
ROUNDS_PER_WINDOW = 6
WINDOW_SECONDS = ROUNDS_PER_WINDOW * INTERVAL


HEALTH = "petsage-health"  # the health checks' connection, as `pg_stat_activity` names it
APPLICATION = "petsage"  # the application's pool


@dataclass(frozen=True)
class Window:
    """Statements on each kind of connection, and status changes, over one timed window."""

    health: int
    application: int
    status_changes: float
    seconds: float


def counts(proxy: FaultProxy, server: RunningServer) -> tuple[int, int, float, float]:
    return (
        proxy.tally.statements_of(HEALTH),
        proxy.tally.statements_of(APPLICATION),
        status_changes(server),
        time.monotonic(),
    )


def window(before: tuple[int, int, float, float], after: tuple[int, int, float, float]) -> Window:
    health, application, changes, seconds = (b - a for a, b in zip(before, after, strict=True))
    return Window(int(health), int(application), changes, seconds)


def status_changes(server: RunningServer) -> float:
    """Every check's status changes so far: each is one history write on the application pool."""
    text = httpx.get(server.base_url + "/metrics", timeout=5).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "petsage_health_check_status_changes"
        for sample in family.samples
        if sample.name.endswith("_total")
    )


def test_a_probe_storm_causes_no_more_database_queries_than_quiet(
    fault_proxy: FaultProxy, postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    with petsage_behind(fault_proxy, postgres, tmp_path, "petsage_probe_storm") as server:
        time.sleep(INTERVAL)  # start-up's statements (migrations, first round) are behind us
        started = counts(fault_proxy, server)
        time.sleep(WINDOW_SECONDS)
        quiet_end = counts(fault_proxy, server)
        storm = probe_storm(server.base_url, [READY, CHECKS], CONCURRENCY, WINDOW_SECONDS)
        stormy = window(quiet_end, counts(fault_proxy, server))
    quiet = window(started, quiet_end)

    assert storm.requests >= CONCURRENCY, storm
    # Every probe answered 200: the runner kept completing rounds under the storm (a snapshot
    # three intervals old would have answered 503).
    assert storm.statuses == {200: storm.requests}
    assert quiet.health > 0, "the quiet window saw no health query: nothing was measured"
    # The bound, absolute: one health statement per interval (`SELECT 1` in autocommit,
    # no pre-ping); the schema revision is re-read once a minute, outside this window.
    assert quiet.health <= quiet.seconds / INTERVAL + 1, quiet
    # A window of W seconds holds between W/interval - 1 and W/interval + 1 rounds, so one
    # round costs at most quiet / (quiet rounds - 1) statements, and the storm's window may
    # hold at most storm rounds + 1 of them.
    per_round = quiet.health / (quiet.seconds / INTERVAL - 1)
    allowed = per_round * (stormy.seconds / INTERVAL + 1)
    assert stormy.health <= allowed, (
        f"{storm.requests} probes caused {stormy.health} health statements in "
        f"{stormy.seconds:.1f} s; quiet: {quiet}, so at most {allowed:.0f} allowed"
    )
    # Probes never reach the application's pool. Its only work in these windows is writing a
    # status change to the history, which a check flapping on a loaded machine (CI's disk, the
    # loop) may cause; without a change, the pool sends nothing at all.
    for measured in (quiet, stormy):
        assert measured.application == 0 or measured.status_changes > 0, measured
