"""Readiness benchmark (issues 4 and 11): readiness against liveness, then in an outage.

Targets, on one uvicorn worker at 50 connections like the liveness benchmark:
- readiness, with every check registered (database, migrations, disk, memory, event_loop and
  an http check), serves at least 95% of the liveness endpoint's requests per second, both
  measured on the same server in the same run: it only reads the latest snapshot;
- while PostgreSQL is black-holed (a proxy between PetSage and the database that accepts and
  never answers), readiness answers 503 with a p99 latency under 50 ms.

PostgreSQL is a throwaway cluster of the benchmark's own (the shared server is never touched),
which needs PostgreSQL's binaries (Debian's postgresql-15) and, as root, a `postgres` user.

    uv run python bench/readiness.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from harness import (
    Load,
    Options,
    Server,
    ServerSpec,
    compare_load,
    http_body,
    http_status,
    median,
    run_wrk,
    running,
    settle,
)
from report import Report, Verdict, machine, print_table, run_standalone

# The fault tools live with the tests; the benchmark reuses them rather than keep a copy.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.fault_proxy import FaultProxy
from tests.support.faults import ThrowawayPostgres, missing_postgres_reason
from tests.support.stub_http import answering

LIVE = "/system/health"
READY = "/system/health/ready"
CHECKS = "/system/health/checks"
TARGET_RATIO = 0.95
TARGET_OUTAGE_P99_MS = 50.0
# Shorter than the default 5 s: more rounds run under the load, and the outage is detected
# sooner. The snapshot is rendered once per round, so a shorter interval only costs more.
INTERVAL_SECONDS = 1.0
EXPECTED_CHECKS = {"database", "migrations", "disk", "memory", "event_loop", "http:dummy"}
DETECTION_WAIT_SECONDS = 15.0
DATABASE = "petsage_bench"
LIVENESS = "liveness"
READINESS = "readiness"
OUTAGE = "readiness, PostgreSQL black-holed"


def measure(options: Options) -> Report:
    print(f"\n== readiness: GET {READY} against GET {LIVE}, {options.describe()}", flush=True)
    before = machine()
    with ExitStack() as stack:
        postgres = stack.enter_context(throwaway_postgres())
        proxy = stack.enter_context(FaultProxy("127.0.0.1", postgres.port))
        dummy = stack.enter_context(answering(200, b'{"status":"ok"}'))
        server = stack.enter_context(running(petsage_spec(postgres, proxy, dummy), options))
        wait_for_status(server, READY, 200)
        settle()
        checks = registered_checks(server)
        targets = {LIVENESS: server.url(LIVE), READINESS: server.url(READY)}
        pids = dict.fromkeys(targets, server.pid)
        loads = compare_load(targets, options, pids=pids)
        outage = measure_outage(server, proxy, options)
    loads[OUTAGE] = outage.load
    print_table(
        ["endpoint", "requests/s", "spread", "p50 ms", "p99 ms", "CPU us/req", "non-2xx"],
        [
            [name, x.requests_per_second, f"{x.spread:.0%}", x.p50_ms, x.p99_ms,
             x.cpu_us_per_request or 0.0, x.errors]
            for name, x in loads.items()
        ],
    )  # fmt: skip
    verdicts = judge(loads, outage, checks)
    for verdict in verdicts:
        print(verdict)
    figures = {
        "machine": before,
        "load_average_after": os.getloadavg(),
        "method": options.describe(),
        "health_interval_seconds": INTERVAL_SECONDS,
        "checks": sorted(checks),
        "ratio_readiness_to_liveness": ratio(loads),
        "cpu_ratio_readiness_to_liveness": cpu_ratio(loads),
        "outage_detection_seconds": outage.detection_seconds,
        "outage_p99_ms_each_run": outage.p99_ms_each_run,
        "loads": {name: asdict(load) for name, load in loads.items()},
    }
    return Report("readiness", figures, verdicts)


@contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    reason = missing_postgres_reason()
    if reason is not None:
        raise SystemExit(f"readiness benchmark: {reason}")
    cluster = ThrowawayPostgres.create()
    try:
        cluster.start()
        cluster.create_database(DATABASE)
        yield cluster
    finally:
        cluster.destroy()


def petsage_spec(postgres: ThrowawayPostgres, proxy: FaultProxy, dummy_url: str) -> ServerSpec:
    http_checks = [{"name": "dummy", "url": f"{dummy_url}/", "critical": False}]
    return ServerSpec(
        "PetSage, every check",
        "factories:petsage",
        {
            "PETSAGE_DATABASE_URL": postgres.url(DATABASE, proxy.port),
            "PETSAGE_HEALTH_INTERVAL_SECONDS": str(INTERVAL_SECONDS),
            "PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(http_checks),
        },
        # uvicorn serves the factory without `petsage serve`'s start-up migration.
        prepare=("petsage", "db", "upgrade"),
    )


def registered_checks(server: Server) -> set[str]:
    body = json.loads(http_body(server, CHECKS))
    return {check["name"] for check in body["checks"]}


def wait_for_status(server: Server, path: str, status: int) -> float:
    """Poll `path` until it answers `status`; return how long that took."""
    started = time.monotonic()
    while http_status(server.port, path) != status:
        if time.monotonic() - started > DETECTION_WAIT_SECONDS:
            checks = http_body(server, CHECKS).decode()
            raise RuntimeError(f"{path} not {status} after {DETECTION_WAIT_SECONDS} s: {checks}")
        time.sleep(0.01)
    return time.monotonic() - started


@dataclass(frozen=True)
class Outage:
    load: Load  # the median of the runs; wrk counts every 503 as non-2xx, as it should
    p99_ms_each_run: tuple[float, ...]
    detection_seconds: float
    failing_throughout: bool


def measure_outage(server: Server, proxy: FaultProxy, options: Options) -> Outage:
    """Readiness under load while every byte to PostgreSQL disappears."""
    proxy.black_hole()
    try:
        detected = wait_for_status(server, READY, 503)
        print(f"  PostgreSQL black-holed: readiness 503 after {detected:.2f} s; loading it ...")
        runs = [
            run_wrk(server.url(READY), options.seconds, options, pid=server.pid)
            for _ in range(options.runs)
        ]
        failing = http_status(server.port, READY) == 503
    finally:
        proxy.forward()
    return Outage(median(runs), tuple(run.p99_ms for run in runs), detected, failing)


def ratio(loads: dict[str, Load]) -> float:
    """Readiness over liveness requests/s, the median of the per-round ratios: each round
    loads both back to back, so a slow spell of a shared machine hits both alike."""
    live, ready = loads[LIVENESS].rounds, loads[READINESS].rounds
    return statistics.median(r / x for r, x in zip(ready, live, strict=True))


def cpu_ratio(loads: dict[str, Load]) -> float:
    """Liveness's server CPU per request over readiness's: the ratio on a quiet core."""
    live, ready = loads[LIVENESS].cpu_us_per_request, loads[READINESS].cpu_us_per_request
    return live / ready if live and ready else 0.0


def judge(loads: dict[str, Load], outage: Outage, checks: set[str]) -> list[Verdict]:
    live, ready = loads[LIVENESS], loads[READINESS]
    return [
        Verdict(
            f"every check registered ({', '.join(sorted(checks))})",
            checks >= EXPECTED_CHECKS,
        ),
        Verdict(
            f"readiness serves {ratio(loads):.0%} of liveness's requests/s "
            f"(target >= {TARGET_RATIO:.0%}; by server CPU per request: {cpu_ratio(loads):.0%})",
            ratio(loads) >= TARGET_RATIO,
        ),
        Verdict(
            f"readiness p99 with PostgreSQL black-holed: {outage.load.p99_ms:.1f} ms "
            f"(target < {TARGET_OUTAGE_P99_MS:.0f} ms; median of runs at "
            f"{', '.join(f'{p99:.1f}' for p99 in outage.p99_ms_each_run)} ms)",
            outage.load.p99_ms < TARGET_OUTAGE_P99_MS,
        ),
        Verdict(
            f"readiness turned 503 {outage.detection_seconds:.2f} s into the outage and stayed so",
            outage.failing_throughout,
        ),
        Verdict(
            "no socket errors or non-2xx answers while healthy", not (live.errors or ready.errors)
        ),
    ]


if __name__ == "__main__":
    sys.exit(run_standalone(measure, sys.argv[1:], __doc__ or ""))
