"""How PetSage's benchmarks report: tables on the terminal, verdicts, a JSON file."""

from __future__ import annotations

import json
import os
import platform
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Verdict:
    claim: str
    passed: bool

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}: {self.claim}"


@dataclass
class Report:
    """One benchmark's outcome: figures for the JSON file, verdicts for the exit code."""

    name: str
    figures: dict[str, Any]
    verdicts: list[Verdict]

    @property
    def passed(self) -> bool:
        return all(verdict.passed for verdict in self.verdicts)

    def as_json(self) -> dict[str, Any]:
        return {
            "figures": self.figures,
            "verdicts": [asdict(verdict) for verdict in self.verdicts],
        }


def machine() -> dict[str, Any]:
    """Where and when the figures were taken, for the README and the JSON file."""
    cpu = re.search(r"^model name\s*:\s*(.+)$", read_text("/proc/cpuinfo"), re.MULTILINE)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers], *[[format_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        first, *rest = row
        line = [
            first.ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True)),
        ]
        print("  " + "  ".join(line))
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))


def format_cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 1000 else f"{value:.2f}"
    return str(value)


def write_json(path: Path, payload: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"results saved to {path}")


def run_standalone(measure: Callable[[Any], Report], argv: Sequence[str] | None, doc: str) -> int:
    """`python bench/<name>.py [--quick] [--json out.json]`: one benchmark on its own; exit 1
    when it misses its target. `bench/run.py` runs them all."""
    from harness import parse_options, require_wrk  # noqa: PLC0415 (harness is the heavier one)

    options = parse_options(argv, doc)
    require_wrk()
    report = measure(options)
    if options.json_path is not None:
        write_json(options.json_path, {report.name: report.as_json()})
    return 0 if report.passed else 1
