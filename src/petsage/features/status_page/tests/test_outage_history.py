"""The pieces that keep the page true through a database outage, on real databases: changes
not written yet, a run whose heartbeat fails, changes written late, the live summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from petsage.database.session import Database
from petsage.features.status_page import service, store
from petsage.features.status_page.hours import HOUR, Hour, HourCache
from petsage.features.status_page.incidents import Incident
from petsage.features.status_page.late import LateChanges
from petsage.features.status_page.live import live_summary
from petsage.features.status_page.models import Banner
from petsage.features.status_page.tests.seeding import add_change, add_run
from petsage.features.status_page.tests.test_rollups import NOW, POLICY, run_with
from petsage.features.status_page.timeline import Change, Run
from petsage.health.lifecycle import Phase
from petsage.health.model import CheckResult, Status
from petsage.health.snapshot import HealthSnapshot
from petsage.settings import Settings


def test_a_pending_change_holds_across_the_hours_after_it(migrated_settings: Settings) -> None:
    # The database went down 2 h ago and nothing could be written since: the change is only
    # in memory, yet the current hour (read on its own) must start from it.
    failed = Change(NOW - 2 * HOUR, "a", "database", Status.ERROR, "refused")

    async def work(database: Database) -> None:
        async with database.session() as session:
            await add_run(session, "a", NOW - 5 * HOUR, last_seen=NOW)
        async with database.session() as session:
            summary = await service.compute_summary(
                session, POLICY, now=NOW, phase=Phase.SERVING, pending=[failed]
            )
        database_row = next(c for c in summary.checks if c.name == "database")
        assert (database_row.status, database_row.since) == ("error", failed.at)
        assert summary.banner is Banner.OUTAGE
        assert [i.started_at for i in summary.incidents] == [failed.at]

    run_with(migrated_settings, work)


def test_the_computing_instance_runs_whatever_its_heartbeat_says(
    migrated_settings: Settings,
) -> None:
    async def work(database: Database) -> None:
        async with database.session() as session:  # heartbeats failing for an hour: disk full
            await add_run(session, "me", NOW - 5 * HOUR, last_seen=NOW - HOUR)
            await add_run(session, "other", NOW - 5 * HOUR, last_seen=NOW - HOUR)
        async with database.session() as session:
            runs = await store.load_runs(
                session, NOW - HOUR, NOW, now=NOW, alive_within=180, alive_instance="me"
            )
        assert runs == [Run("me", NOW - 5 * HOUR, NOW)]  # "other" crashed an hour ago

    run_with(migrated_settings, work)


def test_changes_written_late_drop_the_hours_and_days_they_fall_in(
    migrated_settings: Settings,
) -> None:
    now = datetime.now(UTC)
    start = now.replace(minute=0, second=0, microsecond=0)
    cached: HourCache = {
        start - HOUR * n: Hour.of(start - HOUR * n, start - HOUR * (n - 1), {}, {})
        for n in range(2, 30)
    }
    late = LateChanges(history_days=30)

    async def work(database: Database) -> None:
        async with database.session() as session:
            assert await late.forget_stale(session, cached) == []  # the first look
            await add_change(session, "b", "database", Status.OK, now)  # written on time
        async with database.session() as session:
            assert await late.forget_stale(session, cached) == []
        assert len(cached) == 28
        # Another instance's backlog, written once its database came back: 26 h old.
        async with database.session() as session:
            await add_change(session, "b", "database", Status.ERROR, start - 26 * HOUR)
        async with database.session() as session:
            days = await late.forget_stale(session, cached)
        assert sorted(cached) == sorted(start - HOUR * n for n in range(27, 30))
        first = (start - 26 * HOUR).date()
        assert days == [first + timedelta(days=n) for n in range((now.date() - first).days)]

    run_with(migrated_settings, work)


def test_the_live_summary_shows_the_outage_over_the_last_one(
    migrated_settings: Settings,
) -> None:
    async def work(database: Database) -> None:
        async with database.session() as session:
            await add_run(session, "a", NOW - 5 * HOUR, last_seen=NOW)
            last = await service.compute_summary(session, POLICY, now=NOW, phase=Phase.SERVING)
        failed_at = NOW + timedelta(seconds=30)
        snapshot = HealthSnapshot(
            results=(
                CheckResult("database", Status.ERROR, True, failed_at, 0.5, error="refused"),
                CheckResult("cache", Status.OK, False, failed_at, 0.1),
            ),
            round=9,
        )
        live = live_summary(
            last,
            snapshot,
            {"database": failed_at, "cache": NOW},
            now=failed_at + timedelta(seconds=5),
            phase=Phase.SERVING,
            merge_seconds=POLICY.merge_seconds,
        )
        assert (last.banner, live.banner) == (Banner.OPERATIONAL, Banner.OUTAGE)
        assert (last.history_complete, live.history_complete) == (True, False)
        row = next(c for c in live.checks if c.name == "database")
        assert (row.status, row.since, row.reason) == ("error", failed_at, "refused")
        assert row.days == next(c for c in last.checks if c.name == "database").days
        cache = next(c for c in live.checks if c.name == "cache")  # unchanged: as last read
        assert cache == next(c for c in last.checks if c.name == "cache")
        (incident,) = live.incidents
        # The id the database's computation will give it once the change is written.
        assert incident.id == Incident("database", Status.ERROR, failed_at, None, "").id
        assert (incident.ended_at, incident.duration_seconds) == (None, 5.0)

    run_with(migrated_settings, work)
