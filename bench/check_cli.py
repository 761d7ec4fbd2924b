"""`petsage check live` benchmark (issue 11): the Docker health check against `python -c pass`.

Docker runs the check every interval in every container, so what it costs is interpreter
start-up plus what it imports. Each command is run against a running PetSage, in turn, round
after round (pinned to the load core, like wrk), and the median wall time of each is compared
with `python -c pass` on the same interpreter.

Target: the console script and `python -m petsage check live` each take <= 3x `python -c pass`.

    uv run python bench/check_cli.py [--quick] [--json out.json] [--no-pin]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from harness import LOAD_CPU, Options, ServerSpec, running
from report import Report, Verdict, machine, print_table, run_standalone

TARGET_RATIO = 3.0
BASELINE = "python -c pass"
COMMANDS: dict[str, list[str]] = {
    BASELINE: [sys.executable, "-c", "pass"],
    "petsage check live": [str(Path(sys.executable).with_name("petsage")), "check", "live"],
    "python -m petsage check live": [sys.executable, "-m", "petsage", "check", "live"],
}
PETSAGE = ServerSpec("PetSage", "factories:petsage", prepare=("petsage", "db", "upgrade"))


def measure(options: Options) -> Report:
    runs = 5 if options.quick else 30
    print(f"\n== petsage check live against {BASELINE}, median of {runs}", flush=True)
    before = machine()
    with running(PETSAGE, options) as server:  # bytecode compiled first, as in the image
        env = {**os.environ, "PETSAGE_PORT": str(server.port)}
        pin = ["taskset", "-c", str(LOAD_CPU)] if options.pinned else []
        times: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(runs):
            for name, command in COMMANDS.items():
                times[name].append(wall_seconds([*pin, *command], env))
    medians = {name: statistics.median(each) for name, each in times.items()}
    base = medians[BASELINE]
    print_table(
        ["command", "median ms", "vs python -c pass"],
        [[name, seconds * 1000, f"{seconds / base:.2f}x"] for name, seconds in medians.items()],
    )
    verdicts = [
        Verdict(
            f"{name}: {medians[name] / base:.2f}x {BASELINE} (target <= {TARGET_RATIO:g}x)",
            medians[name] / base <= TARGET_RATIO,
        )
        for name in COMMANDS
        if name != BASELINE
    ]
    for verdict in verdicts:
        print(verdict)
    figures = {
        "machine": before,
        "load_average_after": os.getloadavg(),
        "runs": runs,
        "median_seconds": medians,
    }
    return Report("check_cli", figures, verdicts)


def wall_seconds(command: Sequence[str], env: dict[str, str]) -> float:
    """One run of `command`, which must succeed, timed from launch to exit."""
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, timeout=30)
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(run_standalone(measure, sys.argv[1:], __doc__ or ""))
