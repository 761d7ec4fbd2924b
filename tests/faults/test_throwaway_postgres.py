"""The throwaway cluster and the proxy against a real PostgreSQL and a real driver (asyncpg)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.support.fault_proxy import FaultProxy
from tests.support.faults import ThrowawayPostgres


def dsn(port: int) -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


async def select_one(port: int) -> int:
    connection = await asyncpg.connect(dsn(port), timeout=2)
    try:
        value: int = await connection.fetchval("SELECT 1")
        return value
    finally:
        await connection.close()


def test_a_stopped_cluster_refuses_then_serves_again_on_the_same_port(
    postgres: ThrowawayPostgres,
) -> None:
    port = postgres.port
    postgres.stop()

    assert not postgres.running
    with pytest.raises(ConnectionRefusedError):
        asyncio.run(select_one(port))
    postgres.start()
    assert postgres.port == port
    assert asyncio.run(select_one(port)) == 1


def test_create_database_gives_a_fresh_empty_database(postgres: ThrowawayPostgres) -> None:
    postgres.create_database("petsage_fresh")
    postgres.sql("CREATE TABLE leftover (id int)", database="petsage_fresh")
    postgres.create_database("petsage_fresh")

    leftovers = "SELECT count(*) FROM pg_tables WHERE tablename = 'leftover'"
    assert postgres.sql(leftovers, database="petsage_fresh") == "0"


async def count_through(proxy: FaultProxy) -> tuple[int, int]:
    connection = await asyncpg.connect(dsn(proxy.port), timeout=2)
    after_connect = proxy.statements
    await connection.execute("SELECT 1")
    for value in (1, 2, 3):
        assert await connection.fetchval("SELECT $1::int", value) == value
    await connection.close()
    return after_connect, proxy.statements


def test_proxy_counts_each_statement_a_real_driver_sends(fault_proxy: FaultProxy) -> None:
    after_connect, after_queries = asyncio.run(count_through(fault_proxy))

    # One simple query, then one prepared statement executed three times.
    assert after_queries - after_connect == 4
    assert fault_proxy.tally.snapshot()["P"] >= 1
    assert fault_proxy.wait_for_open_connections(at_most=0, timeout=5) == 0


async def query_in_black_hole(proxy: FaultProxy) -> None:
    connection = await asyncpg.connect(dsn(proxy.port), timeout=2)
    proxy.black_hole()
    try:
        with pytest.raises(TimeoutError):
            await connection.fetchval("SELECT 1", timeout=0.3)
        with pytest.raises(TimeoutError):
            await asyncpg.connect(dsn(proxy.port), timeout=0.3)
    finally:
        connection.terminate()


def test_black_hole_hangs_a_real_driver_and_releases_nothing_it_should_not(
    fault_proxy: FaultProxy,
) -> None:
    asyncio.run(query_in_black_hole(fault_proxy))
    fault_proxy.forward()

    assert asyncio.run(select_one(fault_proxy.port)) == 1
    assert fault_proxy.wait_for_open_connections(at_most=0, timeout=5) == 0
