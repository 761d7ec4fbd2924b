"""Identity benchmark (issue 18): a protected item read against the same route left open.

One real `petsage serve` with bench/resource_owned.py installed as a plug-in serves the same kit
resource twice: owned rows behind `bench_pets:read` (as `petsage feature new --resource` makes
it by default) and unowned rows with `auth: none` (`Access.none()`). `GET /{id}` of one row is
loaded on both by 4 connections in interleaved rounds, the protected one with one
development-issuer token (as `petsage auth token` prints it), so after the first request the
verified-token cache answers. Target: the protected read at least 0.9x the open one in
requests/s, and in p50 and p99 (open latency over protected).

Also printed: what a first verification costs (signature included, bench/token_verification.py's
measurement, for the development issuer's EdDSA and the providers' usual RS256), and liveness
and readiness of the same server against raw ASGI in the same rounds, held to their own targets
(bench/liveness.py: >= 80% of raw ASGI; bench/readiness.py: >= 95% of liveness) to show that
identity left them unchanged.

    uv run python bench/resource_auth.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from harness import (
    CONNECTIONS,
    Load,
    Options,
    Server,
    ServerSpec,
    median,
    run_wrk,
    running,
    settle,
)
from petsage.auth.settings import AuthSettings
from petsage.auth.verifier import TokenVerifier
from petsage.database.engine import create_engine
from petsage.database.migrate import upgrade_to_head
from petsage.settings import Settings
from petsage.testing.tokens import AccessTokens
from report import Report, Verdict, machine, print_table, run_standalone
from resource_list import plugin_spec
from resource_owned import OPEN_PATH, OWNED_PATH, SCOPE_FEATURE, AuthBenchBase, OpenPet, OwnedPet
from token_verification import ISSUER, HeldKey, microseconds_each, signed_token

ROWS = 1_000
OWNERS = 100
ITEM = 500  # the row read, in both tables; its owner holds the token
# The item reads' clients: fewer than the database pool's connections (5), so that the figures
# are the route's cost, not a queue's (at 50 the pool runs out and answers 503 after 0.5 s).
# Liveness and readiness keep their own benchmarks' 50 connections.
CLIENTS = 4
TARGET_RATIO = 0.9
LIVENESS_TARGET = 0.8  # bench/liveness.py's, against raw ASGI
READINESS_TARGET = 0.95  # bench/readiness.py's, against liveness
PROTECTED = "protected GET, cached token"
OPEN = "open GET (auth: none)"
LIVENESS = "liveness"
READINESS = "readiness"
RAW = "raw ASGI liveness"
READY_PATH = "/system/health/ready"


def measure(options: Options) -> Report:
    print(
        f"\n== identity: GET one item, protected against open ({CLIENTS} connections), "
        f"liveness and readiness; {options.describe()}",
        flush=True,
    )
    figures: dict[str, Any] = {"machine": machine(), "method": options.describe()}
    figures["first_verification_us"] = first_verification(options)
    with ExitStack() as stack:
        site = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="petsage-bench-")))
        data_dir = site / "var"
        data_dir.mkdir()
        url = f"sqlite+aiosqlite:///{data_dir / 'petsage.sqlite3'}"
        asyncio.run(seed(url))
        token = AccessTokens(data_dir).token(owner_of(ITEM), f"{SCOPE_FEATURE}:read")
        spec = plugin_spec(site, "resource_owned")
        env = {**spec.env, "PETSAGE_DATA_DIR": str(data_dir), "PETSAGE_DATABASE_URL": url}
        served = ServerSpec("petsage serve", command=spec.command, env=env)
        server = stack.enter_context(running(served, options, READY_PATH))
        raw = stack.enter_context(running(ServerSpec(RAW, "baselines:raw_asgi"), options))
        settle()
        check_answers(server, token)
        bearer = (f"Authorization: Bearer {token}",)
        runs = interleaved(
            {
                PROTECTED: Target(server.url(f"{OWNED_PATH}/{ITEM}"), server.pid, CLIENTS, bearer),
                OPEN: Target(server.url(f"{OPEN_PATH}/{ITEM}"), server.pid, CLIENTS),
                LIVENESS: Target(server.url("/system/health"), server.pid),
                READINESS: Target(server.url(READY_PATH), server.pid),
                RAW: Target(raw.url("/system/health"), raw.pid),
            },
            options,
        )
    loads = {name: median(each) for name, each in runs.items()}
    print_table(
        ["target", "requests/s", "spread", "p50 ms", "p99 ms", "CPU us/req", "errors"],
        [
            [name, x.requests_per_second, f"{x.spread:.0%}", x.p50_ms, x.p99_ms,
             x.cpu_us_per_request or 0.0, x.errors]
            for name, x in loads.items()
        ],
    )  # fmt: skip
    found = ratios(runs)
    print(
        "  protected over open, median of the rounds' ratios (above 1: protected faster): "
        f"requests/s {found['requests_per_second']:.2f}, p50 {found['p50']:.2f}, "
        f"p99 {found['p99']:.2f}, CPU per request {found['cpu_per_request']:.2f}",
        flush=True,
    )
    verdicts = judge(loads, found)
    for verdict in verdicts:
        print(verdict)
    figures["loads"] = {name: asdict(load) for name, load in loads.items()}
    figures["ratios"] = found
    figures["load_average_after"] = os.getloadavg()
    return Report("resource_auth", figures, verdicts)


@dataclass(frozen=True)
class Target:
    url: str
    pid: int
    connections: int = CONNECTIONS
    headers: tuple[str, ...] = ()


def interleaved(targets: dict[str, Target], options: Options) -> dict[str, list[Load]]:
    """Every target warmed up, then loaded in turn round after round (a slow spell of the
    shared machine falls on all of them); each round's load of each."""
    for target in targets.values():
        run_wrk(target.url, options.warmup_seconds, options, **wrk_args(target))
    runs: dict[str, list[Load]] = {name: [] for name in targets}
    for round_number in range(1, options.runs + 1):
        print(f"  round {round_number}/{options.runs} ...", flush=True)
        for name, target in targets.items():
            load = run_wrk(target.url, options.seconds, options, pid=target.pid, **wrk_args(target))
            runs[name].append(load)
    return runs


def wrk_args(target: Target) -> dict[str, Any]:
    return {"headers": target.headers, "connections": target.connections}


def first_verification(options: Options) -> dict[str, float]:
    """Microseconds of one verification with no token cache (signature and claims), for the
    development issuer's algorithm and the one most providers sign with."""
    rounds, repeats = (50, 3) if options.quick else (500, 7)
    found = {}
    for algorithm in ("EdDSA", "RS256"):
        token, public = signed_token(algorithm)
        settings = AuthSettings(_env_file=None, auth_issuer=ISSUER, auth_token_cache_size=0)
        uncached = TokenVerifier(settings, HeldKey(public, algorithm), ISSUER)
        found[algorithm] = statistics.median(
            microseconds_each(uncached, token, rounds) for _ in range(repeats)
        )
    print_table(["algorithm", "first verification us"], [[name, us] for name, us in found.items()])
    return found


def judge(loads: dict[str, Load], found: dict[str, float]) -> list[Verdict]:
    verdicts = [
        Verdict(
            f"protected GET {label} {found[key]:.2f}x the open one's (target >= {TARGET_RATIO}x)",
            found[key] >= TARGET_RATIO,
        )
        for key, label in (
            ("requests_per_second", "requests/s"),
            ("p50", "speed at p50 (open p50 / protected p50)"),
            ("p99", "speed at p99 (open p99 / protected p99)"),
        )
    ]
    verdicts.append(
        Verdict(
            f"liveness serves {found['liveness_to_raw']:.1%} of raw ASGI's requests/s "
            f"(bench/liveness.py's target >= {LIVENESS_TARGET:.0%})",
            found["liveness_to_raw"] >= LIVENESS_TARGET,
        )
    )
    verdicts.append(
        Verdict(
            f"readiness serves {found['readiness_to_liveness']:.1%} of liveness's requests/s "
            f"(bench/readiness.py's target >= {READINESS_TARGET:.0%})",
            found["readiness_to_liveness"] >= READINESS_TARGET,
        )
    )
    errors = {name: x.errors for name, x in loads.items() if x.errors}
    verdicts.append(
        Verdict(f"no socket errors or non-2xx answers ({errors or 'none'})", not errors)
    )
    return verdicts


def ratios(runs: dict[str, list[Load]]) -> dict[str, float]:
    """Each as the median of the rounds' ratios (the two were loaded back to back in each
    round, so a slow spell of the shared machine weighs on both): above 1, the first is
    faster. Latencies as speeds: the open p50 over the protected p50."""
    protected, open_ = runs[PROTECTED], runs[OPEN]
    return {
        "requests_per_second": per_round(protected, open_, rate),
        "p50": per_round(protected, open_, lambda x: 1 / x.p50_ms),
        "p99": per_round(protected, open_, lambda x: 1 / x.p99_ms),
        "cpu_per_request": per_round(protected, open_, lambda x: 1 / (x.cpu_us_per_request or 1)),
        "liveness_to_raw": per_round(runs[LIVENESS], runs[RAW], rate),
        "readiness_to_liveness": per_round(runs[READINESS], runs[LIVENESS], rate),
    }


def rate(load: Load) -> float:
    return load.requests_per_second


def per_round(mine: list[Load], base: list[Load], speed: Callable[[Load], float]) -> float:
    """The median over the rounds of `speed` of `mine` over `speed` of `base`."""
    return statistics.median(speed(m) / speed(b) for m, b in zip(mine, base, strict=True))


def owner_of(id: int) -> str:
    return f"owner-{id % OWNERS}"


async def seed(url: str) -> None:
    """Migrate as `petsage serve` would, then ROWS rows in each table, the same in both."""
    settings = Settings(_env_file=None, database_url=url, db_connect_timeout_seconds=30)
    await upgrade_to_head(settings)
    engine = create_engine(settings, statement_timeout_ms=0)
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = [
        {"id": n, "name": f"pet {n}", "species": "cat", "version": 1}
        | {"created_at": now, "updated_at": now}
        for n in range(1, ROWS + 1)
    ]
    try:
        async with engine.begin() as connection:
            await connection.run_sync(AuthBenchBase.metadata.create_all)
            await connection.execute(insert(OpenPet.__table__), rows)  # type: ignore[arg-type]
            owned = [row | {"owner_id": owner_of(int(row["id"]))} for row in rows]
            await connection.execute(insert(OwnedPet.__table__), owned)  # type: ignore[arg-type]
    finally:
        await engine.dispose()


def check_answers(server: Server, token: str) -> None:
    """Both routes give the same row; the protected one refuses a call without its token."""
    bearer = {"Authorization": f"Bearer {token}"}
    protected = get(server, f"{OWNED_PATH}/{ITEM}", bearer)
    opened = get(server, f"{OPEN_PATH}/{ITEM}", {})
    anonymous = get(server, f"{OWNED_PATH}/{ITEM}", {})
    if protected[0] != 200 or opened[0] != 200 or protected[1] != opened[1]:
        raise RuntimeError(f"the two routes disagree: {protected} against {opened}")
    if anonymous[0] != 401:
        raise RuntimeError(f"the protected route answered {anonymous[0]} without a token")


def get(server: Server, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(run_standalone(measure, sys.argv[1:], __doc__ or ""))
