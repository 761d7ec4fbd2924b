"""Start-up benchmark (issues 11, 17): start to first 200, idle memory, a leak check, discovery.

Each start is timed from launching the process to the first 200 on `/system/health`, polled
every 2 ms; the servers are started one after the other, round after round (median of each),
so that a slow spell of a shared machine weighs on all of them alike. PetSage is started as an
operator starts it, `python -m petsage serve`, which validates the settings, migrates the
embedded SQLite database and binds its port; the baselines under uvicorn with the same settings.

Bare FastAPI is the wrong baseline for a service that must load SQLAlchemy (issue 17): the
start-up and memory targets are against the hand stack (bench/hand_stack.py), the same libraries
assembled by hand: FastAPI, pydantic-settings, SQLAlchemy async on SQLite, a `SELECT 1` readiness
route, prometheus_client with a request counter and histogram. Bare FastAPI stays for context.

Targets, each a ratio to a baseline measured in this run:
- `petsage serve` to first liveness 200, schema at head: <= 1.3x the hand stack;
- the same with one migration pending (a fresh database): <= 2.5x bare FastAPI;
- first readiness 200 within one health interval of the first liveness 200;
- idle RSS after start: <= 1.15x the hand stack;
- liveness requests/s: >= 5x the hand stack (the median of each round's ratio);
- RSS growth over 200,000 mixed requests (bench/mixed.lua) after a warm-up: < 5%;
- feature discovery costs at most 5% of start-up time and of liveness requests/s against
  the same features wired by hand (`assemble_app(settings, AppOptions(features=[...]))`).

    uv run python bench/startup.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass

from harness import (
    BENCH_DIR,
    Load,
    Options,
    Server,
    ServerSpec,
    compare_load,
    run_wrk,
    running,
    seconds_until_200,
    settle,
)
from liveness import check_same_body, cpu_ratio, ratio
from report import Report, Verdict, machine, print_table, run_standalone

LIVE = "/system/health"
READY = "/system/health/ready"
MIGRATE = ("petsage", "db", "upgrade")
SERVE = ("petsage", "serve")
# Settings' default: readiness must turn 200 within one round of the checks.
HEALTH_INTERVAL_SECONDS = 5.0
RAW = ServerSpec("raw ASGI", "baselines:raw_asgi")
BARE = ServerSpec("bare FastAPI", "bare_fastapi:bare_fastapi")
HAND = ServerSpec("hand stack", "hand_stack:hand_stack")
AT_HEAD = ServerSpec("petsage serve, schema at head", command=SERVE, prepare=MIGRATE)
# The database one migration short of the head (bench/migrate_to.py): one migration pending.
PENDING = ServerSpec(
    "petsage serve, migration pending",
    command=SERVE,
    prepare=("migrate_to",),
    env={"PYTHONPATH": str(BENCH_DIR)},
)
DISCOVERED = ServerSpec("create_app, features discovered", "factories:petsage", prepare=MIGRATE)
HAND_WIRED = ServerSpec(
    "create_app, features by hand", "factories:petsage_hand_wired", prepare=MIGRATE
)
STARTS = (RAW, BARE, HAND, AT_HEAD, PENDING, DISCOVERED, HAND_WIRED)
# Against the hand stack (issue 17); the migration pending still against bare FastAPI (issue 11).
TARGET_AT_HEAD = 1.3
TARGET_PENDING = 2.5
TARGET_RSS = 1.15
TARGET_LIVENESS = 5.0
TARGET_GROWTH = 0.05
TARGET_DISCOVERY = 0.05
LEAK_REQUESTS = 200_000
MIXED = BENCH_DIR / "mixed.lua"


@dataclass(frozen=True)
class Start:
    seconds: float
    idle_rss_mib: float
    ready_after_live_seconds: float | None


@dataclass(frozen=True)
class Starts:
    """One server's starts: the median start and RSS, the slowest readiness."""

    startup_seconds: float
    idle_rss_mib: float
    ready_after_live_seconds: float | None
    startup_seconds_each: tuple[float, ...]

    @classmethod
    def of(cls, starts: Sequence[Start]) -> Starts:
        ready = [s.ready_after_live_seconds for s in starts]
        return cls(
            statistics.median(s.seconds for s in starts),
            statistics.median(s.idle_rss_mib for s in starts),
            None if None in ready else max(r for r in ready if r is not None),
            tuple(round(s.seconds, 3) for s in starts),
        )


def measure(options: Options) -> Report:
    print(f"\n== start-up: first 200 on {LIVE}, idle RSS, leak check, discovery", flush=True)
    before = machine()
    starts = measure_starts(options)
    growth = measure_leak(options)
    discovery_loads = measure_discovery_load(options)
    hand_loads = measure_hand_load(options)
    summary = {spec.name: Starts.of(starts[spec.name]) for spec in STARTS}
    print_starts(summary)
    print_against_hand(summary, hand_loads)
    verdicts = judge(summary, growth, discovery_loads, hand_loads)
    for verdict in verdicts:
        print(verdict)
    figures = {
        "machine": before,
        "load_average_after": os.getloadavg(),
        "method": f"median of {rounds(options)} interleaved starts; {options.describe()}",
        "starts": {name: asdict(starts) for name, starts in summary.items()},
        "leak": growth,
        "discovery_liveness_requests_per_second": discovery_loads,
        "liveness_against_hand_stack": {
            name: {**asdict(load), "ratio_to_hand": ratio(load, hand_loads[HAND.name])}
            for name, load in hand_loads.items()
        },
    }
    return Report("startup", figures, verdicts)


def rounds(options: Options) -> int:
    return 2 if options.quick else 5


def measure_starts(options: Options) -> dict[str, list[Start]]:
    starts: dict[str, list[Start]] = {spec.name: [] for spec in STARTS}
    for round_number in range(1, rounds(options) + 1):
        print(f"  starts, round {round_number}/{rounds(options)} ...", flush=True)
        for spec in STARTS:
            with running(spec, options) as server:
                ready = seconds_until_200(server, READY) if spec.command else None
                settle()
                starts[spec.name].append(Start(server.startup_seconds, server.rss_mib(), ready))
    return starts


def measure_leak(options: Options) -> dict[str, float]:
    """RSS of `petsage serve` after a warm-up of mixed requests, then after 200,000 more."""
    total = LEAK_REQUESTS // 4 if options.quick else LEAK_REQUESTS
    print(f"  leak check: {total:,} mixed requests ...", flush=True)
    with running(AT_HEAD, options) as server:
        url = server.url(LIVE)
        run_wrk(url, options.warmup_seconds * 2, options, script=MIXED)
        settle()
        warm = server.rss_mib()
        served = 0
        while served < total:
            served += run_wrk(url, options.seconds, options, script=MIXED).requests
        settle()
        after = server.rss_mib()
    return {"requests": served, "warm_rss_mib": warm, "after_rss_mib": after,
            "growth": after / warm - 1}  # fmt: skip


def measure_discovery_load(options: Options) -> dict[str, float]:
    with ExitStack() as stack:
        servers: list[Server] = [
            stack.enter_context(running(spec, options)) for spec in (DISCOVERED, HAND_WIRED)
        ]
        loads = compare_load({s.spec.name: s.url(LIVE) for s in servers}, options)
    return {name: load.requests_per_second for name, load in loads.items()}


def measure_hand_load(options: Options) -> dict[str, Load]:
    """Liveness requests/s of `petsage serve` and the hand stack, loaded in turn (issue 17)."""
    print("  liveness: petsage serve against the hand stack ...", flush=True)
    with ExitStack() as stack:
        servers = [stack.enter_context(running(spec, options)) for spec in (AT_HEAD, HAND)]
        check_same_body(servers)
        return compare_load(
            {s.spec.name: s.url(LIVE) for s in servers},
            options,
            pids={s.spec.name: s.pid for s in servers},
        )


def print_against_hand(summary: dict[str, Starts], loads: dict[str, Load]) -> None:
    """The issue 17 figures side by side: PetSage against the hand stack, with the load."""
    hand, head = summary[HAND.name], summary[AT_HEAD.name]
    hand_load, head_load = loads[HAND.name], loads[AT_HEAD.name]
    rows = [
        ["idle RSS MiB", hand.idle_rss_mib, head.idle_rss_mib,
         f"{head.idle_rss_mib / hand.idle_rss_mib:.2f}x", f"<= {TARGET_RSS}x"],
        ["start to first liveness 200 s", hand.startup_seconds, head.startup_seconds,
         f"{head.startup_seconds / hand.startup_seconds:.2f}x", f"<= {TARGET_AT_HEAD}x"],
        ["liveness requests/s", hand_load.requests_per_second, head_load.requests_per_second,
         f"{ratio(head_load, hand_load):.2f}x", f">= {TARGET_LIVENESS}x"],
        ["liveness CPU us/request", hand_load.cpu_us_per_request or 0.0,
         head_load.cpu_us_per_request or 0.0, f"{cpu_ratio(head_load, hand_load):.2f}x", ""],
    ]  # fmt: skip
    print_table(["figure", HAND.name, "petsage serve", "ratio", "target"], rows)
    print(f"  load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()


def print_starts(summary: dict[str, Starts]) -> None:
    bare, hand = summary[BARE.name], summary[HAND.name]
    rows = [
        [name, s.startup_seconds, f"{s.startup_seconds / bare.startup_seconds:.2f}x",
         f"{s.startup_seconds / hand.startup_seconds:.2f}x",
         s.idle_rss_mib, f"{s.idle_rss_mib / bare.idle_rss_mib:.2f}x",
         f"{s.idle_rss_mib / hand.idle_rss_mib:.2f}x",
         "" if s.ready_after_live_seconds is None else s.ready_after_live_seconds]
        for name, s in summary.items()
    ]  # fmt: skip
    print()
    headers = ["server", "start to 200 s", "vs bare", "vs hand", "idle RSS MiB", "vs bare"]
    print_table([*headers, "vs hand", "ready after live s"], rows)
    print()


def judge(
    summary: dict[str, Starts],
    growth: dict[str, float],
    discovery_loads: dict[str, float],
    hand_loads: dict[str, Load],
) -> list[Verdict]:
    bare, head, pending = summary[BARE.name], summary[AT_HEAD.name], summary[PENDING.name]
    hand = summary[HAND.name]
    at_head = head.startup_seconds / hand.startup_seconds
    migrating = pending.startup_seconds / bare.startup_seconds
    rss = head.idle_rss_mib / hand.idle_rss_mib
    liveness = ratio(hand_loads[AT_HEAD.name], hand_loads[HAND.name])
    ready = max(head.ready_after_live_seconds or 0.0, pending.ready_after_live_seconds or 0.0)
    discovered, by_hand = summary[DISCOVERED.name], summary[HAND_WIRED.name]
    start_cost = discovered.startup_seconds / by_hand.startup_seconds - 1
    load_cost = 1 - discovery_loads[DISCOVERED.name] / discovery_loads[HAND_WIRED.name]
    return [
        Verdict(f"start to first liveness 200, schema at head: {at_head:.2f}x the hand stack "
                f"(target <= {TARGET_AT_HEAD}x)", at_head <= TARGET_AT_HEAD),
        Verdict(f"start to first liveness 200, migration pending: {migrating:.2f}x bare FastAPI "
                f"(target <= {TARGET_PENDING}x)", migrating <= TARGET_PENDING),
        Verdict(f"first readiness 200 at most {ready:.2f} s after the first liveness 200 "
                f"(target <= one health interval, {HEALTH_INTERVAL_SECONDS:g} s)",
                ready <= HEALTH_INTERVAL_SECONDS),
        Verdict(f"idle RSS: {rss:.2f}x the hand stack (target <= {TARGET_RSS}x)",
                rss <= TARGET_RSS),
        Verdict(f"liveness requests/s: {liveness:.2f}x the hand stack (target >= "
                f"{TARGET_LIVENESS}x)", liveness >= TARGET_LIVENESS),
        Verdict(f"RSS growth over {growth['requests']:,.0f} mixed requests: {growth['growth']:.1%} "
                f"(target < {TARGET_GROWTH:.0%})", growth["growth"] < TARGET_GROWTH),
        Verdict(f"discovery costs {start_cost:.1%} of start-up and {load_cost:.1%} of liveness "
                f"requests/s against features wired by hand (target <= {TARGET_DISCOVERY:.0%})",
                start_cost <= TARGET_DISCOVERY and load_cost <= TARGET_DISCOVERY),
    ]  # fmt: skip


if __name__ == "__main__":
    sys.exit(run_standalone(measure, sys.argv[1:], __doc__ or ""))
