"""The feature's background work: this instance's run, the board, the daily rollups."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from petsage.blueprint import AppServices
from petsage.database.session import Database
from petsage.features.status_page import live, rollups, service, store
from petsage.features.status_page.board import StatusBoard
from petsage.features.status_page.hours import HourCache
from petsage.features.status_page.late import LateChanges
from petsage.features.status_page.models import StatusSummary
from petsage.features.status_page.prometheus import UptimeCollector
from petsage.features.status_page.settings import StatusPageSettings
from petsage.features.status_page.timeline import Change
from petsage.health import history
from petsage.process import instance_id

logger = logging.getLogger("petsage.status_page")

# How often this run's row says it is alive (a database write; the stream keep-alive comment
# of `streams.py` is another matter).
RUN_HEARTBEAT_SECONDS = 60.0
# After a failed heartbeat: soon, so that a run is seen alive (and one never recorded gets its
# row) within seconds of the database coming back, not a minute later.
RUN_HEARTBEAT_RETRY_SECONDS = 5.0
# A run silent for this long crashed at its last heartbeat.
ALIVE_WITHIN_SECONDS = 3 * RUN_HEARTBEAT_SECONDS
ROLLUP_EVERY_SECONDS = 3600.0
SHUTDOWN_WAIT_SECONDS = 5.0


def policy_of(services: AppServices) -> service.StatusPolicy:
    settings = services.settings_of(StatusPageSettings)
    return service.StatusPolicy(
        checks={check.name: check.critical for check in services.health.registry},
        merge_seconds=settings.incident_merge_seconds,
        labels=settings.components,
        history_days=services.settings.health_history_days,
        alive_within=ALIVE_WITHIN_SECONDS,
    )


def build_board(services: AppServices, run: InstanceRun) -> StatusBoard:
    instance = run.instance
    policy = dataclasses.replace(policy_of(services), alive_instance=instance)
    database, lifecycle, engine = services.database, services.health.lifecycle, services.health
    hours: HourCache = {}
    late = LateChanges(policy.history_days)

    async def compute(pending: Sequence[Change]) -> StatusSummary:
        if run.run_id is None:
            # The database was down at start-up: without its run, this instance's changes
            # would not count, and the page would show nothing running (never "operational").
            await run.heartbeat()
        async with database.session() as session:
            days = await late.forget_stale(session, hours)
        for day in days:  # rare: after an outage across midnight
            async with database.session() as session:
                await rollups.roll_up_day(session, policy, day, now=datetime.now(UTC))
        async with database.session() as session:
            return await service.compute_summary(
                session,
                policy,
                now=datetime.now(UTC),
                phase=lifecycle.phase,
                pending=pending,
                cache=hours,
            )

    def fallback(last: StatusSummary, since: Mapping[str, datetime]) -> StatusSummary:
        return live.live_summary(
            last,
            engine.snapshot.as_of(time.monotonic()),
            since,
            now=datetime.now(UTC),
            phase=lifecycle.phase,
            merge_seconds=policy.merge_seconds,
        )

    async def unwritten(pending: Sequence[Change]) -> list[Change]:
        async with database.session() as session:
            stored = await history.stored_moments(
                session,
                instance_id=instance,
                since=min(change.at for change in pending),
                until=max(change.at for change in pending),
            )
        return [change for change in pending if (change.check, change.at) not in stored]

    initial = service.placeholder(datetime.now(UTC), policy.checks, policy.labels)
    return StatusBoard(
        compute,
        initial,
        instance_id=instance,
        fallback=fallback,
        unwritten=unwritten,
        keep_days=policy.history_days,
    )


@asynccontextmanager
async def status_lifespan(services: AppServices) -> AsyncIterator[StatusBoard]:
    """Record this run (start now, stop at exit), keep the board fresh and roll up days;
    yields the board."""
    instance = instance_id()
    run = InstanceRun(services.database, instance)
    board = build_board(services, run)
    services.health.add_listener(board)
    services.health.lifecycle.on_change(lambda _: board.request_refresh())
    if services.metrics is not None:
        services.metrics.registry.register(UptimeCollector(board))
    await run.start()
    tasks = [
        asyncio.create_task(board.run(services.settings.health_interval_seconds)),
        asyncio.create_task(run.beat_forever()),
        asyncio.create_task(_every(ROLLUP_EVERY_SECONDS, _roll_up(services, board), "rollup")),
    ]
    try:
        yield board
    finally:
        for task in tasks:
            task.cancel()
        # Bounded: a task that swallowed its cancellation must not hold up the shutdown.
        _, stuck = await asyncio.wait(tasks, timeout=SHUTDOWN_WAIT_SECONDS)
        if stuck:
            logger.warning("status page: %d background task(s) did not stop", len(stuck))
        await run.stop()


class InstanceRun:
    """This process's row in `status_instance_runs`; every write failure is only logged."""

    def __init__(self, database: Database, instance: str) -> None:
        self.database = database
        self.instance = instance
        self.run_id: int | None = None
        # The real start, kept for a row written late: its changes since then must count.
        self.started_at = datetime.now(UTC)
        # The heartbeat and the board may both find the row missing: it is written once.
        self._inserting = asyncio.Lock()

    async def start(self) -> None:
        with _logged("start"):
            await self._insert()

    async def _insert(self) -> None:
        async with self._inserting:
            if self.run_id is not None:
                return
            async with self.database.session() as session:
                self.run_id = await store.start_run(
                    session, self.instance, self.started_at, datetime.now(UTC)
                )

    async def heartbeat(self) -> None:
        if self.run_id is None:
            await self._insert()  # the database was down at start-up
            return
        async with self.database.session() as session:
            await store.touch_run(session, self.run_id, datetime.now(UTC))

    async def beat_forever(self) -> None:
        if self.run_id is not None:  # `start` has just written the row
            await asyncio.sleep(RUN_HEARTBEAT_SECONDS)
        while True:
            try:
                await self.heartbeat()
            except Exception as exc:
                logger.warning("status page heartbeat failed: %s", exc)
                await asyncio.sleep(RUN_HEARTBEAT_RETRY_SECONDS)
            else:
                await asyncio.sleep(RUN_HEARTBEAT_SECONDS)

    async def stop(self) -> None:
        if self.run_id is None:
            return
        with _logged("stop"):
            async with self.database.session() as session:
                await store.stop_run(session, self.run_id, datetime.now(UTC))


def _roll_up(services: AppServices, board: StatusBoard) -> Callable[[], Awaitable[None]]:
    policy = policy_of(services)

    async def roll_up() -> None:
        async with services.database.session() as session:
            done = await rollups.roll_up(
                session,
                policy,
                now=datetime.now(UTC),
                keep_days=services.settings_of(StatusPageSettings).rollup_days,
            )
        if done:
            logger.info("status page: rolled up %d day(s) up to %s", len(done), done[-1])
            board.request_refresh()  # the summary reads rolled-up days from the rollups

    return roll_up


async def _every(seconds: float, work: Callable[[], Awaitable[None]], what: str) -> None:
    while True:
        with _logged(what):
            await work()
        await asyncio.sleep(seconds)


@contextlib.contextmanager
def _logged(what: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        logger.warning("status page %s failed: %s", what, exc)
