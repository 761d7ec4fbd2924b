"""`HealthEngine`: runs every check concurrently in one background task, keeps a snapshot.

Endpoints only read `engine.snapshot`, so however many probes arrive, each dependency sees one
check per interval per process. Every check runs under its own timeout, enforced with
`asyncio.wait`, which returns at the deadline even when a driver swallows the cancellation; such
a check is never awaited inline and is not started again while it is still running, so stuck
checks neither pile up nor delay the other checks or the next round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from petsage.health import damping
from petsage.health.aggregate import is_worse
from petsage.health.check import Check, Outcome, describe_error
from petsage.health.lifecycle import Lifecycle
from petsage.health.model import CheckResult, HealthListener, Status, StatusChange
from petsage.health.registry import CheckRegistry
from petsage.health.snapshot import HealthSnapshot
from petsage.settings import Settings

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
SnapshotCallback = Callable[[HealthSnapshot], None]
# A snapshot older than this many intervals (or check timeouts, if longer) counts as failed.
STALE_AFTER_INTERVALS = 3
# How long shutdown waits for cancelled checks and for each check's `close`.
_SHUTDOWN_WAIT_SECONDS = 1.0


class HealthEngine:
    def __init__(
        self,
        registry: CheckRegistry,
        *,
        interval_seconds: float = 5.0,
        timeout_seconds: float = 0.8,
        failure_threshold: int = 1,
        success_threshold: int = 1,
        lifecycle: Lifecycle | None = None,
    ) -> None:
        self.registry = registry
        # Readiness reads both: the phase (starting, serving, draining) and the snapshot.
        self.lifecycle = lifecycle or Lifecycle()
        self.interval_seconds = interval_seconds
        self._timeouts = {c.name: c.timeout_seconds or timeout_seconds for c in registry}
        self._thresholds = {
            "failure_threshold": failure_threshold,
            "success_threshold": success_threshold,
        }
        longest = max(self._timeouts.values(), default=timeout_seconds)
        self.stale_after = STALE_AFTER_INTERVALS * max(interval_seconds, longest)
        self._snapshot = HealthSnapshot(stale_after=self.stale_after)
        self._damping: dict[str, damping.DampedState] = {}
        self._running: dict[str, tuple[asyncio.Task[Outcome], float]] = {}
        self._listeners: list[HealthListener] = []
        self._snapshot_callbacks: list[SnapshotCallback] = []
        self._runner: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, registry: CheckRegistry, settings: Settings) -> HealthEngine:
        return cls(
            registry,
            interval_seconds=settings.health_interval_seconds,
            timeout_seconds=settings.health_check_timeout_seconds,
            failure_threshold=settings.health_failure_threshold,
            success_threshold=settings.health_success_threshold,
        )

    @property
    def snapshot(self) -> HealthSnapshot:
        """The latest complete round; `snapshot.started` is False until the first one."""
        return self._snapshot

    def check(self, name: str) -> Check | None:
        """The registered check called `name` (tests reach a probe's pool through it)."""
        return self.registry.get(name)

    def add_listener(self, listener: HealthListener) -> None:
        """Tell `listener` about every result and status change (on the event loop)."""
        self._listeners.append(listener)

    def on_snapshot(self, callback: SnapshotCallback) -> None:
        """Call `callback` with each new snapshot (renderers rebuild their bytes there)."""
        self._snapshot_callbacks.append(callback)

    # --- running -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background runner; the first round begins at once."""
        if self._runner is None:
            self._runner = asyncio.create_task(self._run_forever(), name="petsage-health")

    async def stop(self) -> None:
        """Stop the runner, abandon running checks and close every check's resources."""
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        stuck = [task for task, _ in self._running.values() if not task.done()]
        for task in stuck:
            task.cancel()
        if stuck:
            await asyncio.wait(stuck, timeout=_SHUTDOWN_WAIT_SECONDS)
        self._running.clear()
        for check in self.registry:
            await self._close(check)

    async def run_round(self) -> HealthSnapshot:
        """Run every check once, concurrently, and publish the new snapshot."""
        checks = list(self.registry)
        outcomes = await asyncio.gather(*(self._run_bounded(check) for check in checks))
        now = datetime.now(UTC)
        results = tuple(
            self._record(check, outcome, duration, now)
            for check, (outcome, duration) in zip(checks, outcomes, strict=True)
        )
        snapshot = HealthSnapshot(
            results=results,
            round=self._snapshot.round + 1,
            completed_at=time.monotonic(),
            completed_at_utc=now,
            stale_after=self.stale_after,
        )
        self._snapshot = snapshot
        for callback in self._snapshot_callbacks:
            self._notify(callback, snapshot)
        return snapshot

    async def _run_forever(self) -> None:
        while True:
            started = time.monotonic()
            try:
                await self.run_round()
            except Exception:  # a listener or renderer bug must not stop the checks
                logger.exception("health round failed")
            await asyncio.sleep(max(0.0, started + self.interval_seconds - time.monotonic()))

    async def _run_bounded(self, check: Check) -> tuple[Outcome, float]:
        timeout = self._timeouts[check.name]
        previous = self._running.get(check.name)
        if previous is not None and not previous[0].done():
            age = time.monotonic() - previous[1]
            return Outcome.failed(f"timed out: still running after {age:.1f} s"), age
        started = time.monotonic()
        task = asyncio.create_task(_call(check), name=f"petsage-health-check:{check.name}")
        self._running[check.name] = (task, started)
        done, _ = await asyncio.wait({task}, timeout=timeout)
        duration = time.monotonic() - started
        if not done:
            # Not awaited: a driver that ignores the cancellation would hold this round up.
            task.cancel()
            return Outcome.failed(f"timed out after {timeout:g} s"), duration
        del self._running[check.name]
        return task.result(), duration

    # --- results and changes -------------------------------------------------------------------

    def _record(
        self, check: Check, outcome: Outcome, duration: float, now: datetime
    ) -> CheckResult:
        previous = self._snapshot.by_name.get(check.name)
        state = damping.step(
            self._damping.get(check.name, damping.INITIAL), outcome.status, **self._thresholds
        )
        self._damping[check.name] = state
        assert state.reported is not None
        passed = outcome.status is not Status.ERROR
        result = CheckResult(
            name=check.name,
            status=state.reported,
            critical=check.critical,
            checked_at=now,
            duration_seconds=duration,
            observed_value=outcome.observed_value,
            observed_unit=outcome.observed_unit,
            error=outcome.error,
            last_success_at=now if passed else _last(previous, "last_success_at"),
            last_failure_at=_last(previous, "last_failure_at") if passed else now,
        )
        for listener in self._listeners:
            self._notify(listener.on_result, result)
        old_status = previous.status if previous else None
        if result.status is not old_status:
            self._announce(
                StatusChange(check.name, old_status, result.status, _reason(outcome), now)
            )
        return result

    def _announce(self, change: StatusChange) -> None:
        if is_worse(change.new_status, change.old_status):
            level = logging.WARNING
        elif change.starts_healthy:
            level = logging.DEBUG
        else:
            level = logging.INFO
        logger.log(
            level,
            "health check %s: %s -> %s: %s",
            change.check_name,
            change.old_status or "none",
            change.new_status,
            change.reason,
        )
        for listener in self._listeners:
            self._notify(listener.on_change, change)

    @staticmethod
    def _notify(callback: Callable[[_T], None], value: _T) -> None:
        try:
            callback(value)
        except Exception:
            logger.exception("health listener %r failed", callback)

    async def _close(self, check: Check) -> None:
        if check.close is None:
            return
        try:
            await asyncio.wait_for(check.close(), timeout=_SHUTDOWN_WAIT_SECONDS)
        except Exception:
            logger.exception("closing health check %s failed", check.name)


async def _call(check: Check) -> Outcome:
    """Run one probe; any exception becomes an `error` outcome, never the engine's problem."""
    try:
        return await check.probe()
    except Exception as exc:
        return Outcome.failed(describe_error(exc))


def _reason(outcome: Outcome) -> str:
    return outcome.error or "check passed"


def _last(previous: CheckResult | None, attribute: str) -> datetime | None:
    value: datetime | None = getattr(previous, attribute, None)
    return value
