"""`StatusBoard`: the status summary, computed in the background and served from memory.

Views never compute: they read the latest summary, so N viewers cost no database query and
never run a check. The board recomputes when the health engine reports a change, when the
lifecycle moves (starting, serving, draining), and once per health interval so that other
instances' changes and the passing time show.

When the computation fails (the database is down, or black-holed), the board publishes its
`fallback` instead: the live health snapshot over the last summary read, marked
`history_complete: false` (see `live.py`), so the page, the badges and the streams show the
outage within a round rather than the last summary frozen. This instance's changes are kept
as `pending` and shown by every computation until the database has them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar, cast

from petsage.features.status_page.heartbeats import Heartbeats
from petsage.features.status_page.models import StatusSummary
from petsage.features.status_page.service import public
from petsage.features.status_page.timeline import Change
from petsage.features.status_page.visible import visible_key
from petsage.health.history_recorder import BACKLOG_CAPACITY
from petsage.health.model import CheckResult, Status, StatusChange

logger = logging.getLogger("petsage.status_page")

# This instance's changes not yet in the database: the history writer's backlog holds the same
# ones, under the same bounds (its retention, and the capacity whose comment gives the memory).
PENDING_CAPACITY = BACKLOG_CAPACITY
Compute = Callable[[Sequence[Change]], Awaitable[StatusSummary]]
# Which of the given changes the database does not have yet.
Unwritten = Callable[[Sequence[Change]], Awaitable[Sequence[Change]]]
# The summary to show when computing fails: from the last computed one and, for each check,
# when its status last changed on this instance.
Fallback = Callable[[StatusSummary, Mapping[str, datetime]], StatusSummary]
Rendering = TypeVar("Rendering")


class StatusBoard:
    """The cached summary, both as authorized and as anonymous callers see it."""

    def __init__(
        self,
        compute: Compute,
        initial: StatusSummary,
        *,
        instance_id: str,
        fallback: Fallback | None = None,
        unwritten: Unwritten | None = None,
        keep_days: int = 30,
    ) -> None:
        self._compute = compute
        self._fallback = fallback
        self._unwritten = unwritten
        self._keep = timedelta(days=keep_days)
        self.instance_id = instance_id
        self._stored = initial  # the last summary computed from the database
        self._since: dict[str, datetime] = {}
        self.store_available = True
        self._full = initial
        self._public = public(initial)
        self._rendered = _render(self._full, self._public)
        self._visible = visible_key(initial)
        self._renderings: dict[tuple[str, bool], object] = {}
        self._version = 0
        self._changed = asyncio.Condition()
        self._dirty = asyncio.Event()
        self._pending: list[Change] = []
        self.last_compute_seconds: float | None = None
        self.refreshes = 0
        self._feed_updated: datetime | None = None
        self.heartbeats = Heartbeats()

    def summary(self, *, detail: bool) -> StatusSummary:
        """The latest summary, from memory: no query, no check."""
        return self._full if detail else self._public

    def rendered(self, *, detail: bool) -> bytes:
        """`summary(detail=...)` as JSON, rendered once per change rather than per view: with
        90 bars a check, serialising it is most of the cost of an answer."""
        return self._rendered[detail]

    def rendering(
        self, kind: str, *, detail: bool, render: Callable[[StatusSummary], Rendering]
    ) -> Rendering:
        """`render(summary(detail=...))`, kept until the next summary is published: the page
        is rendered once per recompute, not once per view (a render takes about 10 ms, which
        20 viewers at once would turn into a p99 of half a second)."""
        key = (kind, detail)
        if key not in self._renderings:
            self._renderings[key] = render(self.summary(detail=detail))
        return cast(Rendering, self._renderings[key])

    def feed_updated(self, latest_change: datetime | None, *, default: datetime) -> datetime:
        """The feed's `updated`: `latest_change`, or a later one given before (`default`
        the first time, when no incident is listed). An incident that drops out of the list
        must not move it back: a reader skips entries older than the `updated` it saw last."""
        if self._feed_updated is None:
            self._feed_updated = latest_change or default
        elif latest_change is not None and latest_change > self._feed_updated:
            self._feed_updated = latest_change
        return self._feed_updated

    @property
    def version(self) -> int:
        """Bumps whenever the summary changes."""
        return self._version

    async def wait_for_change(self, after: int) -> int:
        """Wait until the version is past `after`; return the new version."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._version > after)
            return self._version

    def request_refresh(self) -> None:
        self._dirty.set()

    @property
    def refresh_requested(self) -> bool:
        return self._dirty.is_set()

    # --- HealthListener ----------------------------------------------------------------------

    def on_result(self, result: CheckResult) -> None:
        self.heartbeats.record(result)

    def on_change(self, change: StatusChange) -> None:
        self._since[change.check_name] = change.occurred_at
        if not (change.old_status is None and change.new_status is Status.OK):
            self._pending.append(
                Change(
                    change.occurred_at,
                    self.instance_id,
                    change.check_name,
                    change.new_status,
                    change.reason,
                )
            )
            del self._pending[:-PENDING_CAPACITY]
        self._dirty.set()

    # --- computing ---------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Recompute now and publish the result if it differs (its time aside); when that
        fails and there is a fallback, publish the fallback's summary instead."""
        cutoff = datetime.now(UTC) - self._keep
        self._pending = [change for change in self._pending if change.at >= cutoff]
        if not self.store_available and self._fallback is not None:
            # Failing already: show the live checks now, not once this attempt has failed too
            # (against a black hole, only after the database client's timeout).
            await self._publish(self._fallback(self._stored, dict(self._since)))
        started = time.perf_counter()
        try:
            await self._forget_written()
            summary = await self._compute(tuple(self._pending))
        except Exception as exc:
            if self._fallback is None:
                raise
            summary = self._fallback(self._stored, dict(self._since))
            if self.store_available:
                # Once per outage, not once per round: the health checks log the cause.
                logger.warning("status page: showing the live checks, computing failed: %s", exc)
            self.store_available = False
        else:
            if not self.store_available:
                logger.info("status page: computed from the database again")
            self.store_available = True
            self._stored = summary
        self.last_compute_seconds = time.perf_counter() - started
        self.refreshes += 1
        await self._publish(summary)

    async def _forget_written(self) -> None:
        """Drop the pending changes the database has now (others may arrive meanwhile)."""
        if not self._pending or self._unwritten is None:
            return
        sent = list(self._pending)
        waiting = set(await self._unwritten(sent))
        written = {change for change in sent if change not in waiting}
        self._pending = [change for change in self._pending if change not in written]

    async def run(self, interval_seconds: float) -> None:
        """Recompute on every request for it, and at least every `interval_seconds`."""
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that lands as the wait ends, and this loop would then outlive the app's shutdown.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval_seconds):
                    await self._dirty.wait()
            self._dirty.clear()
            try:
                await self.refresh()
            except Exception:  # a bug, not the database (refresh falls back for that)
                logger.exception("status page: refresh failed")

    async def _publish(self, summary: StatusSummary) -> None:
        # On the loop: 1 to 4 ms (8 checks with 90 distinct bars each and 50 incidents: 3.7
        # ms). A thread gained nothing (the serialiser holds the GIL), and its allocator arena
        # kept 0.25 MiB more resident (measured in process, 3 s after start; issue 17).
        anonymous, rendered, key = _prepare(summary)
        # Compared as what a viewer sees (`visible.py`): the time alone, or an ongoing
        # incident's seconds, are no change worth an event to every open tab.
        same = key == self._visible
        self._full, self._public, self._rendered, self._visible = summary, anonymous, rendered, key
        self._renderings = {}
        if same:
            return
        async with self._changed:
            self._version += 1
            self._changed.notify_all()


def _render(full: StatusSummary, anonymous: StatusSummary) -> dict[bool, bytes]:
    return {True: full.model_dump_json().encode(), False: anonymous.model_dump_json().encode()}


def _prepare(summary: StatusSummary) -> tuple[StatusSummary, dict[bool, bytes], bytes]:
    """The anonymous summary, both as JSON, and what a viewer sees of the full one."""
    anonymous = public(summary)
    return anonymous, _render(summary, anonymous), visible_key(summary)
