"""The history recorder on real databases: it writes changes, keeps them through an outage
and writes them once the store is back, never twice, within its bounds, and prunes."""

from __future__ import annotations

import asyncio
import threading
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete

from petsage.database.migrate import upgrade_to_head
from petsage.database.session import Database
from petsage.health import history
from petsage.health.history_recorder import HistoryRecorder
from petsage.health.model import Status, StatusChange
from petsage.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def change(old: Status | None, new: Status, reason: str = "why") -> StatusChange:
    return StatusChange("database", old, new, reason, datetime.now(UTC))


async def until(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    """Wait for `condition`: what is tested is that it happens, not how soon (the deadline
    only stops a broken recorder from hanging the suite)."""
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)


async def listed(database: Database) -> list[history.HealthEvent]:
    async with database.session() as session:
        return await history.list_events(session)


@pytest.fixture
async def emptied_settings(module_migrated_settings: Settings) -> Settings:
    """The module's database (one per kind, migrated once) with no health events yet."""
    database = Database.from_settings(module_migrated_settings)
    try:
        async with database.session() as session:
            await session.execute(delete(history.HealthEvent))
    finally:
        await database.dispose()
    return module_migrated_settings


async def test_changes_are_written_in_the_background(emptied_settings: Settings) -> None:
    database = Database.from_settings(emptied_settings)
    recorder = HistoryRecorder(database, instance_id="host:1", retention_days=30)
    recorder.start()

    recorder.on_change(change(None, Status.OK))  # a healthy start: not recorded
    recorder.on_change(change(Status.OK, Status.ERROR, "connection refused"))
    recorder.on_change(change(Status.ERROR, Status.OK, "check passed"))
    await recorder.stop()
    events = await listed(database)
    await database.dispose()

    assert [(e.old_status, e.new_status, e.reason) for e in events] == [
        ("error", "ok", "check passed"),
        ("ok", "error", "connection refused"),
    ]
    assert {e.instance_id for e in events} == {"host:1"}


async def test_an_outage_keeps_changes_until_the_store_is_back(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # A real fault: the database's directory does not exist yet, so every write fails until
    # it is created and migrated, as a volume mounted late or a disk replaced would.
    settings = make_settings(data_dir=tmp_path / "mounted-later")
    database = Database.from_settings(settings)
    recorder = HistoryRecorder(
        database, instance_id="host:1", retention_days=30, retry_delay_seconds=0.01
    )
    recorder.start()
    sent = [
        change(Status.OK, Status.ERROR, "connection refused"),
        change(Status.ERROR, Status.DEGRADED, "slow"),
        change(Status.DEGRADED, Status.OK, "check passed"),
    ]

    for one in sent:
        recorder.on_change(one)  # synchronous: the engine never waits for the store
    # Several attempts fail, with backoff; nothing is dropped.
    await until(lambda: recorder.failed_writes >= 3)
    assert (recorder.backlog, recorder.dropped, recorder.written) == (3, 0, 0)

    settings.data_dir.mkdir()
    await upgrade_to_head(settings)
    recorder.on_change(change(Status.OK, Status.DEGRADED, "after"))  # wakes the writer
    await until(lambda: recorder.backlog == 0)
    await recorder.stop()
    events = await listed(database)
    await database.dispose()

    oldest_first = [(e.occurred_at, e.new_status, e.reason) for e in reversed(events)]
    assert oldest_first[:3] == [(c.occurred_at, c.new_status, c.reason) for c in sent]
    assert oldest_first[3][2] == "after"
    assert recorder.dropped == 0


async def test_a_change_already_stored_is_not_written_twice(emptied_settings: Settings) -> None:
    # What a retry finds when the last attempt's commit landed but its answer was lost.
    database = Database.from_settings(emptied_settings)
    first = change(Status.OK, Status.ERROR, "refused")
    async with database.session() as session:
        await history.record_event(
            session,
            check_name=first.check_name,
            old_status=first.old_status,
            new_status=first.new_status,
            reason=first.reason,
            instance_id="host:1",
            occurred_at=first.occurred_at,
        )
    recorder = HistoryRecorder(database, instance_id="host:1", retention_days=30)
    recorder.start()
    recorder.on_change(first)
    recorder.on_change(change(Status.ERROR, Status.OK, "check passed"))
    await recorder.stop()
    events = await listed(database)
    await database.dispose()

    assert [e.new_status for e in events] == ["ok", "error"]


async def test_shutdown_makes_one_last_attempt_not_one_every_few_milliseconds(
    make_settings: Callable[..., Settings], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A database without the table: every write fails at once, as during an outage.
    database = Database.from_settings(make_settings(data_dir=tmp_path))
    recorder = HistoryRecorder(
        database, instance_id="host:1", retention_days=30, retry_delay_seconds=60
    )
    recorder.start()
    recorder.on_change(change(Status.OK, Status.ERROR, "refused"))
    await until(lambda: recorder.failed_writes == 1)  # now in a minute's backoff

    await recorder.stop(flush_seconds=30)
    await database.dispose()

    # The backoff was cut short once for a last attempt; its failure ended the wait.
    assert recorder.failed_writes == 2
    assert recorder.backlog == 1
    assert "1 change(s) not written at shutdown" in caplog.text


async def test_the_backlog_is_bounded_and_drops_the_oldest(
    make_settings: Callable[..., Settings], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = Database.from_settings(make_settings(data_dir=tmp_path / "missing"))
    recorder = HistoryRecorder(database, instance_id="host:1", retention_days=30, capacity=3)
    for n in range(5):
        recorder.on_change(change(Status.OK, Status.ERROR, f"change {n}"))
    week_old = change(Status.OK, Status.ERROR, "too old")
    old = HistoryRecorder(database, instance_id="host:1", retention_days=1)
    old.on_change(replace(week_old, occurred_at=week_old.occurred_at - timedelta(days=7)))
    old.start()
    await until(lambda: old.dropped == 1)  # the writer forgets it before any write
    await old.stop(flush_seconds=0)
    await database.dispose()
    # The pruner's connection attempt (its database cannot be opened) was cancelled on the
    # loop, but aiosqlite's thread finishes it: let it end while the loop still runs, or it
    # reports to a closed loop and pytest counts that against whichever test runs then.
    await until(lambda: not any(_connecting(thread) for thread in threading.enumerate()))

    assert (recorder.backlog, recorder.dropped) == (3, 2)
    assert "backlog full (3): dropped 1 change(s)" in caplog.text
    # Past the retention, a change would be pruned on arrival: it is not kept either.
    assert (old.backlog, old.dropped) == (0, 1)


def _connecting(thread: threading.Thread) -> bool:
    return "_connection_worker_thread" in thread.name


async def test_a_kept_change_costs_under_the_documented_bound(
    make_settings: Callable[..., Settings],
) -> None:
    """BACKLOG_CAPACITY's comment: a change with the longest reason costs under 1.5 KiB."""
    database = Database.from_settings(make_settings())
    recorder = HistoryRecorder(database, instance_id="host:1", retention_days=30)
    count = 2000
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for n in range(count):
        reason = f"{n} " + "x" * 2000  # cut to 500 characters on arrival
        recorder.on_change(change(Status.OK, Status.ERROR, reason))
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    await database.dispose()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))

    assert recorder.backlog == count
    assert grown / count < 1.5 * 1024, f"{grown / count:.0f} bytes a change"


async def test_events_past_the_retention_are_pruned(emptied_settings: Settings) -> None:
    database = Database.from_settings(emptied_settings)
    now = datetime.now(UTC)
    async with database.session() as session:
        for age_days in (45, 31, 29, 1):
            await history.record_event(
                session,
                check_name="disk",
                old_status="ok",
                new_status="degraded",
                reason=f"{age_days} days ago",
                instance_id="host:1",
                occurred_at=now - timedelta(days=age_days),
            )
    recorder = HistoryRecorder(database, instance_id="host:1", retention_days=30)

    removed = await recorder.prune()
    remaining = [e.reason for e in await listed(database)]
    await database.dispose()

    assert removed == 2
    assert remaining == ["1 days ago", "29 days ago"]
