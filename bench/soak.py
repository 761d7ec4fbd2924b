"""Soak PetSage (`make soak`): mixed load on a real `petsage serve` with PostgreSQL cycled.

    uv run python bench/soak.py [--minutes 30] [--db-cycle-minutes 5] [--json out.json]

Needs PostgreSQL's binaries (Debian's postgresql-15) for a throwaway cluster of its own; the
shared server is never touched. Prints the report and exits 1 when a criterion is missed. The
driver is tests/support/soak.py, which the CI test (tests/soak/) runs for 3 minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.faults import missing_postgres_reason
from tests.support.soak import SoakConfig, run_soak


def parse_config(argv: Sequence[str] | None) -> tuple[SoakConfig, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--db-cycle-minutes", type=float, default=5.0)
    parser.add_argument("--db-down-seconds", type=float, default=30.0)
    parser.add_argument("--warmup-seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rate", type=float, default=200.0, help="requests/s, all clients")
    parser.add_argument("--json", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    config = SoakConfig(
        seconds=args.minutes * 60,
        db_cycle_seconds=args.db_cycle_minutes * 60,
        db_down_seconds=args.db_down_seconds,
        warmup_seconds=args.warmup_seconds,
        clients=args.clients,
        rate=args.rate,
    )
    return config, args.json


def main(argv: Sequence[str] | None = None) -> int:
    config, json_path = parse_config(argv)
    if (reason := missing_postgres_reason()) is not None:
        print(f"soak: {reason}", file=sys.stderr)
        return 2
    print(f"soak: {config.seconds / 60:g} min, database stopped at {config.outage_starts()} s")
    report = run_soak(config)
    print(report.render())
    if json_path is not None:
        json_path.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    return 1 if report.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
