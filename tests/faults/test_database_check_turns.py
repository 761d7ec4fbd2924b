"""The `database` and `migrations` checks on their one pooled connection, over a slow network.

On a loaded CI machine a round trip outlasted the pool's 0.5 s timeout, and the other check,
left waiting for the connection in the pool, failed with the pool's timeout: a critical error
(and a status-page incident) that was never the database's. The checks now take turns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from petsage.database.migrate import head_revision, upgrade_to_head
from petsage.health.checks.database import DatabaseProbe
from petsage.health.model import Status
from petsage.settings import Settings
from tests.support.fault_proxy import FaultProxy
from tests.support.faults import ThrowawayPostgres

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

POOL_TIMEOUT_SECONDS = 0.1
# The network holds every byte this long: several times the pool's timeout.
STALL_SECONDS = 0.5


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_the_checks_take_turns_rather_than_time_out_in_the_pool(
    fault_proxy: FaultProxy, postgres: ThrowawayPostgres, make_settings: Callable[..., Settings]
) -> None:
    database = postgres.create_database("petsage_check_turns")
    settings = make_settings(
        database_url=postgres.url(database, fault_proxy.port),
        db_pool_timeout_seconds=POOL_TIMEOUT_SECONDS,
        db_statement_timeout_ms=10_000,
    )
    await upgrade_to_head(settings)
    probe = DatabaseProbe(settings)
    await probe()  # its one connection, open and back in the pool
    try:
        fault_proxy.black_hole()
        round_trip = asyncio.create_task(probe())
        revision = asyncio.create_task(probe.schema_revision())
        await asyncio.sleep(STALL_SECONDS)
        fault_proxy.forward()
        database_outcome, migrations_outcome = await asyncio.gather(round_trip, revision)
    finally:
        await probe.close()

    assert database_outcome.status is Status.OK
    # Its turn came first: the round trip it reports is the stalled one.
    assert isinstance(database_outcome.observed_value, float)
    assert database_outcome.observed_value >= STALL_SECONDS * 1000 * 0.9
    assert (migrations_outcome.status, migrations_outcome.observed_value) == (
        Status.OK,
        head_revision(),
    )
