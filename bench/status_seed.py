"""Seeding the status page benchmark's databases: a million flapping status changes within the
raw retention, 400 days of daily rollups and the run that recorded them.

SQLite gets one `executemany` in one transaction; PostgreSQL gets `COPY` through asyncpg. Times
are written as PetSage writes them: naive UTC text on SQLite, `timestamptz` on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import asyncpg

INSTANCE = "bench-seed:1"
PLATFORM_CHECKS = ("database", "migrations", "disk", "memory", "event_loop")
HTTP_CHECKS = tuple(f"c{n}" for n in range(1, 8))
CHECKS = (*PLATFORM_CHECKS, *(f"http:{name}" for name in HTTP_CHECKS))  # 12 checks
RAW_DAYS = 29  # within PETSAGE_HEALTH_HISTORY_DAYS (30), so nothing is pruned at start
ROLLUP_DAYS = 400
# Each check cycles ok -> error -> ok -> degraded: a flap every half minute or so.
CYCLE = ("error", "ok", "degraded", "ok")

EventRow = tuple[datetime, str, str, str | None, str, str]
RollupRow = tuple[date, str, float, float, float, float, int]


def events(count: int, now: datetime) -> Iterator[EventRow]:
    """`count` changes spread evenly over the last RAW_DAYS days, checks interleaved."""
    start = now - timedelta(days=RAW_DAYS)
    step = (now - timedelta(minutes=2) - start) / count
    for n in range(count):
        check = CHECKS[n % len(CHECKS)]
        turn = n // len(CHECKS)
        new, old = CYCLE[turn % 4], CYCLE[(turn - 1) % 4] if turn else None
        yield start + step * n, INSTANCE, check, old, new, f"{check} flapped ({new})"


def rollups(today: date) -> Iterator[RollupRow]:
    for back in range(1, ROLLUP_DAYS + 1):
        day = today - timedelta(days=back)
        for check in (*CHECKS, "_overall"):
            yield day, check, 84_000.0, 1_200.0, 1_000.0, 200.0, 40


def run_row(now: datetime) -> tuple[str, datetime, datetime, datetime]:
    """The seeding instance: started before the first event, stopped gracefully just now."""
    started = now - timedelta(days=RAW_DAYS, hours=1)
    stopped = now - timedelta(minutes=1)
    return INSTANCE, started, stopped, stopped


def seed_sqlite(path: str, count: int, now: datetime) -> None:
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO health_events (occurred_at, instance_id, check_name, old_status,"
                " new_status, reason) VALUES (?, ?, ?, ?, ?, ?)",
                ((_sqlite_time(row[0]), *row[1:]) for row in events(count, now)),
            )
            connection.executemany(
                "INSERT INTO status_daily_rollups VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((row[0].isoformat(), *row[1:]) for row in rollups(now.date())),
            )
            instance, started, last_seen, stopped = run_row(now)
            connection.execute(
                "INSERT INTO status_instance_runs (instance_id, started_at, last_seen_at,"
                " stopped_at) VALUES (?, ?, ?, ?)",
                (instance, *(_sqlite_time(t) for t in (started, last_seen, stopped))),
            )
        connection.execute("ANALYZE")
    finally:
        connection.close()


def seed_postgres(dsn: str, count: int, now: datetime) -> None:
    async def seed() -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.copy_records_to_table(
                "health_events",
                records=events(count, now),
                columns=[
                    "occurred_at",
                    "instance_id",
                    "check_name",
                    "old_status",
                    "new_status",
                    "reason",
                ],
            )
            await connection.copy_records_to_table(
                "status_daily_rollups", records=rollups(now.date())
            )
            await connection.execute(
                "INSERT INTO status_instance_runs (instance_id, started_at, last_seen_at,"
                " stopped_at) VALUES ($1, $2, $3, $4)",
                *run_row(now),
            )
            await connection.execute("ANALYZE")
        finally:
            await connection.close()

    asyncio.run(seed())


def _sqlite_time(moment: datetime) -> str:
    """As SQLAlchemy stores a naive UTC datetime in SQLite."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
