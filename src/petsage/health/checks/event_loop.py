"""`event_loop`: how late the loop runs a callback, measured by a background ticker.

A loop blocked by synchronous work answers every request late, probes included. The ticker
sleeps a fixed period and records how much later than asked it woke up; the check reports the
worst lag since the previous check, so a short stall between two rounds is not missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from petsage.health.check import Check, Outcome
from petsage.settings import Settings

TICK_SECONDS = 0.1


class LoopLagMonitor:
    """Started by the first check (on the running loop), stopped by `close`."""

    def __init__(
        self,
        *,
        warning_ms: float,
        tick_seconds: float = TICK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.warning_ms = warning_ms
        self.tick_seconds = tick_seconds
        # Tests pass a clock they move, to stand for a blocked loop without blocking one.
        self._clock = clock
        self._worst_ms = 0.0
        self._ticker: asyncio.Task[None] | None = None

    async def __call__(self) -> Outcome:
        if self._ticker is None:
            self._ticker = asyncio.create_task(self._tick(), name="petsage-loop-lag")
        lag_ms, self._worst_ms = round(self._worst_ms, 3), 0.0
        if lag_ms > self.warning_ms:
            message = f"event loop lag {lag_ms:.0f} ms, above the warning {self.warning_ms:g} ms"
            return Outcome.degraded(message, lag_ms, "ms")
        return Outcome.ok(lag_ms, "ms")

    async def _tick(self) -> None:
        while True:
            expected = self._clock() + self.tick_seconds
            await asyncio.sleep(self.tick_seconds)
            lag_ms = max(0.0, self._clock() - expected) * 1000
            self._worst_ms = max(self._worst_ms, lag_ms)

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None


def event_loop_check(settings: Settings) -> Check:
    monitor = LoopLagMonitor(warning_ms=settings.health_loop_lag_warning_ms)
    return Check(
        "event_loop", monitor, component_type="component", measurement="lag", close=monitor.close
    )
