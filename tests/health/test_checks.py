"""The built-in checks against real resources: file systems, /proc, the loop, HTTP, databases."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from petsage.database.migrate import head_revision, upgrade_to_head
from petsage.health.checks import builtin_checks
from petsage.health.checks.database import DatabaseProbe
from petsage.health.checks.disk import DiskProbe
from petsage.health.checks.event_loop import LoopLagMonitor
from petsage.health.checks.http import http_check, http_checks
from petsage.health.checks.memory import MemoryProbe, cgroup_memory_limit
from petsage.health.engine import HealthEngine
from petsage.health.model import Status
from petsage.health.registry import CheckRegistry
from petsage.settings import HttpCheckSettings, Settings

pytestmark = pytest.mark.anyio
MIB = 1024 * 1024


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_disk_against_its_thresholds(tmp_path: Path) -> None:
    roomy = await DiskProbe(tmp_path, warning_mib=0, critical_mib=0)()
    warned = await DiskProbe(tmp_path, warning_mib=2**40, critical_mib=0)()
    critical = await DiskProbe(tmp_path / "not" / "yet", warning_mib=2**40, critical_mib=2**40)()

    assert roomy.status is Status.OK
    assert isinstance(roomy.observed_value, int)
    assert roomy.observed_value > 0
    assert roomy.observed_unit == "MiB"
    assert warned.status is Status.DEGRADED
    assert warned.error is not None
    assert "below the warning" in warned.error
    assert critical.status is Status.ERROR  # a missing data directory is measured at its parent


async def test_memory_without_a_limit_reports_the_rss(tmp_path: Path) -> None:
    probe = MemoryProbe(warning_ratio=0.9, cgroup_root=tmp_path / "no-cgroup")

    outcome = await probe()

    assert outcome.status is Status.OK
    assert isinstance(outcome.observed_value, float)
    assert 1 < outcome.observed_value < 64 * 1024  # this test process: some MiB, not 64 GiB


async def test_memory_above_a_configured_limit_is_degraded(tmp_path: Path) -> None:
    outcome = await MemoryProbe(
        warning_ratio=0.5, configured_limit_mib=1, cgroup_root=tmp_path / "no-cgroup"
    )()

    assert outcome.status is Status.DEGRADED
    assert outcome.error is not None
    assert "of the 1 MiB limit" in outcome.error


def fake_proc(tmp_path: Path, cgroup: str, resident_pages: int) -> Path:
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "cgroup").write_text(cgroup)
    (proc / "statm").write_text(f"{resident_pages * 2} {resident_pages} 10 1 0 100 0\n")
    return proc


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


async def test_cgroup_v2_limit_of_the_process_own_cgroup(tmp_path: Path) -> None:
    page = os.sysconf("SC_PAGE_SIZE")
    proc = fake_proc(tmp_path, "0::/kubepods/pod-a/ctr\n", resident_pages=200 * MIB // page)
    root = tmp_path / "cgroup"
    write(root / "kubepods/pod-a/ctr/memory.max", f"{256 * MIB}\n")
    write(root / "memory.max", "max\n")

    probe = MemoryProbe(warning_ratio=0.75, proc=proc, cgroup_root=root)
    outcome = await probe()

    assert cgroup_memory_limit(proc, root) == 256 * MIB
    assert outcome.status is Status.DEGRADED  # 200 of 256 MiB is above 75 %
    assert outcome.observed_value == 200.0


async def test_cgroup_v1_limit_and_its_unlimited_value(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, "5:cpu:/\n4:memory:/docker/abc\n", resident_pages=10)
    root = tmp_path / "cgroup"
    write(root / "memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n")
    write(root / "memory/memory.limit_in_bytes", f"{512 * MIB}\n")

    assert cgroup_memory_limit(proc, root) == 512 * MIB
    write(root / "memory/memory.limit_in_bytes", "9223372036854771712\n")
    assert cgroup_memory_limit(proc, root) is None
    assert (await MemoryProbe(warning_ratio=0.9, proc=proc, cgroup_root=root)()).status is (
        Status.OK
    )


class StoppedClock:
    """A monotonic clock that moves only when told: 0.3 s passing in one step is what the
    ticker sees when the loop is blocked for 0.3 s."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_event_loop_lag_shows_a_blocked_loop() -> None:
    clock = StoppedClock()
    monitor = LoopLagMonitor(warning_ms=100, tick_seconds=0.01, clock=clock)
    await monitor()  # starts the ticker
    # Each sleep of the test outlasts the ticker's, whose timer the loop runs first: the
    # ticker is always inside a tick while the test runs, and has ended one when it resumes.
    await asyncio.sleep(0.02)

    clock.now += 0.3  # the loop "blocked" for 0.3 s during a tick of 0.01 s
    await asyncio.sleep(0.02)
    blocked = await monitor()
    await asyncio.sleep(0.02)
    calm = await monitor()
    await monitor.close()

    assert blocked.status is Status.DEGRADED
    assert blocked.observed_value == 290.0  # woke 0.3 s after starting a 0.01 s tick
    assert blocked.error == "event loop lag 290 ms, above the warning 100 ms"
    assert (calm.status, calm.observed_value) == (Status.OK, 0.0)


@asynccontextmanager
async def http_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], object],
) -> AsyncIterator[str]:
    writers: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        try:
            await handle(reader, writer)  # type: ignore[misc]
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await server.wait_closed()


def answering(status: str) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], object]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(f"HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n".encode())
        await writer.drain()
        writer.close()

    return answer


async def black_hole(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(-1)  # accepts, reads, never answers


async def test_http_checks_through_the_engine(make_settings: Callable[..., Settings]) -> None:
    async with (
        http_server(answering("204 No Content")) as up,
        http_server(answering("503 Service Unavailable")) as down,
        http_server(black_hole) as hole,
    ):
        configs = [
            HttpCheckSettings(name="up", url=up, critical=True),  # type: ignore[arg-type]
            HttpCheckSettings(name="down", url=f"{down}/status"),  # type: ignore[arg-type]
            HttpCheckSettings(name="hole", url=hole, timeout_seconds=0.3),  # type: ignore[arg-type]
        ]
        checks = http_checks(make_settings(health_http_checks=configs))
        engine = HealthEngine(CheckRegistry(checks))
        started = time.monotonic()
        snapshot = await engine.run_round()
        took = time.monotonic() - started
        await engine.stop()

    up_result, down_result, hole_result = snapshot.results
    assert [c.name for c in checks] == ["http:up", "http:down", "http:hole"]
    assert [c.critical for c in checks] == [True, False, False]
    assert up_result.status is Status.OK
    assert up_result.observed_unit == "ms"
    assert (down_result.status, down_result.error) == (Status.ERROR, "HTTP 503 from 127.0.0.1")
    assert hole_result.status is Status.ERROR
    assert took < 0.8 + 0.5  # the black hole costs its own timeout, no more


async def test_builtin_checks_and_their_flags(make_settings: Callable[..., Settings]) -> None:
    checks = builtin_checks(make_settings())

    assert [(c.name, c.critical) for c in checks] == [
        ("database", True),
        ("migrations", True),
        ("disk", False),
        ("memory", False),
        ("event_loop", False),
    ]


async def test_database_and_migrations_on_a_pool_of_one(database_settings: Settings) -> None:
    probe = DatabaseProbe(database_settings)

    empty_schema = await probe.schema_revision()
    await upgrade_to_head(database_settings)
    at_head = await probe.schema_revision()
    round_trip = await probe()

    assert empty_schema.status is Status.ERROR
    assert empty_schema.error == "the database has no schema: run `petsage db upgrade`"
    assert at_head.status is Status.OK  # a failure is never served from the cache
    assert at_head.observed_value == head_revision()
    assert round_trip.status is Status.OK
    assert round_trip.observed_unit == "ms"
    pool = probe.engine.pool
    assert (pool.size(), pool.checkedout()) == (1, 0)  # type: ignore[attr-defined]
    await probe.close()


async def test_a_schema_at_another_revision_fails_migrations(migrated_settings: Settings) -> None:
    probe = DatabaseProbe(migrated_settings)
    async with probe.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))

    outcome = await probe.schema_revision()
    await probe.close()

    assert outcome.status is Status.ERROR
    assert (
        outcome.error == f"the schema is at revision f00d, this release expects {head_revision()}"
    )
    assert outcome.observed_value == "f00d"


@pytest.mark.parametrize("name", ["payments", "p", "stripe-eu.v2_api", "x" * 95])
def test_every_http_check_name_the_settings_take_makes_a_check_name(name: str) -> None:
    # One rule (petsage.check_names): the setting's name, prefixed, is a valid check name.
    config = HttpCheckSettings.model_validate({"name": name, "url": "http://payments.test/"})

    assert http_check(config).name == f"http:{name}"


@pytest.mark.parametrize("name", ["", "Payments", "-x", "a:b", "x" * 96])
def test_an_http_check_name_that_would_make_no_check_name_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="name"):
        HttpCheckSettings.model_validate({"name": name, "url": "http://payments.test/"})
