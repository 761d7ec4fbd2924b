"""Status page benchmark (issue 9), on SQLite and on PostgreSQL in one run.

For each database: seed 1,000,000 status changes of 12 flapping checks within the raw retention
and 400 days of daily rollups, then start PetSage on it twice, with the status page and without
(PETSAGE_STATUS_PAGE_ENABLED=false), served the same way. Targets:
- with the summary cached, `/system/status.json` and `/system/status` answer 20 concurrent
  clients with a p99 under 50 ms (`/system/status` once the page exists);
- a recompute after a change (what the board does on every status change) under 500 ms;
- liveness and readiness serve at least 95% of the requests/s of the server without the page.

PostgreSQL is a scratch database on the server of PETSAGE_TEST_POSTGRES_URL, dropped after.

    uv run python bench/status_page.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

import status_seed
from harness import (
    Load,
    Options,
    Server,
    ServerSpec,
    compare_load,
    http_body,
    http_status,
    run_wrk,
    running,
    settle,
)
from petsage.database.migrate import upgrade_to_head
from petsage.database.session import Database
from petsage.features.status_page.hours import HourCache
from petsage.features.status_page.service import StatusPolicy, compute_summary
from petsage.health import history
from petsage.health.lifecycle import Phase
from petsage.settings import Settings
from report import Report, Verdict, machine, print_table, run_standalone

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from petsage.testing.stub_http import answering

EVENTS = 1_000_000
VIEWERS = 20
JSON_PATH, PAGE_PATH = "/system/status.json", "/system/status"
LIVE, READY = "/system/health", "/system/health/ready"
P99_TARGET_MS = 50.0
RECOMPUTE_TARGET_MS = 500.0
RECOMPUTES = 5
THROUGHPUT_TARGET = 0.95
WARM_TIMEOUT_SECONDS = 120.0
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def measure(options: Options) -> Report:
    print(
        f"\n== status page: {EVENTS:,} events, {VIEWERS} viewers, {options.describe()}", flush=True
    )
    figures: dict[str, Any] = {"machine": machine()}
    verdicts: list[Verdict] = []
    with answering(200, b'{"status":"ok"}') as dependency:
        for kind in ("sqlite", "postgres"):
            with scratch_database(kind) as url:
                found, judged = measure_database(kind, url, dependency, options)
            figures[kind] = found
            verdicts += judged
    figures["load_average_after"] = os.getloadavg()
    for verdict in verdicts:
        print(verdict)
    return Report("status_page", figures, verdicts)


def measure_database(
    kind: str, url: str, dependency: str, options: Options
) -> tuple[dict[str, Any], list[Verdict]]:
    print(f"\n-- {kind}: migrating and seeding ...", flush=True)
    seeding = seed(url)
    print(
        f"   seeded {EVENTS:,} events and {status_seed.ROLLUP_DAYS} days in {seeding:.1f} s",
        flush=True,
    )
    checks = [{"name": name, "url": dependency} for name in status_seed.HTTP_CHECKS]
    env = {"PETSAGE_DATABASE_URL": url, "PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(checks)}
    with_page = ServerSpec(f"{kind}, status page", "factories:petsage", env)
    without = ServerSpec(
        f"{kind}, no status page",
        "factories:petsage",
        {**env, "PETSAGE_STATUS_PAGE_ENABLED": "false"},
    )
    with ExitStack() as stack:
        on = stack.enter_context(running(with_page, options))
        off = stack.enter_context(running(without, options))
        warm(on)
        settle()
        recompute = measure_recompute(url)
        views = {path: measure_views(on, path, options) for path in (JSON_PATH, PAGE_PATH)}
        probes = measure_probes(on, off, options)
    found = {
        "seeding_seconds": seeding,
        "recompute_ms": recompute,
        "views": {path: asdict(load) if load else None for path, load in views.items()},
        "probes": {name: asdict(load) for name, load in probes.items()},
    }
    print_figures(kind, recompute, views, probes)
    return found, judge(kind, recompute, views, probes)


def seed(url: str) -> float:
    settings = Settings(_env_file=None, database_url=url)
    asyncio.run(upgrade_to_head(settings))
    started, now = time.perf_counter(), datetime.now(UTC)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        status_seed.seed_sqlite(str(parsed.database), EVENTS, now)
    else:
        status_seed.seed_postgres(asyncpg_dsn(url), EVENTS, now)
    return time.perf_counter() - started


def warm(server: Server) -> None:
    """Wait until the board has computed its first summary (no longer the placeholder)."""
    deadline = time.monotonic() + WARM_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        body = json.loads(http_body(server, JSON_PATH))
        if body["banner"] != "starting" and body["checks"][0]["status"] != "unknown":
            return
        time.sleep(0.5)
    raise RuntimeError(f"{server.spec.name}: the status summary never got computed")


def measure_recompute(url: str) -> list[float]:
    """Record a change, then compute the summary as the board does: milliseconds, each time."""

    async def run() -> list[float]:
        database = Database.from_settings(Settings(_env_file=None, database_url=url))
        critical = {"database", "migrations"}
        policy = StatusPolicy(
            checks={name: name in critical for name in status_seed.CHECKS},
            merge_seconds=300,
            history_days=30,
            alive_within=180,
        )
        took = []
        hours: HourCache = {}  # the board keeps settled hours between recomputes, like this
        try:
            async with database.session() as session:
                cold = time.perf_counter()
                now = datetime.now(UTC)
                await compute_summary(session, policy, now=now, phase=Phase.SERVING, cache=hours)
                print(f"   first (cold) computation: {(time.perf_counter() - cold) * 1000:.0f} ms")
            for n in range(RECOMPUTES):
                async with database.session() as session:
                    await history.record_event(
                        session,
                        check_name="http:c1",
                        old_status="ok" if n % 2 else "error",
                        new_status="error" if n % 2 else "ok",
                        reason="bench change",
                        instance_id=status_seed.INSTANCE,
                    )
                started = time.perf_counter()
                async with database.session() as session:
                    now = datetime.now(UTC)
                    await compute_summary(
                        session, policy, now=now, phase=Phase.SERVING, cache=hours
                    )
                took.append((time.perf_counter() - started) * 1000)
        finally:
            await database.dispose()
        return took

    return asyncio.run(run())


def measure_views(server: Server, path: str, options: Options) -> Load | None:
    if http_status(server.port, path) != 200:
        print(f"   {path}: not served by this branch (the page comes with the PAGE work): skipped")
        return None
    run_wrk(server.url(path), options.warmup_seconds, options, connections=VIEWERS)
    loads = [
        run_wrk(server.url(path), options.seconds, options, connections=VIEWERS, pid=server.pid)
        for _ in range(options.runs)
    ]
    return max(loads, key=lambda load: load.p99_ms)  # the worst round, not the median


def measure_probes(on: Server, off: Server, options: Options) -> dict[str, Load]:
    targets = {
        "liveness, status page": on.url(LIVE),
        "liveness, none": off.url(LIVE),
        "readiness, status page": on.url(READY),
        "readiness, none": off.url(READY),
    }
    pids = {name: (on if "status page" in name else off).pid for name in targets}
    return compare_load(targets, options, pids=pids)


def judge(
    kind: str, recompute: list[float], views: dict[str, Load | None], probes: dict[str, Load]
) -> list[Verdict]:
    verdicts = [
        Verdict(
            f"{kind}: recompute after a change {max(recompute):.0f} ms at worst "
            f"(target < {RECOMPUTE_TARGET_MS:.0f} ms)",
            max(recompute) < RECOMPUTE_TARGET_MS,
        )
    ]
    for path, load in views.items():
        if load is not None:
            verdicts.append(
                Verdict(
                    f"{kind}: {path} p99 {load.p99_ms:.1f} ms at {VIEWERS} clients "
                    f"(target < {P99_TARGET_MS:.0f} ms)",
                    load.p99_ms < P99_TARGET_MS and not load.errors,
                )
            )
    for probe in ("liveness", "readiness"):
        share = ratio(probes[f"{probe}, status page"], probes[f"{probe}, none"])
        verdicts.append(
            Verdict(
                f"{kind}: {probe} with the status page serves {share:.1%} of the requests/s "
                f"without it (target >= {THROUGHPUT_TARGET:.0%})",
                share >= THROUGHPUT_TARGET,
            )
        )
    return verdicts


def ratio(load: Load, baseline: Load) -> float:
    """The median of each round's ratio (both loaded back to back in every round)."""
    return statistics.median(x / b for x, b in zip(load.rounds, baseline.rounds, strict=True))


def print_figures(
    kind: str, recompute: list[float], views: dict[str, Load | None], probes: dict[str, Load]
) -> None:
    print(
        f"   recompute after a change, ms: {', '.join(f'{t:.0f}' for t in recompute)}", flush=True
    )
    rows = [
        [name, x.requests_per_second, f"{x.spread:.0%}", x.p50_ms, x.p99_ms, x.errors]
        for name, x in [*((p, v) for p, v in views.items() if v), *probes.items()]
    ]
    print_table(["target", "requests/s", "spread", "p50 ms", "p99 ms", "errors"], rows)


@contextmanager
def scratch_database(kind: str, prefix: str = "petsage_bench_status") -> Iterator[str]:
    """A fresh database of `kind` ("sqlite" or "postgres"), named `prefix` and a random
    suffix on PostgreSQL's server, dropped after."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"{prefix.replace('_', '-')}-") as tmp:
            yield f"sqlite+aiosqlite:///{Path(tmp) / 'petsage.sqlite3'}"
        return
    base = make_url(os.environ.get("PETSAGE_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = asyncpg_dsn(base.set(database="postgres").render_as_string(hide_password=False))
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


if __name__ == "__main__":
    sys.exit(run_standalone(measure, sys.argv[1:], __doc__ or ""))
