"""The history recorder on real databases: it writes changes, survives an outage, prunes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from petsage.database.session import Database
from petsage.health import history
from petsage.health.history_recorder import WRITE_ATTEMPTS, HistoryRecorder
from petsage.health.model import Status, StatusChange
from petsage.settings import Settings
from tests.support.server import free_port

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def change(old: Status | None, new: Status, reason: str = "why") -> StatusChange:
    return StatusChange("database", old, new, reason, datetime.now(UTC))


async def listed(database: Database) -> list[history.HealthEvent]:
    async with database.session() as session:
        return await history.list_events(session)


async def test_changes_are_written_in_the_background(migrated_settings: Settings) -> None:
    database = Database.from_settings(migrated_settings)
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


async def test_an_outage_drops_writes_without_blocking_anyone(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    dead = make_settings(database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x")
    database = Database.from_settings(dead)
    recorder = HistoryRecorder(
        database, instance_id="host:1", retention_days=30, retry_delay_seconds=0.01
    )
    recorder.start()

    started = time.monotonic()
    recorder.on_change(change(Status.OK, Status.ERROR))
    assert time.monotonic() - started < 0.01  # the engine's call returns at once
    for _ in range(200):
        if recorder.dropped:
            break
        await asyncio.sleep(0.02)
    await recorder.stop()
    await database.dispose()

    assert recorder.dropped == 1
    failures = [r for r in caplog.records if "health history write failed" in r.getMessage()]
    assert len(failures) == WRITE_ATTEMPTS - 1
    assert "dropped 1 change(s)" in caplog.text


async def test_events_past_the_retention_are_pruned(migrated_settings: Settings) -> None:
    database = Database.from_settings(migrated_settings)
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
