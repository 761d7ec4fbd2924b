"""Several processes writing `health_events` into one database at once, as
`petsage serve --workers N` does: nobody sees "database is locked" and no row goes missing.

The point is the embedded SQLite file (WAL, busy timeout); PostgreSQL runs the same test.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import traceback
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from petsage.database.session import Database
from petsage.health import history
from petsage.settings import Settings

PROCESSES = 4
EVENTS_PER_PROCESS = 150
START_TIMEOUT_SECONDS = 120


async def write_events(settings: Settings, worker: int) -> None:
    database = Database.from_settings(settings)
    try:
        for n in range(EVENTS_PER_PROCESS):
            async with database.session() as session:
                if n % 2:
                    # Read, then write, in one unit of work: the pattern that makes a naive
                    # SQLite setup fail with SQLITE_BUSY instead of waiting its turn.
                    await history.count_events(session, check=f"worker{worker}")
                await history.record_event(
                    session,
                    check_name=f"worker{worker}",
                    old_status="ok",
                    new_status="error",
                    reason=f"event {n}",
                    instance_id=f"test:{worker}",
                )
    finally:
        await database.dispose()


def writer(settings: Settings, worker: int, start: Barrier, errors: Queue[str]) -> None:
    try:
        start.wait(START_TIMEOUT_SECONDS)
        asyncio.run(write_events(settings, worker))
    except BaseException:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


async def stored_per_check(settings: Settings) -> dict[str, int]:
    database = Database.from_settings(settings)
    try:
        async with database.session() as session:
            return {
                f"worker{w}": await history.count_events(session, check=f"worker{w}")
                for w in range(PROCESSES)
            }
    finally:
        await database.dispose()


def test_processes_writing_at_once_lose_no_row(migrated_settings: Settings) -> None:
    # What is tested is that no write is lost or refused as "locked", not the probe-sized
    # defaults (0.5 s): on a loaded CI machine a statement once took longer than that.
    migrated_settings = migrated_settings.model_copy(
        update={
            "db_statement_timeout_ms": 30_000,
            "db_connect_timeout_seconds": 10.0,
            "db_pool_timeout_seconds": 10.0,
        }
    )
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    errors = context.Queue()
    workers = [
        context.Process(target=writer, args=(migrated_settings, w, start, errors))
        for w in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(START_TIMEOUT_SECONDS)

    failures = [errors.get_nowait() for _ in range(errors.qsize())]
    assert failures == []
    assert [process.exitcode for process in workers] == [0] * PROCESSES
    counts = asyncio.run(stored_per_check(migrated_settings))
    assert counts == {f"worker{w}": EVENTS_PER_PROCESS for w in range(PROCESSES)}
