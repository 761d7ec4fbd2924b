"""The database's plan for the activity summary's query, for bench/pet_insights.py.

The statement is the one the route sends: `pet_totals`, the summary's query, run once on the
seeded database with its SQL captured, then explained (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN
ANALYZE` on PostgreSQL). Which index serves the join is what decides the summary's cost: the
pet's index alone makes every bucket scan all the pet's rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.database.engine import create_engine
from petsage.features.activity_tracker.summary import pet_totals
from petsage.resources.timeline import buckets
from petsage.settings import Settings


async def summary_plan(url: str, pet_id: int, days: int, zone: str) -> list[str]:
    """The plan's lines for the summary of `days` local days of `zone` up to today."""
    settings = Settings(_env_file=None, database_url=url, db_connect_timeout_seconds=30)
    engine = create_engine(settings, statement_timeout_ms=0)
    sent: list[tuple[str, Any]] = []

    def capture(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    today = date.today()
    spans = buckets(today - timedelta(days=days - 1), today, "day", ZoneInfo(zone))
    try:
        async with AsyncSession(engine) as session:
            await pet_totals(session, pet_id, spans)
        statement, parameters = sent[-1]
        async with engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            if make_url(url).get_backend_name() == "sqlite":
                cursor = await raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
                return [str(row[-1]) for row in await cursor.fetchall()]
            rows = await raw.fetch(f"EXPLAIN ANALYZE {statement}", *parameters)
            return [str(row[0]).strip() for row in rows]
    finally:
        await engine.dispose()
