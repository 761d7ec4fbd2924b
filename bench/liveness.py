"""Liveness benchmark (issues 2 and 11): PetSage's `GET /system/health` against raw ASGI.

Target: PetSage serves at least 80% of the raw ASGI callable's requests per second, both on the
same uvicorn settings (one worker, uvloop, httptools, no access log), 50 connections. For
context it also loads PetSage with its probe fast path off and the seed's code as written.
Besides requests/s it reports each server's CPU time per request: on a shared machine other
processes take the server's core away at random, which moves requests/s far more than it.

    uv run python bench/liveness.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict

from harness import (
    Load,
    Options,
    Server,
    ServerSpec,
    compare_load,
    http_body,
    running,
    settle,
)
from report import Report, Verdict, machine, print_table, run_standalone

PATH = "/system/health"
TARGET_RATIO = 0.8
RAW = "raw ASGI"
PETSAGE = "PetSage"
# The embedded SQLite database is created and migrated first, as `petsage serve` does.
MIGRATE = ("petsage", "db", "upgrade")
SERVERS = (
    ServerSpec(RAW, "baselines:raw_asgi"),
    ServerSpec(PETSAGE, "factories:petsage", prepare=MIGRATE),
    ServerSpec("PetSage, fast path off", "factories:petsage_without_fast_path", prepare=MIGRATE),
    ServerSpec("seed code (def + response_model)", "seed:seed_app"),
)


def measure(options: Options) -> Report:
    print(f"\n== liveness: GET {PATH}, {options.describe()}", flush=True)
    before = machine()
    with ExitStack() as stack:
        # Started one after the other, so that no start-up competes with another.
        servers = [stack.enter_context(running(spec, options)) for spec in SERVERS]
        settle()
        idle_rss = {server.spec.name: server.rss_mib() for server in servers}
        check_same_body(servers)
        loads = compare_load(
            {server.spec.name: server.url(PATH) for server in servers},
            options,
            pids={server.spec.name: server.pid for server in servers},
        )
    print_load(loads)
    print_footprint(servers, idle_rss)
    verdicts = judge(loads)
    for verdict in verdicts:
        print(verdict)
    results = {
        "machine": before,
        "load_average_after": os.getloadavg(),
        "method": options.describe(),
        "servers": figures(loads, servers, idle_rss),
    }
    return Report("liveness", results, verdicts)


def judge(loads: dict[str, Load]) -> list[Verdict]:
    petsage = ratio(loads[PETSAGE], loads[RAW])
    return [
        Verdict(
            f"PetSage {PATH} serves {petsage:.1%} of raw ASGI's requests/s "
            f"(target >= {TARGET_RATIO:.0%})",
            petsage >= TARGET_RATIO,
        ),
        Verdict("no socket errors or non-2xx answers", all(not x.errors for x in loads.values())),
    ]


def check_same_body(servers: Sequence[Server]) -> None:
    """Every server must give the same answer, or the comparison means nothing."""
    bodies = {server.spec.name: http_body(server, PATH) for server in servers}
    if len(set(bodies.values())) != 1:
        raise RuntimeError(f"the servers disagree on {PATH}: {bodies}")


def print_load(loads: dict[str, Load]) -> None:
    raw = loads[RAW]
    rows = [
        [
            name,
            x.requests_per_second,
            f"{x.spread:.0%}",
            x.p50_ms,
            x.p99_ms,
            f"{ratio(x, raw):.0%}",
            x.cpu_us_per_request or 0.0,
            f"{cpu_ratio(x, raw):.0%}",
        ]
        for name, x in loads.items()
    ]
    print()
    headers = ["server", "requests/s", "spread", "p50 ms", "p99 ms", "vs raw"]
    print_table([*headers, "CPU us/req", "CPU vs raw"], rows)


def print_footprint(servers: Sequence[Server], idle_rss: dict[str, float]) -> None:
    rows = [[s.spec.name, s.startup_seconds, idle_rss[s.spec.name]] for s in servers]
    print()
    print_table(["server", "start to first 200 s", "idle RSS MiB"], rows)
    print()


def ratio(load: Load, raw: Load) -> float:
    """The median of each round's ratio: the two were measured back to back in each round, so
    a slow spell of the shared machine weighs on both alike."""
    return statistics.median(x / r for x, r in zip(load.rounds, raw.rounds, strict=True))


def cpu_ratio(load: Load, raw: Load) -> float:
    """Raw ASGI's CPU per request over this server's: the requests/s ratio on a quiet core."""
    if not load.cpu_us_per_request or not raw.cpu_us_per_request:
        return 0.0
    return raw.cpu_us_per_request / load.cpu_us_per_request


def figures(
    loads: dict[str, Load], servers: Sequence[Server], idle_rss: dict[str, float]
) -> dict[str, object]:
    raw = loads[RAW]
    return {
        server.spec.name: {
            **asdict(loads[server.spec.name]),
            "ratio_to_raw": ratio(loads[server.spec.name], raw),
            "cpu_ratio_to_raw": cpu_ratio(loads[server.spec.name], raw),
            "startup_seconds": server.startup_seconds,
            "idle_rss_mib": idle_rss[server.spec.name],
        }
        for server in servers
    }


if __name__ == "__main__":
    sys.exit(run_standalone(measure, sys.argv[1:], __doc__ or ""))
