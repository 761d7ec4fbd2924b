"""`HistoryRecorder`: the listener that writes status changes to `health_events`.

The engine tells listeners on the event loop and must never wait for a database (the database
may be the very thing failing), so changes go into a backlog that one background task writes
out, oldest first, each with the time it happened. A write that fails is retried, with backoff,
until the database takes it: the changes made during an outage are exactly the ones the
history exists for, so they are kept and written once the store is back, never dropped after
a few attempts. Any new change wakes the writer at once (the database check turning `ok` is
one), so the backlog is written within a round of the recovery, not after the backoff.

The backlog is bounded two ways: a change older than `PETSAGE_HEALTH_HISTORY_DAYS` is dropped
(the pruning would delete it anyway), and past `BACKLOG_CAPACITY` the oldest goes, counted in
`dropped` and logged. Writes are idempotent: a batch whose commit reached the database but
whose answer was lost is sent again, and a change already stored (same instance, check and
time) is skipped. Only this process writes its instance's rows, one batch at a time, so the
check and the insert need no lock; several instances never touch each other's rows.

A restart loses the backlog of the process that stopped: see the README's Status page.
Events older than the retention are pruned at start and then every hour.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import replace

from petsage.database.columns import as_utc
from petsage.database.session import Database
from petsage.health import history
from petsage.health.model import CheckResult, StatusChange

logger = logging.getLogger(__name__)

# A change holds at most a 500-character reason (cut on arrival) and costs under 1.5 KiB
# (tests/health/test_history_recorder.py measures 1.25): 10,000 of them stay under 15 MiB. A
# check changes at most once a round, so this covers ten checks flapping every 5 s for over
# 80 minutes, and a real outage (two changes a check) for as long as it lasts.
BACKLOG_CAPACITY = 10_000
BATCH_SIZE = 200
RETRY_DELAY_SECONDS = 1.0
MAX_RETRY_DELAY_SECONDS = 30.0
PRUNE_EVERY_SECONDS = 3600.0


class HistoryRecorder:
    def __init__(
        self,
        database: Database,
        *,
        instance_id: str,
        retention_days: int,
        retry_delay_seconds: float = RETRY_DELAY_SECONDS,
        capacity: int = BACKLOG_CAPACITY,
    ) -> None:
        self.database = database
        self.instance_id = instance_id
        self.retention_days = retention_days
        self.retry_delay_seconds = retry_delay_seconds
        self.capacity = capacity
        self.dropped = 0
        self.written = 0
        self.failed_writes = 0  # attempts the store refused; each is retried after a backoff
        # Numbered in arrival order: a write removes exactly what it wrote, even when the
        # capacity pushed older changes out while it ran.
        self._backlog: deque[tuple[int, StatusChange]] = deque()
        self._arrivals = 0
        self._arrived = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def backlog(self) -> int:
        """Changes not written yet."""
        return len(self._backlog)

    # --- HealthListener --------------------------------------------------------------------

    def on_result(self, result: CheckResult) -> None:
        pass

    def on_change(self, change: StatusChange) -> None:
        if change.starts_healthy:
            return
        if len(change.reason) > history.REASON_MAX:
            change = replace(change, reason=history.shorten(change.reason))
        self._arrivals += 1
        self._backlog.append((self._arrivals, change))
        if len(self._backlog) > self.capacity:
            _, lost = self._backlog.popleft()
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                logger.error(
                    "health history backlog full (%d): dropped %d change(s), the oldest %s at %s",
                    self.capacity,
                    self.dropped,
                    lost.check_name,
                    lost.occurred_at.isoformat(),
                )
        self._arrived.set()

    # --- background ------------------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._write_forever(), name="petsage-health-history"),
            asyncio.create_task(self._prune_forever(), name="petsage-health-prune"),
        ]

    async def stop(self, flush_seconds: float = 2.0) -> None:
        """Give the backlog `flush_seconds` to be written, then stop; what is left is lost
        with the process, and said so in the log."""
        deadline = time.monotonic() + flush_seconds
        failed = self.failed_writes
        # One last attempt, at once (a backoff is cut short), and no more: while the store is
        # down, a retry every few milliseconds would only fill the log and hold the shutdown.
        self._arrived.set()
        while self._backlog and self._tasks and time.monotonic() < deadline:
            if self.failed_writes > failed:
                break
            await asyncio.sleep(0.05)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._backlog:
            _, oldest = self._backlog[0]
            logger.error(
                "health history: %d change(s) not written at shutdown, the oldest %s at %s",
                len(self._backlog),
                oldest.check_name,
                oldest.occurred_at.isoformat(),
            )

    async def _write_forever(self) -> None:
        delay = self.retry_delay_seconds
        while True:
            if not self._backlog:
                self._arrived.clear()
                await self._arrived.wait()
            self._forget_expired()
            numbered = [self._backlog[n] for n in range(min(BATCH_SIZE, len(self._backlog)))]
            if not numbered:
                continue
            try:
                await self._insert([change for _, change in numbered])
            except Exception as exc:
                self.failed_writes += 1
                logger.warning(
                    "health history: %d change(s) waiting, retrying in %.0f s: %s",
                    len(self._backlog),
                    delay,
                    exc,
                )
                await self._backoff(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY_SECONDS)
                continue
            delay = self.retry_delay_seconds
            # Only now, and only these: changes that arrived during the write stay queued.
            last = numbered[-1][0]
            while self._backlog and self._backlog[0][0] <= last:
                self._backlog.popleft()
            self.written += len(numbered)

    async def _backoff(self, delay: float) -> None:
        """Sleep `delay`, or less when a new change arrives (the store may be back)."""
        self._arrived.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._arrived.wait()

    def _forget_expired(self) -> None:
        cutoff = history.retention_cutoff(self.retention_days)
        while self._backlog and self._backlog[0][1].occurred_at < cutoff:
            self._backlog.popleft()
            self.dropped += 1

    async def _insert(self, batch: Sequence[StatusChange]) -> None:
        async with self.database.session() as session:
            moments = [change.occurred_at for change in batch]
            stored = await history.stored_moments(
                session, instance_id=self.instance_id, since=min(moments), until=max(moments)
            )
            for change in batch:
                if (change.check_name, as_utc(change.occurred_at)) in stored:
                    continue  # written by an attempt whose answer was lost
                await history.record_event(
                    session,
                    check_name=change.check_name,
                    old_status=change.old_status,
                    new_status=change.new_status,
                    reason=change.reason,
                    instance_id=self.instance_id,
                    occurred_at=change.occurred_at,
                )

    async def _prune_forever(self) -> None:
        while True:
            await self.prune()
            await asyncio.sleep(PRUNE_EVERY_SECONDS)

    async def prune(self) -> int:
        """Delete events past the retention; failures are logged, never raised."""
        cutoff = history.retention_cutoff(self.retention_days)
        try:
            async with self.database.session() as session:
                removed = await history.prune_events(session, older_than=cutoff)
        except Exception as exc:
            logger.warning("health history prune failed: %s", exc)
            return 0
        if removed:
            logger.info("health history: pruned %d event(s) before %s", removed, cutoff)
        return removed
