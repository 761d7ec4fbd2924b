"""Resource list benchmark (issue 17), on SQLite and on PostgreSQL in one run.

For each database: 100,000 rows in a kit resource's table (bench/resource_pets.py, indexed on
each filtered or sorted column as a generated resource's is, plus the composite index its
request's `indexes: [[species, birth_date]]` renders for the filter and sort asked together),
then a real `petsage serve` with that resource installed as a plug-in. Its list route is loaded
with one filter and a sort (`?species=cat&sort=-birth_date`) and with the same sort and no
filter, in interleaved rounds, and the p50 and p99 of both are printed side by side. Target: the
index makes the filtered query no slower than the unfiltered one (p50 and p99 at most the
unfiltered ones, plus 10% for a shared machine's noise).

PostgreSQL is a scratch database on the server of PETSAGE_TEST_POSTGRES_URL, dropped after.

    uv run python bench/resource_list.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from harness import (
    BENCH_DIR,
    Load,
    Options,
    Server,
    ServerSpec,
    http_body,
    median,
    run_wrk,
    running,
)
from petsage.database.engine import create_engine
from petsage.database.migrate import upgrade_to_head
from petsage.settings import Settings
from report import Report, Verdict, machine, print_table, run_standalone
from resource_pets import PATH, SPECIES, BenchBase, BenchPet
from status_page import scratch_database

ROWS = 100_000
CHUNK = 5_000
# Concurrent clients: a handful, so that the figures are the query's latency, not a queue's.
CLIENTS = 4
FILTERED = f"{PATH}?species=cat&sort=-birth_date"
UNFILTERED = f"{PATH}?sort=-birth_date"
# A shared machine's noise: "no slower" allows this much above the unfiltered figure.
NOISE = 1.10
FIRST_BIRTH = date(2005, 1, 1)
BIRTH_DAYS = 20 * 365


def measure(options: Options) -> Report:
    print(
        f"\n== resource list: {ROWS:,} rows, {CLIENTS} connections, 1 wrk thread, "
        f"median of {options.runs} x {options.seconds} s",
        flush=True,
    )
    figures: dict[str, Any] = {"machine": machine(), "filtered": FILTERED, "unfiltered": UNFILTERED}
    verdicts: list[Verdict] = []
    with tempfile.TemporaryDirectory(prefix="petsage-bench-plugin-") as site:
        spec = plugin_spec(Path(site))
        for kind in ("sqlite", "postgres"):
            with scratch_database(kind) as url:
                found, judged = measure_database(kind, url, spec, options)
            figures[kind] = found
            verdicts += judged
    figures["load_average_after"] = os.getloadavg()
    for verdict in verdicts:
        print(verdict)
    return Report("resource_list", figures, verdicts)


def measure_database(
    kind: str, url: str, spec: ServerSpec, options: Options
) -> tuple[dict[str, Any], list[Verdict]]:
    print(f"\n-- {kind}: migrating and seeding ...", flush=True)
    seeding = asyncio.run(seed(url))
    print(f"   seeded {ROWS:,} rows in {seeding:.1f} s", flush=True)
    plans = asyncio.run(query_plans(url))
    for name, plan in plans.items():
        print(f"   plan, {name}: {' / '.join(plan)}", flush=True)
    env = {**spec.env, "PETSAGE_DATABASE_URL": url}
    served = ServerSpec(f"{kind}, petsage serve", command=spec.command, env=env)
    with running(served, options) as server:
        totals = check_answers(server)
        loads = interleaved_loads(server, options)
    filtered, unfiltered = loads["one filter and a sort"], loads["the sort alone"]
    print_table(
        ["query", "rows matching", "requests/s", "spread", "p50 ms", "p99 ms", "errors"],
        [
            [name, total, x.requests_per_second, f"{x.spread:.0%}", x.p50_ms, x.p99_ms, x.errors]
            for (name, x), total in zip(loads.items(), totals, strict=True)
        ],
    )
    found = {
        "seeding_seconds": seeding,
        "totals": totals,
        "plans": plans,
        "loads": {name: asdict(load) for name, load in loads.items()},
    }
    return found, judge(kind, filtered, unfiltered)


def interleaved_loads(server: Server, options: Options) -> dict[str, Load]:
    """Both queries loaded in turn, round after round (a slow spell of a shared machine then
    falls on both), by CLIENTS connections: few enough that the latency is the query's, not a
    queue's. The median of each."""
    targets = {"one filter and a sort": FILTERED, "the sort alone": UNFILTERED}
    for path in targets.values():
        run_wrk(server.url(path), options.warmup_seconds, options, connections=CLIENTS)
    runs: dict[str, list[Load]] = {name: [] for name in targets}
    for round_number in range(1, options.runs + 1):
        print(f"  round {round_number}/{options.runs} ...", flush=True)
        for name, path in targets.items():
            load = run_wrk(
                server.url(path), options.seconds, options, pid=server.pid, connections=CLIENTS
            )
            runs[name].append(load)
    return {name: median(loads) for name, loads in runs.items()}


def judge(kind: str, filtered: Load, unfiltered: Load) -> list[Verdict]:
    verdicts = []
    for label in ("p50", "p99"):
        mine, base = getattr(filtered, f"{label}_ms"), getattr(unfiltered, f"{label}_ms")
        verdicts.append(
            Verdict(
                f"{kind}: one filter and a sort, {label} {mine:.2f} ms against {base:.2f} ms "
                f"unfiltered (target <= {NOISE:.2f} x)",
                mine <= base * NOISE and not filtered.errors,
            )
        )
    return verdicts


def check_answers(server: Server) -> list[int]:
    """Both queries answer a full page; how many rows each matches in all."""
    totals = []
    for path in (FILTERED, UNFILTERED):
        page = json.loads(http_body(server, path))
        if len(page.get("items", ())) != page.get("limit"):
            raise RuntimeError(f"{path} did not answer a full page: {page}")
        totals.append(int(page["total"]))
    return totals


async def seed(url: str) -> float:
    """Migrate, create the bench table, insert ROWS rows and refresh the planner's figures."""
    # Generous timeouts: a loaded machine may take more than the default 0.5 s to connect.
    settings = Settings(
        _env_file=None,
        database_url=url,
        db_connect_timeout_seconds=30,
        db_pool_timeout_seconds=30,
    )
    await upgrade_to_head(settings)
    engine = create_engine(settings, statement_timeout_ms=0)
    started = time.perf_counter()
    try:
        async with engine.begin() as connection:
            await connection.run_sync(BenchBase.metadata.create_all)
            statement = insert(BenchPet.__table__)  # type: ignore[arg-type]
            for rows in chunks(random.Random(17)):
                await connection.execute(statement, rows)
        async with engine.connect() as connection:
            settled = await connection.execution_options(isolation_level="AUTOCOMMIT")
            backend = make_url(url).get_backend_name()
            await settled.execute(text("ANALYZE" if backend == "sqlite" else "VACUUM ANALYZE"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def query_plans(url: str) -> dict[str, list[str]]:
    """The database's plan for each page query, as the kit writes it (filters, then the sort
    with NULLs first when descending, then `id`), to see which index serves it."""
    settings = Settings(_env_file=None, database_url=url, db_connect_timeout_seconds=30)
    engine = create_engine(settings, statement_timeout_ms=0)
    order = (BenchPet.birth_date.desc().nulls_first(), BenchPet.id)
    queries = {
        "filtered": select(BenchPet).where(BenchPet.species == "cat").order_by(*order),
        "unfiltered": select(BenchPet).order_by(*order),
    }
    sqlite = make_url(url).get_backend_name() == "sqlite"
    explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    plans: dict[str, list[str]] = {}
    try:
        async with engine.connect() as connection:
            for name, query in queries.items():
                literal = query.limit(20).compile(
                    engine.sync_engine, compile_kwargs={"literal_binds": True}
                )
                rows = await connection.execute(text(explain + str(literal)))
                plans[name] = [str(row[-1]).strip() for row in rows]
    finally:
        await engine.dispose()
    return plans


def chunks(chance: random.Random) -> Iterator[list[dict[str, Any]]]:
    """ROWS pets, a few without a birth date or a weight, CHUNK at a time."""
    now = datetime.now().astimezone()
    for start in range(0, ROWS, CHUNK):
        yield [
            {
                "name": f"pet {n}",
                "species": chance.choice(SPECIES),
                "birth_date": None
                if chance.random() < 0.05
                else FIRST_BIRTH + timedelta(days=chance.randrange(BIRTH_DAYS)),
                "weight_g": None if chance.random() < 0.05 else chance.randrange(50, 90_000),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(start, start + CHUNK)
        ]


def plugin_spec(site: Path, module: str = "resource_pets") -> ServerSpec:
    """`petsage serve` with bench/<module>.py (its `feature`) installed as a plug-in from
    `site`."""
    dist_info = site / f"{module}-0.1.dist-info"
    dist_info.mkdir()
    metadata = f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n"
    (dist_info / "METADATA").write_text(metadata, encoding="utf-8")
    entry_points = f"[petsage.features]\n{module} = {module}:feature\n"
    (dist_info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    path = os.pathsep.join(
        p for p in (str(site), str(BENCH_DIR), os.environ.get("PYTHONPATH")) if p
    )
    return ServerSpec("petsage serve", command=("petsage", "serve"), env={"PYTHONPATH": path})


if __name__ == "__main__":
    sys.exit(run_standalone(measure, sys.argv[1:], __doc__ or ""))
