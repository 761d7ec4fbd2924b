"""Attack benchmark (issue 16): memory and liveness of `petsage serve` under each attack.

For each attack of issue 16 (trailers, a trickled body, huge bodies, the HEAD stream, an
over-size pipelined head) a fresh `petsage serve` on SQLite is started, then:
- a liveness probe in a process of its own (bench/attack_probe.py: a new connection every
  20 ms, as a kubelet probes) runs for IDLE_SECONDS on the idle server: the baseline;
- the attack runs (bench/attack_clients.py, bench/attack_pipelines.py), bounded in bytes and
  time, while the same probe runs and the server's RSS is sampled, and TAIL_SECONDS after it,
  so that work the server still does once the attacker has gone is counted too.
Reported per attack: idle RSS, peak RSS (VmHWM, reset before the attack, or the highest
VmRSS sampled), the delta, liveness p50/p99/max idle and under attack, and their ratio.
Targets: peak within 20 MiB of idle, and liveness p99 under 100 ms with every probe answered.
The limits are small, test-friendly ones (2 s timeouts, an 8 KiB head, a 1 MiB body), so that
a run takes a few minutes.

    uv run python bench/attacks.py [--json out.json] [--no-pin]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import attack_probe
from attack_clients import (
    Outcome,
    Target,
    big_json,
    big_json_chunked,
    huge_trailer_value,
    slow_bodies,
    trailer_flood,
)
from attack_pipelines import head_stream_loop, oversize_pipelined_head
from harness import BENCH_DIR, LOAD_CPU, Options, ServerSpec, parse_options, running, settle
from petsage.settings import Settings
from report import Report, Verdict, machine, print_table, write_json

sys.path.insert(0, str(BENCH_DIR.parent))
from tests.support.process_memory import MIB, reset_peak, status_bytes

IDLE_SECONDS = 3.0
TAIL_SECONDS = 2.0
RSS_SAMPLE_SECONDS = 0.01
RSS_TARGET_MIB = 20.0
P99_TARGET_MS = 100.0
LIMITS = {
    "PETSAGE_HTTP_MAX_HEADER_BYTES": str(8 * 1024),
    "PETSAGE_HTTP_HEADER_TIMEOUT_SECONDS": "2",
    "PETSAGE_HTTP_BODY_TIMEOUT_SECONDS": "2",
    "PETSAGE_HTTP_MAX_BODY_BYTES": str(1024 * 1024),
    # Room for the 32 trickling connections and the probe, so that a probe is never refused.
    "PETSAGE_HTTP_MAX_CONNECTIONS": "64",
    "PETSAGE_HEALTH_INTERVAL_SECONDS": "1",
}


@dataclass(frozen=True)
class Attack:
    name: str
    run: Callable[[Target, float], Outcome]
    seconds: float  # a bound: the attack stops sending then, whatever the server does


ATTACKS = (
    Attack("trailer flood, 25 MB (D1)", trailer_flood, 10),
    Attack("one 150 MiB trailer value (D1)", huge_trailer_value, 15),
    Attack("32 bodies trickled at 1 B/s (D5)", slow_bodies, 8),
    Attack("100 MiB JSON POST (D6)", big_json, 15),
    Attack("100 MiB JSON POST, chunked (D6)", big_json_chunked, 15),
    Attack("HEAD stream + pipelined GET x 100 (D3)", head_stream_loop, 30),
    Attack("over-size pipelined head x 8 (D13)", oversize_pipelined_head, 15),
)


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float
    max_ms: float
    probes: int
    failures: int

    @classmethod
    def of(cls, results: attack_probe.ProbeResults) -> Latency:
        values = sorted(results.latencies_ms) or [0.0]
        p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
        return cls(statistics.median(values), p99, values[-1], len(values), results.failures)


@dataclass(frozen=True)
class Result:
    attack: str
    outcome: Outcome
    idle_rss_mib: float
    peak_rss_mib: float
    idle: Latency
    attacked: Latency

    @property
    def delta_mib(self) -> float:
        return self.peak_rss_mib - self.idle_rss_mib

    @property
    def p99_ratio(self) -> float:
        return self.attacked.p99_ms / self.idle.p99_ms if self.idle.p99_ms else 0.0


def measure(options: Options) -> Report:
    print(
        f"\n== attacks: petsage serve on SQLite, {len(ATTACKS)} attacks, {server_limits()}",
        flush=True,
    )
    before = machine()
    cpus = os.sched_getaffinity(0)
    if options.pinned:  # the probe and the attacks on the other core than the server
        os.sched_setaffinity(0, {LOAD_CPU})
    try:
        with tempfile.TemporaryDirectory(prefix="petsage-attack-site-") as site:
            spec = server_spec(Path(site))
            results = [attack_once(attack, spec, options) for attack in ATTACKS]
    finally:
        os.sched_setaffinity(0, cpus)
    print_results(results)
    verdicts = judge(results)
    for verdict in verdicts:
        print(verdict)
    figures = {
        "machine": before,
        "load_average_after": os.getloadavg(),
        "settings": server_limits(),
        "attacks": [asdict(result) | {"delta_mib": result.delta_mib} for result in results],
    }
    return Report("attacks", figures, verdicts)


def server_limits() -> dict[str, str]:
    """LIMITS, less the settings this checkout does not have yet (it would refuse to start)."""
    fields = {f"PETSAGE_{name.upper()}" for name in Settings.model_fields}
    return {name: value for name, value in LIMITS.items() if name in fields}


def server_spec(site: Path) -> ServerSpec:
    """`petsage serve` with bench/pets_resource.py installed as a plug-in from `site`."""
    dist_info = site / "pets_resource-0.1.dist-info"
    dist_info.mkdir()
    metadata = "Metadata-Version: 2.1\nName: pets_resource\nVersion: 0.1\n"
    (dist_info / "METADATA").write_text(metadata, encoding="utf-8")
    entry_points = "[petsage.features]\npets_resource = pets_resource:feature\n"
    (dist_info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    path = os.pathsep.join(
        p for p in (str(site), str(BENCH_DIR), os.environ.get("PYTHONPATH")) if p
    )
    env = {**server_limits(), "PYTHONPATH": path}
    return ServerSpec("petsage serve", command=("petsage", "serve"), env=env)


def attack_once(attack: Attack, spec: ServerSpec, options: Options) -> Result:
    print(f"  {attack.name} ...", flush=True)
    with running(spec, options) as server:
        settle()
        with probing(server.port) as idle:
            time.sleep(IDLE_SECONDS)
        idle_rss = status_bytes(server.pid, "VmRSS") / MIB
        with peak_rss(server.pid) as peak, probing(server.port) as attacked:
            outcome = attack.run(Target(server.port, server.pid), time.monotonic() + attack.seconds)
            time.sleep(TAIL_SECONDS)
    print(f"    {outcome.summary}", flush=True)
    return Result(
        attack.name, outcome, idle_rss, peak(), Latency.of(idle()), Latency.of(attacked())
    )


@contextmanager
def probing(port: int) -> Iterator[Callable[[], attack_probe.ProbeResults]]:
    """Probe liveness from a child process for as long as the block runs; then its results."""
    command = [sys.executable, str(BENCH_DIR / "attack_probe.py"), str(port)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    if child.stdout.readline().strip() != "ready":
        child.kill()
        raise RuntimeError("the liveness probe did not start")
    results: list[attack_probe.ProbeResults] = []
    try:
        yield lambda: results[0]
    finally:
        try:
            output, _ = child.communicate(timeout=attack_probe.TIMEOUT_SECONDS + 10)
        except subprocess.TimeoutExpired:
            child.kill()
            raise
    figures = json.loads(output)
    results.append(attack_probe.ProbeResults(tuple(figures["latencies_ms"]), figures["failures"]))


@contextmanager
def peak_rss(pid: int) -> Iterator[Callable[[], float]]:
    """The highest RSS of `pid` while the block runs, in MiB: VmHWM when it can be reset (the
    exact peak), and the highest VmRSS sampled every 10 ms in any case."""
    try:
        reset_peak(pid)
        exact = True
    except OSError:
        exact = False
    sampled = [status_bytes(pid, "VmRSS")]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(RSS_SAMPLE_SECONDS):
            sampled.append(status_bytes(pid, "VmRSS"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    peak: list[float] = []
    try:
        yield lambda: peak[0]
    finally:
        done.set()
        sampler.join(timeout=5)
        highest = max([*sampled, *([status_bytes(pid, "VmHWM")] if exact else [])])
        peak.append(highest / MIB)


def print_results(results: Sequence[Result]) -> None:
    rows = [
        [
            r.attack,
            r.idle_rss_mib,
            r.peak_rss_mib,
            f"{r.delta_mib:+.1f}",
            f"{r.idle.p50_ms:.1f} / {r.idle.p99_ms:.1f} / {r.idle.max_ms:.1f}",
            f"{r.attacked.p50_ms:.1f} / {r.attacked.p99_ms:.1f} / {r.attacked.max_ms:.1f}",
            f"{r.p99_ratio:.1f}x",
            f"{r.attacked.failures}/{r.attacked.probes}",
        ]
        for r in results
    ]
    print()
    headers = ["attack", "idle RSS MiB", "peak MiB", "delta", "idle p50/p99/max ms"]
    print_table([*headers, "attacked p50/p99/max ms", "p99 ratio", "failed probes"], rows)
    print()
    for r in results:
        print(f"  {r.attack}: {r.outcome.summary}")
    print()


def judge(results: Sequence[Result]) -> list[Verdict]:
    verdicts = []
    for r in results:
        verdicts += [
            Verdict(
                f"{r.attack}: peak RSS {r.delta_mib:+.1f} MiB over idle "
                f"(target <= {RSS_TARGET_MIB:.0f} MiB)",
                r.delta_mib <= RSS_TARGET_MIB,
            ),
            Verdict(
                f"{r.attack}: liveness p99 {r.attacked.p99_ms:.1f} ms under attack, "
                f"{r.attacked.failures} of {r.attacked.probes} probes failed "
                f"(target < {P99_TARGET_MS:.0f} ms, none failed)",
                r.attacked.p99_ms < P99_TARGET_MS and not r.attacked.failures,
            ),
            Verdict(f"{r.attack}: the server let go ({r.outcome.summary})", r.outcome.released),
        ]
    return verdicts


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone: no wrk needed, unlike the other benchmarks."""
    options = parse_options(argv, __doc__ or "")
    report = measure(options)
    if options.json_path is not None:
        write_json(options.json_path, {report.name: report.as_json()})
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
