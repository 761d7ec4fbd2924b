"""`HistoryRecorder`: the listener that writes status changes to `health_events`.

The engine tells listeners on the event loop and must never wait for a database (the database
may be the very thing failing), so changes go into a bounded queue that one background task
writes out. A write that fails is retried a few times, then dropped with a log line: the
history is a diagnostic, and the log holds every change anyway. Events older than
`PETSAGE_HEALTH_HISTORY_DAYS` are pruned at start and then every hour.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from petsage.database.session import Database
from petsage.health import history
from petsage.health.model import CheckResult, Status, StatusChange

logger = logging.getLogger("petsage.health.history")

QUEUE_CAPACITY = 1000
WRITE_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 1.0
PRUNE_EVERY_SECONDS = 3600.0


class HistoryRecorder:
    def __init__(
        self,
        database: Database,
        *,
        instance_id: str,
        retention_days: int,
        retry_delay_seconds: float = RETRY_DELAY_SECONDS,
    ) -> None:
        self.database = database
        self.instance_id = instance_id
        self.retention_days = retention_days
        self.retry_delay_seconds = retry_delay_seconds
        self.dropped = 0
        self._queue: asyncio.Queue[StatusChange] = asyncio.Queue(QUEUE_CAPACITY)
        self._tasks: list[asyncio.Task[None]] = []

    # --- HealthListener --------------------------------------------------------------------

    def on_result(self, result: CheckResult) -> None:
        pass

    def on_change(self, change: StatusChange) -> None:
        if change.old_status is None and change.new_status is Status.OK:
            return  # a check starting healthy is not a change worth a row
        try:
            self._queue.put_nowait(change)
        except asyncio.QueueFull:
            self.dropped += 1
            logger.warning("health history queue full: dropped %s", change.check_name)

    # --- background ------------------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._write_forever(), name="petsage-health-history"),
            asyncio.create_task(self._prune_forever(), name="petsage-health-prune"),
        ]

    async def stop(self, flush_seconds: float = 2.0) -> None:
        """Give queued changes `flush_seconds` to be written, then stop."""
        if self._queue.qsize():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), timeout=flush_seconds)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _write_forever(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _write(self, batch: Sequence[StatusChange]) -> None:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                await self._insert(batch)
                return
            except Exception as exc:
                if attempt == WRITE_ATTEMPTS:
                    self.dropped += len(batch)
                    logger.error("health history: dropped %d change(s): %s", len(batch), exc)
                    return
                logger.warning("health history write failed (attempt %d): %s", attempt, exc)
                await asyncio.sleep(self.retry_delay_seconds * attempt)

    async def _insert(self, batch: Sequence[StatusChange]) -> None:
        async with self.database.session() as session:
            for change in batch:
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
