"""A soak test: mixed load on a real `petsage serve` for minutes, PostgreSQL stopped and started.

`run_soak(config)` makes a throwaway PostgreSQL cluster (tests/support/faults.py, never the
shared server), starts `petsage serve` on it, sends the mix of `soak_load.MIX` from a bounded
number of clients to 127.0.0.1 and the attacks of `soak_attacks.ATTACKS` (trailers, a slow
body, big bodies, a HEAD stream) from one attacker until the time is up, stops the database every
`db_cycle_seconds` for `db_down_seconds`, and samples the server's RSS and descriptors. The
report says how RSS and descriptors moved, how many liveness answers were 5xx and which ERROR
lines the log holds beyond the expected ones. `bench/soak.py` (`make soak`) and
tests/soak/test_soak.py both run it.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.support.faults import ThrowawayPostgres
from tests.support.plugins import install_feature
from tests.support.server import RunningServer, petsage_server
from tests.support.soak_attacks import (
    ATTACK_KINDS,
    FEATURE_NAME,
    RESOURCE_SOURCE,
    SERVER_ENV,
    run_attacks,
)
from tests.support.soak_load import MIX, Load, Tally, run_clients
from tests.support.soak_observe import (
    ErrorLines,
    Outage,
    ProcessSample,
    error_lines,
    sample_process,
)
from tests.support.soak_report import SoakReport

TOKEN = "soak-test-token-0123456789"
POOL_SIZE = 5
MAX_OVERFLOW = 5
# The application's pool and the health checks' own connection.
DATABASE_CONNECTION_BOUND = POOL_SIZE + MAX_OVERFLOW + 1
# Start-up is not what a soak measures: on a loaded machine importing alone can take 20 s.
STARTUP_SECONDS = 120.0
SAMPLE_SECONDS = 5.0
# After the clients have closed their connections, the server gets this long to close its side.
CLOSE_SETTLE_SECONDS = 2.0
# The database is up for at least this long before the end, so the end is measured on a server
# that has recovered, not in the middle of reconnecting.
END_SETTLE_SECONDS = 20.0
# The server runs without coverage's subprocess hook (set empty, it starts nothing): traced, it
# spent about twice the CPU on every one of the load's requests, on code the other server tests
# measure, and the tracer's own data grew in the RSS the soak compares.
UNMEASURED = {"COVERAGE_PROCESS_CONFIG": "", "COVERAGE_PROCESS_START": ""}


@dataclass(frozen=True)
class SoakConfig:
    seconds: float
    db_cycle_seconds: float
    db_down_seconds: float
    # RSS and descriptors are compared from the end of the warm-up: the first seconds import
    # lazily loaded modules, fill caches (OpenAPI document, route lookups, compiled regexes,
    # SQLAlchemy's statement cache) and grow the allocator's arenas to their working size,
    # growth that happens once and is no leak.
    warmup_seconds: float = 30.0
    clients: int = 16
    rate: float = 200.0
    health_interval_seconds: float = 1.0

    def outage_starts(self) -> list[float]:
        """Seconds into the load at which the database is stopped."""
        starts: list[float] = []
        at = self.db_cycle_seconds
        while at + self.db_down_seconds + END_SETTLE_SECONDS <= self.seconds:
            starts.append(at)
            at += self.db_cycle_seconds
        return starts


def run_soak(config: SoakConfig, work_dir: Path | None = None) -> SoakReport:
    """Run the whole soak and report; the cluster and the server are gone when it returns."""
    with _work_dir(work_dir) as directory, ThrowawayPostgres.started() as cluster:
        site = install_feature(directory / "site", FEATURE_NAME, RESOURCE_SOURCE)
        env = _server_env(config, cluster.url(cluster.create_database("petsage_soak")), site)
        with petsage_server(directory, env=env, startup_timeout=STARTUP_SECONDS) as server:
            report = asyncio.run(_soak(config, server, cluster))
        # Read once the server has stopped, so that errors logged while stopping count too.
        report.errors = _server_errors(server.log_path, report.outages)
    return report


@contextmanager
def _work_dir(work_dir: Path | None) -> Iterator[Path]:
    if work_dir is not None:
        yield work_dir
        return
    with tempfile.TemporaryDirectory(prefix="petsage-soak-") as directory:
        yield Path(directory)


def _server_env(config: SoakConfig, database_url: str, site: Path) -> dict[str, str]:
    """The soak's settings; `site` holds the attacks' target route, a plug-in feature."""
    python_path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH")) if p)
    return {
        **SERVER_ENV,
        **UNMEASURED,
        "PYTHONPATH": python_path,
        "PETSAGE_DATABASE_URL": database_url,
        "PETSAGE_DB_MIGRATE_ON_START": "true",
        "PETSAGE_DB_POOL_SIZE": str(POOL_SIZE),
        "PETSAGE_DB_MAX_OVERFLOW": str(MAX_OVERFLOW),
        "PETSAGE_HEALTH_INTERVAL_SECONDS": str(config.health_interval_seconds),
        "PETSAGE_HEALTH_TOKEN": TOKEN,
    }


async def _soak(
    config: SoakConfig, server: RunningServer, cluster: ThrowawayPostgres
) -> SoakReport:
    port = int(server.base_url.rsplit(":", 1)[1])
    started = time.monotonic()

    def sample() -> ProcessSample:
        elapsed = time.monotonic() - started
        return sample_process(server.process.pid, port, cluster.port, elapsed)

    deadline = started + config.seconds
    load = Load(server.base_url, TOKEN, config.clients, config.rate)
    samples: list[ProcessSample] = []
    outages: list[Outage] = []
    attack_tallies = {kind.name: Tally() for kind in ATTACK_KINDS}
    async with asyncio.TaskGroup() as group:
        clients = group.create_task(run_clients(load, deadline))
        group.create_task(run_attacks(("127.0.0.1", port), deadline, attack_tallies))
        group.create_task(_sample_until(deadline, sample, samples))
        group.create_task(_cycle_database(config, cluster, started, outages))
    tallies: dict[str, Tally] = {**clients.result(), **attack_tallies}
    load_seconds = time.monotonic() - started
    at_end = sample()
    await asyncio.sleep(CLOSE_SETTLE_SECONDS)
    closed = sample()
    return SoakReport(
        clients=config.clients,
        rate=config.rate,
        warmup_seconds=config.warmup_seconds,
        load_seconds=load_seconds,
        kinds=(*MIX, *ATTACK_KINDS),
        tallies=tallies,
        outages=tuple(outages),
        samples=(*samples, at_end),
        after_close=closed,
        database_connection_bound=DATABASE_CONNECTION_BOUND,
    )


async def _sample_until(
    deadline: float, sample: Callable[[], ProcessSample], samples: list[ProcessSample]
) -> None:
    while time.monotonic() < deadline:
        samples.append(sample())
        await asyncio.sleep(min(SAMPLE_SECONDS, max(0.0, deadline - time.monotonic())))


async def _cycle_database(
    config: SoakConfig, cluster: ThrowawayPostgres, started: float, outages: list[Outage]
) -> None:
    """Stop the database at each of `config.outage_starts()`, start it `db_down_seconds` later.
    pg_ctl blocks until the server has stopped or accepts, so it runs in a thread."""
    for offset in config.outage_starts():
        await asyncio.sleep(max(0.0, started + offset - time.monotonic()))
        stopped_at = datetime.now(UTC)
        await asyncio.to_thread(cluster.stop, "fast")
        await asyncio.sleep(config.db_down_seconds)
        await asyncio.to_thread(cluster.start)
        outages.append(Outage(stopped_at, datetime.now(UTC)))


def _server_errors(log_path: Path, outages: Sequence[Outage]) -> ErrorLines:
    with log_path.open(encoding="utf-8", errors="replace") as log:
        return error_lines(log, outages)
