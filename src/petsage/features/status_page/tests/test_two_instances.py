"""The multi-instance rule with two real servers on one PostgreSQL database: a check shows the
worst any running instance reports; the service is available while one instance is ready."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import select

from petsage.database.migrate import upgrade_to_head
from petsage.database.session import Database
from petsage.features.status_page.orm import StatusInstanceRun
from petsage.features.status_page.tests.test_status_http import (
    JSON_PATH,
    check_of,
    dead_check,
    wait_for,
)
from petsage.settings import Settings
from petsage.testing.server import petsage_server
from petsage.testing.stub_http import answering

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def live_check(url: str) -> str:
    return json.dumps([{"name": "dep", "url": url, "critical": True}])


def stopped_runs(settings: Settings) -> list[bool]:
    async def read() -> list[bool]:
        database = Database.from_settings(settings)
        try:
            async with database.session() as session:
                stops = await session.scalars(select(StatusInstanceRun.stopped_at))
                return sorted(stop is not None for stop in stops)
        finally:
            await database.dispose()

    return asyncio.run(read())


def test_two_instances_share_one_status(
    tmp_path: Path, postgres_url: str, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(database_url=postgres_url)
    asyncio.run(upgrade_to_head(settings))
    common = {"PETSAGE_DATABASE_URL": postgres_url, "PETSAGE_HEALTH_INTERVAL_SECONDS": "0.5"}
    with answering(200, b"{}") as dependency:
        failing = {**common, "PETSAGE_HEALTH_HTTP_CHECKS": dead_check(critical=True)}
        passing = {**common, "PETSAGE_HEALTH_HTTP_CHECKS": live_check(dependency)}
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        with petsage_server(tmp_path / "a", env=failing) as a:

            def read_a() -> dict[str, Any]:
                body: dict[str, Any] = httpx.get(a.base_url + JSON_PATH, timeout=10).json()
                return body

            with petsage_server(tmp_path / "b", env=passing) as b:

                def read_b() -> dict[str, Any]:
                    body: dict[str, Any] = httpx.get(b.base_url + JSON_PATH, timeout=10).json()
                    return body

                def shared(body: dict[str, Any]) -> bool:
                    failing: bool = check_of(body, "http:dep")["status"] == "error"
                    return failing and bool(body["banner"] == "partial_outage")

                # B's own check passes, but A reports an error: the row shows the worst; B is
                # ready, so the service is up (a partial outage, not an outage).
                seen_by_b = wait_for(read_b, shared)
                seen_by_a = wait_for(read_a, shared)
                assert check_of(seen_by_b, "http:dep")["status"] == "error"
                assert seen_by_b["banner"] == seen_by_a["banner"] == "partial_outage"
                assert httpx.get(b.base_url + "/system/health/ready", timeout=10).status_code == 200
                assert httpx.get(a.base_url + "/system/health/ready", timeout=10).status_code == 503

            # B stopped gracefully: A alone is not ready, the service is out.
            alone = wait_for(read_a, lambda body: body["banner"] == "outage")
            assert alone["banner"] == "outage"
            assert stopped_runs(settings) == [False, True]
