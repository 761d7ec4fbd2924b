"""Readiness benchmark (issues 4 and 11): readiness against liveness, then in an outage.

Targets, on one uvicorn worker at 50 connections like the liveness benchmark:
- readiness, with every check registered (database, migrations, disk, memory, event_loop and
  an http check), serves at least 95% of the liveness endpoint's requests per second, both
  measured on the same server in the same run: it only reads the latest snapshot;
- while PostgreSQL is black-holed (a proxy between PetSage and the database that accepts and
  never answers), readiness answers 503 with a p99 latency under 50 ms;
- readiness and the check list asked by a dashboard or a monitoring tool (a valid or a wrong
  token, or `Accept: application/health+json`) serve at least as many requests per second as
  a bare FastAPI app's one async route with a response model (`bench/bare_fastapi.py`),
  measured in the same run. For context, also PetSage's full route (fast path off) with a token.

PostgreSQL is a throwaway cluster of the benchmark's own (the shared server is never touched),
which needs PostgreSQL's binaries (Debian's postgresql-15) and, as root, a `postgres` user.

    uv run python bench/readiness.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import http.client
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

from petsage.testing.stub_http import answering

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
TOKEN = "bench-health-token-0123456789abcdef"  # noqa: S105 (the bench server's own)
VALID_TOKEN = f"Authorization: Bearer {TOKEN}"
WRONG_TOKEN = "Authorization: Bearer bench-health-token-0123456789abcdeX"  # noqa: S105
HEALTH_JSON = "Accept: application/health+json"
# What dashboards, on-call scripts and monitoring tools send: (path, header lines).
CALLERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "readiness, valid token": (READY, (VALID_TOKEN,)),
    "readiness, wrong token": (READY, (WRONG_TOKEN,)),
    "readiness, health+json": (READY, (HEALTH_JSON,)),
    "checks, valid token": (CHECKS, (VALID_TOKEN,)),
    "checks, health+json": (CHECKS, (HEALTH_JSON,)),
}
BARE = "bare FastAPI route"
FULL_ROUTE = "readiness, valid token, full route (fast path off)"
TARGET_CALLER_RATIO = 1.0


def measure(options: Options) -> Report:
    print(f"\n== readiness: GET {READY} against GET {LIVE}, {options.describe()}", flush=True)
    before = machine()
    with ExitStack() as stack:
        postgres = stack.enter_context(throwaway_postgres())
        proxy = stack.enter_context(FaultProxy("127.0.0.1", postgres.port))
        dummy = stack.enter_context(answering(200, b'{"status":"ok"}'))
        spec = petsage_spec(postgres, proxy, dummy)
        server = stack.enter_context(running(spec, options))
        route = stack.enter_context(running(without_fast_path(spec), options))
        bare = stack.enter_context(running(ServerSpec(BARE, "bare_fastapi:bare_fastapi"), options))
        for started in (server, route):
            wait_for_status(started, READY, 200)
        settle()
        checks = registered_checks(server)
        check_details(server)
        targets = {LIVENESS: server.url(LIVE), READINESS: server.url(READY)}
        targets |= {name: server.url(path) for name, (path, _) in CALLERS.items()}
        targets |= {FULL_ROUTE: route.url(READY), BARE: bare.url(LIVE)}
        pids = dict.fromkeys(targets, server.pid) | {FULL_ROUTE: route.pid, BARE: bare.pid}
        headers = {name: lines for name, (_, lines) in CALLERS.items()}
        headers[FULL_ROUTE] = (VALID_TOKEN,)
        loads = compare_load(targets, options, pids=pids, headers=headers)
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
        "ratios_to_bare_fastapi": {
            name: ratio_to(loads[name], loads[BARE]) for name in (*CALLERS, FULL_ROUTE)
        },
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
            "PETSAGE_HEALTH_TOKEN": TOKEN,
        },
        # uvicorn serves the factory without `petsage serve`'s start-up migration.
        prepare=("petsage", "db", "upgrade"),
    )


def without_fast_path(spec: ServerSpec) -> ServerSpec:
    return ServerSpec(
        "PetSage, fast path off", "factories:petsage_without_fast_path", spec.env, spec.prepare
    )


def check_details(server: Server) -> None:
    """The callers must get what they ask for, or the figures measure something else."""
    valid = json.loads(body_with(server, CHECKS, VALID_TOKEN))
    wrong = json.loads(body_with(server, CHECKS, WRONG_TOKEN))
    draft = json.loads(body_with(server, CHECKS, HEALTH_JSON))
    if "duration_ms" not in valid["checks"][0] or "duration_ms" in wrong["checks"][0]:
        raise RuntimeError(f"the token does not decide the detail: {valid} / {wrong}")
    if draft.get("serviceId") != "petsage":
        raise RuntimeError(f"Accept: application/health+json was not honoured: {draft}")


def body_with(server: Server, path: str, header: str) -> bytes:
    name, _, value = header.partition(": ")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", path, headers={name: value})
        return connection.getresponse().read()
    finally:
        connection.close()


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


def ratio_to(load: Load, base: Load) -> float:
    """`load` over `base` requests/s, the median of the per-round ratios (as `ratio`)."""
    return statistics.median(x / b for x, b in zip(load.rounds, base.rounds, strict=True))


def cpu_ratio(loads: dict[str, Load]) -> float:
    """Liveness's server CPU per request over readiness's: the ratio on a quiet core."""
    live, ready = loads[LIVENESS].cpu_us_per_request, loads[READINESS].cpu_us_per_request
    return live / ready if live and ready else 0.0


def judge(loads: dict[str, Load], outage: Outage, checks: set[str]) -> list[Verdict]:
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
        *[
            Verdict(
                f"{name} serves {ratio_to(loads[name], loads[BARE]):.0%} of the bare FastAPI "
                f"route's requests/s (target >= {TARGET_CALLER_RATIO:.0%})",
                ratio_to(loads[name], loads[BARE]) >= TARGET_CALLER_RATIO,
            )
            for name in CALLERS
        ],
        Verdict(
            "no socket errors or non-2xx answers while healthy",
            not any(load.errors for name, load in loads.items() if name != OUTAGE),
        ),
    ]


if __name__ == "__main__":
    sys.exit(run_standalone(measure, sys.argv[1:], __doc__ or ""))
