"""Changes written late: an instance's history writer keeps its changes through a database
outage and writes them once the database is back, with the times they happened, which may be
hours back. What was computed before they arrived is then wrong: the board's settled hours
(`hours.py`) and, after an outage across midnight, the days already rolled up.

`LateChanges` notices them with one indexed query per computation: the events stored since the
last one it saw (by id, which only grows) and the earliest time among them. Events written as
they happen are seconds old and touch nothing settled; only late ones cost a recomputation.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from petsage.features.status_page import store
from petsage.features.status_page.hours import HOUR, HourCache
from petsage.features.status_page.uptime import DAY

logger = logging.getLogger("petsage.status_page")


class LateChanges:
    def __init__(self, history_days: int) -> None:
        self.history_days = history_days
        self._seen: int | None = None

    async def forget_stale(self, session: AsyncSession, hours: HourCache) -> list[date]:
        """Drop the settled hours that events stored since the last call fall into; return the
        past days they fall into (to roll up again), oldest first."""
        last, earliest = await store.events_after(session, self._seen)
        if self._seen is None:  # the first computation: nothing is cached yet
            self._seen = last or 0
            return []
        self._seen = last or self._seen
        if earliest is None:
            return []
        stale = [start for start in hours if start + HOUR > earliest]
        for start in stale:
            del hours[start]
        now = datetime.now(earliest.tzinfo)
        today = now.date()
        # As `rollups.roll_up`: a day partly past the raw retention is never rolled up again.
        oldest_raw = (now - timedelta(days=self.history_days)).date() + DAY
        days = []
        day = max(earliest.date(), oldest_raw)
        while day < today:
            days.append(day)
            day += DAY
        if stale or days:
            logger.info(
                "status page: changes written late, from %s: recomputing %d hour(s), %d day(s)",
                earliest.isoformat(),
                len(stale),
                len(days),
            )
        return days
