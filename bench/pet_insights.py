"""Pet insights benchmark (issue 19), on SQLite and on PostgreSQL in one run.

For each database: a scratch database migrated to the head and filled by bench/pet_seed.py
(1,000 owners, 2,000 pets, 100,000 activities; one pet with about 1,500 entries over a year),
then a real `petsage serve` on it. With one development-issuer token of the busy pet's owner
(cached by the server after its first use), three routes of that pet are loaded in interleaved
rounds by a few connections, so that the figures are each query's latency, not a queue's:

- `GET /pet-profiles/{id}`, the baseline: one row by its key;
- `GET /pet-profiles/{id}/activity-summary`, 90 local days of Europe/Berlin, by day;
- `GET /pet-profiles/{id}/insights`.

The summary query's plan on each database is printed first (bench/pet_plans.py).

Targets: p99 under 50 ms for the summary and the insights; the summary's p50 at most 5x the
single-pet GET's.

PostgreSQL is a scratch database on the server of PETSAGE_TEST_POSTGRES_URL, dropped after.

    uv run python bench/pet_insights.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from harness import Load, Options, Server, ServerSpec, median, running, settle
from pet_plans import summary_plan
from pet_seed import seed_pets
from petsage.testing.tokens import AccessTokens
from report import Report, Verdict, machine, print_table, run_standalone
from resource_auth import Target, get, interleaved, per_round
from status_page import scratch_database

CLIENTS = 4
SUMMARY_DAYS = 90
ZONE = "Europe/Berlin"
SCOPES = ("pet_profile:read", "activity_tracker:read")
TARGET_P99_MS = 50.0
TARGET_SUMMARY_RATIO = 5.0
GET_ONE = "GET one pet"
SUMMARY = f"summary, {SUMMARY_DAYS} days by day"
INSIGHTS = "insights"
READY_PATH = "/system/health/ready"
# The lines of a plan printed (all are kept in the JSON): which index, how many rows each way.
PLAN_WORDS = ("SEARCH", "SCAN activities", "Index", "Rows Removed", "Execution Time")


def measure(options: Options) -> Report:
    print(
        f"\n== pet insights: {CLIENTS} connections, 1 wrk thread, "
        f"median of {options.runs} x {options.seconds} s",
        flush=True,
    )
    figures: dict[str, Any] = {"machine": machine()}
    verdicts: list[Verdict] = []
    for kind in ("sqlite", "postgres"):
        with scratch_database(kind, "petsage_bench_pets") as url:
            found, judged = measure_database(kind, url, options)
        figures[kind] = found
        verdicts += judged
    figures["load_average_after"] = os.getloadavg()
    for verdict in verdicts:
        print(verdict)
    return Report("pet_insights", figures, verdicts)


def paths(pet_id: int, today: date) -> dict[str, str]:
    first = today - timedelta(days=SUMMARY_DAYS - 1)
    query = f"from={first.isoformat()}&to={today.isoformat()}&granularity=day&tz={ZONE}"
    return {
        GET_ONE: f"/pet-profiles/{pet_id}",
        SUMMARY: f"/pet-profiles/{pet_id}/activity-summary?{query}",
        INSIGHTS: f"/pet-profiles/{pet_id}/insights",
    }


def measure_database(kind: str, url: str, options: Options) -> tuple[dict[str, Any], list[Verdict]]:
    print(f"\n-- {kind}: migrating and seeding ...", flush=True)
    seeded = asyncio.run(seed_pets(url))
    print(
        f"   seeded {seeded.pets:,} pets and {seeded.activities:,} activities in "
        f"{seeded.seconds:.1f} s; pet {seeded.busy_pet_id} holds {seeded.busy_entries:,}",
        flush=True,
    )
    plan = asyncio.run(summary_plan(url, seeded.busy_pet_id, SUMMARY_DAYS, ZONE))
    for line in plan:
        if any(word in line for word in PLAN_WORDS):
            print(f"   summary plan: {line}", flush=True)
    with tempfile.TemporaryDirectory(prefix="petsage-bench-pets-") as tmp:
        data_dir = Path(tmp)
        token = AccessTokens(data_dir).token(seeded.busy_owner, *SCOPES)
        env = {"PETSAGE_DATABASE_URL": url, "PETSAGE_DATA_DIR": str(data_dir)}
        spec = ServerSpec(f"{kind}, petsage serve", command=("petsage", "serve"), env=env)
        with running(spec, options, READY_PATH) as server:
            settle()
            routes = served_routes(server, paths(seeded.busy_pet_id, date.today()), token)
            bearer = (f"Authorization: Bearer {token}",)
            targets = {
                name: Target(server.url(path), server.pid, CLIENTS, bearer)
                for name, path in routes.items()
            }
            runs = interleaved(targets, options)
    loads = {name: median(each) for name, each in runs.items()}
    print_table(
        ["route", "requests/s", "spread", "p50 ms", "p99 ms", "CPU us/req", "errors"],
        [
            [name, x.requests_per_second, f"{x.spread:.0%}", x.p50_ms, x.p99_ms,
             x.cpu_us_per_request or 0.0, x.errors]
            for name, x in loads.items()
        ],
    )  # fmt: skip
    found = {
        "seeded": asdict(seeded),
        "summary_plan": plan,
        "paths": routes,
        "loads": {name: asdict(load) for name, load in loads.items()},
        "summary_to_get_p50": cost(runs, SUMMARY, lambda x: x.p50_ms),
        "summary_to_get_p99": cost(runs, SUMMARY, lambda x: x.p99_ms),
        "summary_to_get_cpu": cost(runs, SUMMARY, lambda x: x.cpu_us_per_request or 0.0),
    }
    print(
        f"   summary / GET: p50 {found['summary_to_get_p50']:.2f}x, p99 "
        f"{found['summary_to_get_p99']:.2f}x, CPU per request {found['summary_to_get_cpu']:.2f}x",
        flush=True,
    )
    return found, judge(kind, loads, found)


def served_routes(server: Server, wanted: dict[str, str], token: str) -> dict[str, str]:
    """The routes that answer 200 for the owner's token (a route not yet built answers 404 and
    is left out, and judged missing); a 401 or 403 means the token or scopes are wrong."""
    found = {}
    for name, path in wanted.items():
        status, body = get(server, path, {"Authorization": f"Bearer {token}"})
        if status == 200:
            found[name] = path
        elif status == 404 and name != GET_ONE:
            print(f"   {name}: {path} answers 404, left out", flush=True)
        else:
            raise RuntimeError(f"{path} answered {status}: {body}")
    return found


def cost(runs: dict[str, list[Load]], name: str, measure: Callable[[Load], float]) -> float:
    """`name` over the single-pet GET, the median of the rounds' ratios (both loaded back to
    back in each round); NaN when `name` is not served."""
    if name not in runs:
        return float("nan")
    return per_round(runs[name], runs[GET_ONE], measure)


def judge(kind: str, loads: dict[str, Load], found: dict[str, Any]) -> list[Verdict]:
    verdicts = []
    for name in (SUMMARY, INSIGHTS):
        load = loads.get(name)
        if load is None:
            verdicts.append(Verdict(f"{kind}: {name} is served", False))
            continue
        verdicts.append(
            Verdict(
                f"{kind}: {name} p99 {load.p99_ms:.1f} ms (target < {TARGET_P99_MS:.0f} ms)",
                load.p99_ms < TARGET_P99_MS and not load.errors,
            )
        )
    if SUMMARY in loads:
        summary = found["summary_to_get_p50"]
        verdicts.append(
            Verdict(
                f"{kind}: summary p50 {summary:.2f}x a single-pet GET's "
                f"(target <= {TARGET_SUMMARY_RATIO:.0f}x)",
                summary <= TARGET_SUMMARY_RATIO,
            )
        )
    errors = {name: x.errors for name, x in loads.items() if x.errors}
    verdicts.append(
        Verdict(f"{kind}: no socket errors or non-2xx ({errors or 'none'})", not errors)
    )
    return verdicts


if __name__ == "__main__":
    sys.exit(run_standalone(measure, sys.argv[1:], __doc__ or ""))
