"""Fixtures for real faults: one throwaway PostgreSQL cluster per session, a proxy per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fault_proxy import FaultProxy
from tests.support.faults import ThrowawayPostgres, missing_postgres_reason, postgres_required


@pytest.fixture(scope="session")
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    """A cluster of our own (never the shared server): tests may stop and start it."""
    reason = missing_postgres_reason()
    if reason is not None:
        if postgres_required():
            pytest.fail(f"PETSAGE_TEST_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    with ThrowawayPostgres.started() as cluster:
        yield cluster


@pytest.fixture
def postgres(throwaway_postgres: ThrowawayPostgres) -> Iterator[ThrowawayPostgres]:
    """The session's cluster, running at the start of the test and again after it, even when
    the test failed while the server was stopped."""
    if not throwaway_postgres.running:
        throwaway_postgres.start()
    yield throwaway_postgres
    if not throwaway_postgres.running:
        throwaway_postgres.start()


@pytest.fixture
def fault_proxy(postgres: ThrowawayPostgres) -> Iterator[FaultProxy]:
    """A proxy in front of the throwaway cluster, forwarding; closed after the test."""
    with FaultProxy("127.0.0.1", postgres.port) as proxy:
        yield proxy
