"""The database goes away between a request's last query and its commit.

`SessionDep` commits after the handler returns and before the response is sent. When
PostgreSQL stops in between, the commit fails for want of a database: the answer must be the
503 a database outage gets elsewhere (the soak test met a 500 with a traceback there), while a
commit refused by the database itself stays a 500 (tests/database/test_session.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import text

from petsage.database.migrate import upgrade_to_head
from petsage.http.dependencies import SessionDep
from petsage.main import create_app
from petsage.settings import Settings
from tests.support.faults import ThrowawayPostgres

pytestmark = pytest.mark.slow


@pytest.fixture
def client(
    postgres: ThrowawayPostgres, make_settings: Callable[..., Settings]
) -> Iterator[TestClient]:
    settings = make_settings(
        database_url=postgres.url(postgres.create_database("petsage_commit_fault"))
    )
    # As `petsage serve` would have it (PETSAGE_DB_MIGRATE_ON_START, or a migration job): an
    # app does not migrate, and one on an empty schema has its status page and health history
    # fail in the background, logging from the app's thread.
    asyncio.run(upgrade_to_head(settings))

    router = APIRouter(prefix="/test-only")

    @router.get("/read-then-lose-the-database")
    async def read_then_lose_the_database(session: SessionDep) -> dict[str, int]:
        value = (await session.execute(text("SELECT 1"))).scalar_one()
        await asyncio.to_thread(postgres.stop, "fast")
        return {"value": value}

    application = create_app(settings)
    application.include_router(router)
    with TestClient(application, raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_commit_without_a_database_is_a_503(client: TestClient) -> None:
    response = client.get("/test-only/read-then-lose-the-database")

    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "database_unavailable"
