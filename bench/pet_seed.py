"""Bulk data for bench/pet_insights.py (issue 19): owners, their pets and a year of activities.

OWNERS owners with PETS_PER_OWNER pets each, and ACTIVITIES activity entries in all over the
last year. The first owner's first pet is the busy one: BUSY_ENTRIES entries (about four a day
for a year) and a daily goal. The schema comes from the project's migrations (`upgrade_to_head`,
what `petsage db upgrade` runs); the rows go in as executemany INSERTs of CHUNK rows, straight
into the tables the features `pet_profile` and `activity_tracker` map, which are read back by
reflection so that only the columns the migrations made are written. A fixed random seed: every
run, and both databases, hold the same rows.

    uv run python bench/pet_seed.py [sqlite|postgres]   # seed a scratch database and drop it
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, MetaData, Table, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from petsage.database.columns import UTCDateTime
from petsage.database.engine import create_engine
from petsage.database.migrate import upgrade_to_head
from petsage.settings import Settings

PETS_TABLE = "pet_profiles"
ACTIVITIES_TABLE = "activities"
OWNERS = 1_000
PETS_PER_OWNER = 2
ACTIVITIES = 100_000
BUSY_ENTRIES = 1_500
BUSY_GOAL_MINUTES = 60
DAYS = 365
CHUNK = 5_000
SPECIES = ("dog", "cat", "rabbit", "bird", "reptile", "fish", "small_mammal", "other")
KINDS = ("walk", "run", "play", "swim", "training", "other")
INTENSITIES = (None, "low", "moderate", "high")


@dataclass(frozen=True)
class Seeded:
    """What was written, and which pet the benchmark reads."""

    busy_pet_id: int
    busy_owner: str
    pets: int
    activities: int
    busy_entries: int
    seconds: float


def owner_name(n: int) -> str:
    return f"owner-{n:04d}"


async def seed_pets(url: str) -> Seeded:
    """Migrate `url` to the head, fill it, and refresh the planner's statistics."""
    # Generous timeouts: a loaded machine may take more than the default 0.5 s to connect.
    settings = Settings(
        _env_file=None, database_url=url, db_connect_timeout_seconds=30, db_pool_timeout_seconds=30
    )
    await upgrade_to_head(settings)
    engine = create_engine(settings, statement_timeout_ms=0)
    started = time.perf_counter()
    chance = random.Random(19)
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        async with engine.begin() as connection:
            pets, activities = await connection.run_sync(reflect)
            await insert_chunks(connection, pets, pet_rows(chance, now))
            # Ids in insertion order: the busy pet is the first row, the others follow.
            query = text(f"SELECT min(id) FROM {PETS_TABLE}")  # noqa: S608 (a constant)
            first = int(await connection.scalar(query))
            ids = range(first, first + OWNERS * PETS_PER_OWNER)
            written = await insert_chunks(connection, activities, activity_rows(chance, now, ids))
        await refresh_statistics(engine, url)
    finally:
        await engine.dispose()
    return Seeded(
        busy_pet_id=first,
        busy_owner=owner_name(0),
        pets=len(ids),
        activities=written,
        busy_entries=BUSY_ENTRIES,
        seconds=time.perf_counter() - started,
    )


def reflect(connection: Any) -> tuple[Table, Table]:
    """The two feature tables as the migrations made them; times typed as the features type
    them (`UTCDateTime`: naive UTC text on SQLite, `timestamptz` on PostgreSQL)."""
    metadata = MetaData()
    metadata.reflect(connection, only=[PETS_TABLE, ACTIVITIES_TABLE])
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, DateTime):
                column.type = UTCDateTime()
    return metadata.tables[PETS_TABLE], metadata.tables[ACTIVITIES_TABLE]


async def insert_chunks(
    connection: AsyncConnection, table: Table, rows: Iterator[dict[str, Any]]
) -> int:
    """Insert `rows` CHUNK at a time, each key kept only where `table` has that column."""
    names = set(table.columns.keys())
    written = 0
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append({key: value for key, value in row.items() if key in names})
        if len(chunk) == CHUNK:
            await connection.execute(insert(table), chunk)
            written, chunk = written + len(chunk), []
    if chunk:
        await connection.execute(insert(table), chunk)
        written += len(chunk)
    return written


def stamps(now: datetime) -> dict[str, Any]:
    return {"version": 1, "created_at": now, "updated_at": now}


def pet_rows(chance: random.Random, now: datetime) -> Iterator[dict[str, Any]]:
    for owner in range(OWNERS):
        for pet in range(PETS_PER_OWNER):
            busy = owner == 0 and pet == 0
            yield {
                "owner_id": owner_name(owner),
                "name": f"pet {owner}-{pet}",
                "species": chance.choice(SPECIES),
                "sex": chance.choice(("female", "male", "unknown")),
                "neutered": chance.random() < 0.5,
                "weight_kg": Decimal(chance.randrange(100, 60_000)) / 1000,
                "daily_activity_goal_minutes": BUSY_GOAL_MINUTES
                if busy
                else chance.choice((None, 30, 45, 60, 90)),
                **stamps(now),
            }


def activity_rows(chance: random.Random, now: datetime, pet_ids: range) -> Iterator[dict[str, Any]]:
    """BUSY_ENTRIES for the first pet, the rest spread at random over the others."""
    others = pet_ids[1:]
    for n in range(ACTIVITIES):
        pet_index = 0 if n < BUSY_ENTRIES else 1 + chance.randrange(len(others))
        started = now - timedelta(seconds=chance.randrange(DAYS * 86_400))
        minutes = chance.randrange(5, 120)
        yield {
            "owner_id": owner_name(pet_index // PETS_PER_OWNER),
            "pet_id": pet_ids[pet_index],
            "kind": chance.choice(KINDS),
            "started_at": started,
            "duration_minutes": minutes,
            "distance_km": None
            if chance.random() < 0.3
            else Decimal(chance.randrange(0, minutes * 120)) / 1000,
            "intensity": chance.choice(INTENSITIES),
            **stamps(now),
        }


async def refresh_statistics(engine: Any, url: str) -> None:
    """ANALYZE (SQLite) or VACUUM ANALYZE (PostgreSQL), outside a transaction."""
    async with engine.connect() as connection:
        settled = await connection.execution_options(isolation_level="AUTOCOMMIT")
        sqlite = make_url(url).get_backend_name() == "sqlite"
        await settled.execute(text("ANALYZE" if sqlite else "VACUUM ANALYZE"))


def main(argv: list[str]) -> int:
    from status_page import scratch_database  # noqa: PLC0415 (only for this check by hand)

    for kind in argv or ["sqlite", "postgres"]:
        with scratch_database(kind, "petsage_bench_pets") as url:
            print(kind, asyncio.run(seed_pets(url)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
