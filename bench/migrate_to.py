"""`python -m migrate_to REVISION`: migrate the database of PETSAGE_* settings to REVISION.

Set-up for bench/startup.py: the database one packaged migration short of the head, so that
`petsage serve` starts with exactly one migration pending, whatever the head is.
"""

from __future__ import annotations

import asyncio
import sys

from petsage.database.engine import create_engine
from petsage.database.migrate import head_revision, revision_chain, upgrade_engine
from petsage.settings import load_settings


def one_before_head() -> str:
    previous = revision_chain()[head_revision()]
    if previous is None:
        raise SystemExit("only one migration is packaged: nothing to stop short of")
    return previous


async def migrate(revision: str) -> None:
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings, pool_size=1, max_overflow=0, statement_timeout_ms=0)
    try:
        await upgrade_engine(engine, revision)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else one_before_head()
    asyncio.run(migrate(target))
    print(f"database migrated to {target}, one short of the head")
