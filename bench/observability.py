"""Observability benchmark (issue 5): what logging, request ids and metrics cost.

PetSage as it ships (request ids, the access log as JSON lines to a file, Prometheus metrics)
against the same app built with `create_app(..., observability=False)`, which leaves those
middleware layers and `/metrics` out altogether. Both on the same uvicorn settings (one
worker, uvloop, httptools), 50 connections, loaded in turn in the same run, on
`/system/health` (a probe: no access line and no HTTP metrics by default, but a request id)
and on `/` (a request id, an access line and metrics). Target: the cost is under 15% on each.

    uv run python bench/observability.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict

from harness import Load, Options, ServerSpec, compare_load, parse_options, require_wrk, running
from report import Report, Verdict, machine, print_table, write_json

PATHS = ("/system/health", "/")
MAX_COST = 0.15
ON = ServerSpec("observability on", "factories:petsage")
OFF = ServerSpec("observability off", "factories:petsage_without_observability")


def measure(options: Options) -> Report:
    print(f"\n== observability: cost on {', '.join(PATHS)}, {options.describe()}", flush=True)
    before = machine()
    with ExitStack() as stack:
        servers = {spec.name: stack.enter_context(running(spec, options)) for spec in (ON, OFF)}
        targets = {
            (name, path): server.url(path) for path in PATHS for name, server in servers.items()
        }
        loads = compare_load(
            {f"{name} {path}": url for (name, path), url in targets.items()}, options
        )
    costs = {path: cost(loads[f"{ON.name} {path}"], loads[f"{OFF.name} {path}"]) for path in PATHS}
    print_loads(loads, costs)
    verdicts = [
        Verdict(
            f"observability costs {costs[path]:.1%} of requests/s on {path} "
            f"(target < {MAX_COST:.0%})",
            costs[path] < MAX_COST,
        )
        for path in PATHS
    ]
    verdicts.append(
        Verdict("no socket errors or non-2xx answers", all(not x.errors for x in loads.values()))
    )
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


def cost(on: Load, off: Load) -> float:
    """1 - on/off, the median over rounds: each round loads both back to back, so a slow
    spell of the shared machine weighs on both alike."""
    return 1 - statistics.median(a / b for a, b in zip(on.rounds, off.rounds, strict=True))


def print_loads(loads: dict[str, Load], costs: dict[str, float]) -> None:
    rows = [
        [name, x.requests_per_second, f"{x.spread:.0%}", x.p50_ms, x.p99_ms]
        for name, x in loads.items()
    ]
    print()
    print_table(["server and path", "requests/s", "spread", "p50 ms", "p99 ms"], rows)
    print()
    print_table(["path", "cost"], [[path, f"{value:.1%}"] for path, value in costs.items()])
    print()


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv, __doc__ or "")
    require_wrk()
    report = measure(options)
    if options.json_path is not None:
        write_json(options.json_path, {report.name: report.as_json()})
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
