"""Observability benchmark (issue 5): what logging, request ids and metrics cost.

PetSage as it ships (request ids, the access log as JSON lines to a file, Prometheus metrics)
against the same app built with `assemble_app(..., AppOptions(observability=False))`, which
leaves those middleware layers and `/metrics` out altogether. Both on the same uvicorn settings (one
worker, uvloop, httptools), 50 connections, loaded in turn in the same run, on
`/system/health` (a probe: a request id, but no access line and no HTTP metrics by default)
and on `/` (a request id, an access line and metrics). Target: under 15% fewer requests/s.

The server's CPU time per request is printed too: other processes on a shared machine slow
a server down but barely change it, so its ratio shows the same cost with less noise.

    uv run python bench/observability.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import os
import statistics
import sys
from contextlib import ExitStack
from dataclasses import asdict

from harness import Load, Options, ServerSpec, compare_load, running
from report import Report, Verdict, machine, print_table, run_standalone

PATHS = ("/system/health", "/")
MAX_COST = 0.15
MIGRATE = ("petsage", "db", "upgrade")
ON = ServerSpec("on", "factories:petsage", prepare=MIGRATE)
OFF = ServerSpec("off", "factories:petsage_without_observability", prepare=MIGRATE)


def measure(options: Options) -> Report:
    print(f"\n== observability: {', '.join(PATHS)}, {options.describe()}", flush=True)
    before = machine()
    with ExitStack() as stack:
        servers = [stack.enter_context(running(spec, options)) for spec in (ON, OFF)]
        names = {(s.spec.name, path): f"{path} {s.spec.name}" for s in servers for path in PATHS}
        loads = compare_load(
            {names[s.spec.name, path]: s.url(path) for s in servers for path in PATHS},
            options,
            pids={names[s.spec.name, path]: s.pid for s in servers for path in PATHS},
        )
    costs = {path: costs_of(loads[f"{path} on"], loads[f"{path} off"]) for path in PATHS}
    print_loads(loads, costs)
    verdicts = [
        Verdict(
            f"observability costs {costs[path]['requests_per_second']:.1%} of requests/s on "
            f"{path} (target < {MAX_COST:.0%})",
            costs[path]["requests_per_second"] < MAX_COST,
        )
        for path in PATHS
    ]
    errors = all(not load.errors for load in loads.values())
    verdicts.append(Verdict("no socket errors or non-2xx answers", errors))
    for verdict in verdicts:
        print(verdict)
    results = {
        "machine": before,
        "load_average_after": os.getloadavg(),
        "method": options.describe(),
        "servers": {name: asdict(load) for name, load in loads.items()},
        "cost": costs,
    }
    return Report("observability", results, verdicts)


def costs_of(on: Load, off: Load) -> dict[str, float]:
    """The cost in requests/s (median of the per-round ratios: each round loads both back to
    back) and as capacity from CPU per request (1 - CPU off / CPU on)."""
    rate = statistics.median(a / b for a, b in zip(on.rounds, off.rounds, strict=True))
    cpu = (off.cpu_us_per_request or 0.0) / (on.cpu_us_per_request or 1.0)
    return {"requests_per_second": 1 - rate, "cpu_capacity": 1 - cpu}


def print_loads(loads: dict[str, Load], costs: dict[str, dict[str, float]]) -> None:
    rows = [
        [
            name,
            x.requests_per_second,
            f"{x.spread:.0%}",
            x.p50_ms,
            x.p99_ms,
            x.cpu_us_per_request or 0.0,
        ]
        for name, x in loads.items()
    ]
    print()
    print_table(
        ["path and observability", "requests/s", "spread", "p50 ms", "p99 ms", "CPU us/req"], rows
    )
    print()
    cost_rows = [
        [path, f"{cost['requests_per_second']:.1%}", f"{cost['cpu_capacity']:.1%}"]
        for path, cost in costs.items()
    ]
    print_table(["path", "cost in requests/s", "cost in CPU per request"], cost_rows)
    print()


if __name__ == "__main__":
    sys.exit(run_standalone(measure, sys.argv[1:], __doc__ or ""))
