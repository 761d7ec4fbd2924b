"""The health_events repository, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import delete

from petsage.database.session import Database
from petsage.health import history
from petsage.health.model import Status
from petsage.settings import Settings

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def database(module_migrated_settings: Settings) -> AsyncIterator[Database]:
    """The module's database (one per kind, migrated once) with no health events: each test
    sees only the rows it writes."""
    database = Database.from_settings(module_migrated_settings)
    try:
        async with database.session() as session:
            await session.execute(delete(history.HealthEvent))
        yield database
    finally:
        await database.dispose()


async def record(
    database: Database,
    check: str,
    minutes: float,
    *,
    new: str = Status.ERROR,
    old: str | None = Status.OK,
    reason: str = "connection refused",
) -> int:
    async with database.session() as session:
        event = await history.record_event(
            session,
            check_name=check,
            old_status=old,
            new_status=new,
            reason=reason,
            instance_id="host-a:100",
            occurred_at=T0 + timedelta(minutes=minutes),
        )
        return event.id


async def listed(database: Database, **filters: Any) -> list[history.HealthEvent]:
    async with database.session() as session:
        return await history.list_events(session, **filters)


async def test_recorded_event_reads_back_in_utc(database: Database) -> None:
    paris = timezone(timedelta(hours=1))
    async with database.session() as session:
        await history.record_event(
            session,
            check_name="database",
            old_status=None,
            new_status="ok",
            reason="first result",
            instance_id="host-a:100",
            occurred_at=datetime(2026, 3, 1, 13, 30, tzinfo=paris),
        )

    [event] = await listed(database)

    assert event.occurred_at == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert (event.check_name, event.old_status, event.new_status) == ("database", None, "ok")
    assert (event.reason, event.instance_id) == ("first result", "host-a:100")


async def test_occurred_at_defaults_to_now(database: Database) -> None:
    before = datetime.now(UTC)
    async with database.session() as session:
        await history.record_event(
            session,
            check_name="disk",
            old_status="ok",
            new_status="degraded",
            reason="low",
            instance_id="i",
        )

    [event] = await listed(database)

    assert before - timedelta(seconds=1) <= event.occurred_at <= datetime.now(UTC)


async def test_events_are_listed_newest_first_with_ties_broken_by_id(database: Database) -> None:
    first = await record(database, "database", 0)
    tie_a = await record(database, "database", 5)
    tie_b = await record(database, "disk", 5)
    last = await record(database, "memory", 9)

    ids = [event.id for event in await listed(database)]

    assert ids == [last, tie_b, tie_a, first]


async def test_pages_cover_every_event_exactly_once(database: Database) -> None:
    recorded = [await record(database, f"check{n % 3}", n // 2) for n in range(7)]

    pages = [await listed(database, limit=3, offset=offset) for offset in (0, 3, 6, 9)]

    assert [len(page) for page in pages] == [3, 3, 1, 0]
    assert sorted(event.id for page in pages for event in page) == sorted(recorded)


async def test_filters_by_check_and_half_open_time_range(database: Database) -> None:
    await record(database, "database", 0)
    inside = await record(database, "database", 10)
    await record(database, "disk", 10)
    await record(database, "database", 20)
    since, until = T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)

    events = await listed(database, check="database", since=since, until=until)
    async with database.session() as session:
        count = await history.count_events(session, check="database", since=since, until=until)
        total = await history.count_events(session)

    assert [event.id for event in events] == [inside]
    assert (count, total) == (1, 4)


async def test_naive_filter_times_are_taken_as_utc(database: Database) -> None:
    await record(database, "database", 0)
    later = await record(database, "database", 30)

    events = await listed(database, since=(T0 + timedelta(minutes=15)).replace(tzinfo=None))

    assert [event.id for event in events] == [later]


async def test_prune_deletes_only_older_events(database: Database) -> None:
    await record(database, "database", -60 * 24 * 40)
    await record(database, "disk", -60 * 24 * 31)
    kept = await record(database, "database", -60 * 24 * 29)
    cutoff = history.retention_cutoff(30, now=T0)

    async with database.session() as session:
        pruned = await history.prune_events(session, older_than=cutoff)

    assert pruned == 2
    assert [event.id for event in await listed(database)] == [kept]


async def test_long_reason_is_cut_to_500_characters(database: Database) -> None:
    await record(database, "http:billing", 0, reason="x" * 2000)

    [event] = await listed(database)

    assert len(event.reason) == history.REASON_MAX
    assert event.reason.endswith("…")


async def test_unknown_status_is_refused_and_nothing_is_stored(database: Database) -> None:
    with pytest.raises(ValueError, match="starting"):
        await record(database, "database", 0, new="starting")

    assert await listed(database) == []


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (history.LIST_LIMIT_MAX + 1, 0), (5, -1)])
async def test_out_of_range_paging_is_refused(database: Database, limit: int, offset: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        await listed(database, limit=limit, offset=offset)


async def test_check_name_length_is_enforced(database: Database) -> None:
    with pytest.raises(ValueError, match="check name"):
        await record(database, "c" * (history.CHECK_NAME_MAX + 1), 0)
