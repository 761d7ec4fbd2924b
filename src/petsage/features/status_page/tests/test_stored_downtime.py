"""A stored incident (a completed day's, written by the rollup) keeps its downtime, not its span:
a merged incident's gaps never count, whether its raw events are gone, it began before the raw
span and runs on into it, or it is still open. Real rows on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, inspect

from petsage.database.engine import create_engine
from petsage.database.migrate import downgrade_engine, upgrade_engine
from petsage.database.session import Database
from petsage.features.status_page import rollups, service
from petsage.features.status_page.hours import floor_hour
from petsage.features.status_page.models import IncidentPublic
from petsage.features.status_page.tests.seeding import add_change, add_run
from petsage.features.status_page.tests.test_rollups import NOW, POLICY, TODAY, run_with
from petsage.health.history import HealthEvent
from petsage.health.lifecycle import Phase
from petsage.health.model import Status
from petsage.settings import Settings

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
# Where the raw span begins once yesterday is rolled up (service._raw_start).
RAW_START = floor_hour(NOW - DAY)


async def seed(database: Database, changes: list[tuple[datetime, Status]]) -> None:
    """Instance "a" running since three days ago; `database` changes at the given times."""
    async with database.session() as session:
        await add_run(session, "a", TODAY - 3 * DAY, last_seen=NOW)
        for at, status in changes:
            await add_change(session, "a", "database", status, at)


async def incidents_after_rollup(database: Database, *, drop_raw: bool) -> list[IncidentPublic]:
    async with database.session() as session:
        await rollups.roll_up(session, POLICY, now=NOW, keep_days=400)
        if drop_raw:
            await session.execute(delete(HealthEvent))  # as the raw retention would
    async with database.session() as session:
        summary = await service.compute_summary(session, POLICY, now=NOW, phase=Phase.SERVING)
    return summary.incidents


def test_a_merged_incident_keeps_its_downtime_once_stored(migrated_settings: Settings) -> None:
    # Two days ago: down 1 min, up 2 min (under the 5 min merge gap), down 7 min.
    start = TODAY - 2 * DAY + 6 * HOUR

    async def work(database: Database) -> None:
        await seed(
            database,
            [
                (start, Status.ERROR),
                (start + MINUTE, Status.OK),
                (start + 3 * MINUTE, Status.ERROR),
                (start + 10 * MINUTE, Status.OK),
            ],
        )
        (incident,) = await incidents_after_rollup(database, drop_raw=True)
        assert (incident.started_at, incident.ended_at) == (start, start + 10 * MINUTE)
        assert incident.duration_seconds == 600
        assert incident.downtime_seconds == 480  # the two minutes up do not count
        assert incident.latest_started_at == start + 3 * MINUTE

    run_with(migrated_settings, work)


def test_an_open_incident_begun_before_the_raw_span_counts_its_whole_downtime(
    migrated_settings: Settings,
) -> None:
    # Down 3 h before the raw span, up 1 min, then down until now: stored, then raw.
    start = RAW_START - 3 * HOUR

    async def work(database: Database) -> None:
        await seed(
            database,
            [
                (start, Status.ERROR),
                (start + MINUTE, Status.OK),
                (start + 2 * MINUTE, Status.ERROR),
            ],
        )
        (incident,) = await incidents_after_rollup(database, drop_raw=False)
        assert (incident.started_at, incident.ended_at) == (start, None)
        assert incident.duration_seconds == (NOW - start).total_seconds()
        assert incident.downtime_seconds == (NOW - start).total_seconds() - 60
        assert incident.latest_started_at == start + 2 * MINUTE

    run_with(migrated_settings, work)


def test_stretches_on_both_sides_of_the_raw_start_are_counted_once(
    migrated_settings: Settings,
) -> None:
    # Down from 1 h before the raw span to 1 h into it, up 1 min, then down until now: the
    # stored day and the raw span both see the first stretch's hour after the raw start.
    start = RAW_START - HOUR
    blip = RAW_START + HOUR

    async def work(database: Database) -> None:
        await seed(
            database,
            [(start, Status.ERROR), (blip, Status.OK), (blip + MINUTE, Status.ERROR)],
        )
        (incident,) = await incidents_after_rollup(database, drop_raw=False)
        assert (incident.started_at, incident.ended_at) == (start, None)
        assert incident.downtime_seconds == (NOW - start).total_seconds() - 60
        assert incident.latest_started_at == blip + MINUTE

    run_with(migrated_settings, work)


def incident_columns(connection: Connection) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("status_incidents")}


def test_migration_0003_goes_up_down_and_up_again(database_settings: Settings) -> None:
    added = {"resumed_at", "down_before"}

    async def main() -> None:
        engine = create_engine(database_settings, statement_timeout_ms=0)
        try:
            for target, present in (("0003", True), ("0002", False), ("0003", True)):
                await (upgrade_engine if present else downgrade_engine)(engine, target)
                async with engine.connect() as connection:
                    columns = await connection.run_sync(incident_columns)
                assert (added <= columns) is present, (target, columns)
                assert "reason" in columns  # the table itself stays
        finally:
            await engine.dispose()

    asyncio.run(main())
