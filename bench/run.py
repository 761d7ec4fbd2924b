"""Run every PetSage benchmark (`make bench`); exit 1 when any target is missed.

    uv run python bench/run.py [--quick] [--json out.json] [--no-pin]

A benchmark is a module with `measure(options) -> Report`; add new ones to BENCHMARKS.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import attacks
import check_cli
import liveness
import observability
import pet_insights
import readiness
import resource_auth
import resource_list
import startup
import status_page
import token_verification
from harness import parse_options, require_wrk
from report import write_json

BENCHMARKS = (
    liveness,
    readiness,
    observability,
    startup,
    check_cli,
    status_page,
    resource_list,
    attacks,
    token_verification,
    resource_auth,
    pet_insights,
)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv, __doc__ or "")
    require_wrk()
    reports = [benchmark.measure(options) for benchmark in BENCHMARKS]
    if options.json_path is not None:
        write_json(options.json_path, {report.name: report.as_json() for report in reports})
    failed = [report.name for report in reports if not report.passed]
    print(f"benchmarks missing a target: {', '.join(failed)}" if failed else "all targets met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
