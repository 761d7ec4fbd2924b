"""Start-up checks in-process: the migration policy, and the messages of what goes wrong."""

from __future__ import annotations

import itertools
import logging
import random
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from petsage.database import migrate
from petsage.database.availability import DatabaseUnreachableError, backoff_delays
from petsage.database.engine import create_engine, masked_url, resolve_database_url
from petsage.database.preflight import (
    describe_failure,
    prepare_database,
    should_migrate_on_start,
    verify_database,
)
from petsage.settings import ConfigurationError, Settings
from tests.support.server import free_port, run_petsage

pytestmark = pytest.mark.anyio
SettingsFactory = Callable[..., Settings]


@pytest.mark.parametrize(
    ("url", "setting", "expected"),
    [
        (None, None, True),
        (None, False, False),
        ("postgresql://db/petsage", None, False),
        ("postgresql://db/petsage", True, True),
    ],
)
def test_migrate_on_start_policy(
    make_settings: SettingsFactory, url: str | None, setting: bool | None, expected: bool
) -> None:
    settings = make_settings(database_url=url, db_migrate_on_start=setting)

    assert should_migrate_on_start(settings, resolve_database_url(settings)) is expected


async def test_prepare_migrates_the_default_sqlite(make_settings: SettingsFactory) -> None:
    settings = make_settings()

    await prepare_database(settings)

    engine = create_engine(settings)
    try:
        assert await migrate.is_at_head(engine)
    finally:
        await engine.dispose()
    assert settings.sqlite_path.is_file()


async def test_prepare_leaves_postgresql_alone_by_default(
    postgres_url: str, make_settings: SettingsFactory
) -> None:
    settings = make_settings(database_url=postgres_url)

    await prepare_database(settings)

    engine = create_engine(settings)
    try:
        assert await migrate.current_revision(engine) is None
    finally:
        await engine.dispose()


async def test_sqlite_file_elsewhere_needs_a_writable_directory(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    settings = make_settings(database_url=f"sqlite:///{blocker}/sub/petsage.sqlite3")

    with pytest.raises(ConfigurationError, match=r"^invalid setting PETSAGE_DATABASE_URL: cannot"):
        await verify_database(settings)


def test_in_memory_sqlite_is_refused(make_settings: SettingsFactory) -> None:
    with pytest.raises(ConfigurationError, match="in-memory SQLite database keeps nothing"):
        resolve_database_url(make_settings(database_url="sqlite+aiosqlite:///:memory:"))


@pytest.fixture
def silent_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


async def test_silent_server_is_unavailable_and_reported_as_timed_out(
    make_settings: SettingsFactory, silent_port: int
) -> None:
    url = f"postgresql+asyncpg://postgres:hunter2@127.0.0.1:{silent_port}/petsage"
    settings = make_settings(database_url=url, db_connect_timeout_seconds=0.3)

    with pytest.raises(DatabaseUnreachableError) as caught:
        await verify_database(settings)

    assert str(caught.value) == (
        "database unavailable: cannot connect to PETSAGE_DATABASE_URL="
        f"postgresql+asyncpg://postgres:***@127.0.0.1:{silent_port}/petsage: timed out after 0.3 s"
    )


@pytest.mark.parametrize(
    "where",
    ["refused", "unresolvable"],
)
async def test_a_database_not_answering_yet_is_unavailable(
    make_settings: SettingsFactory, where: str
) -> None:
    host = {"refused": f"127.0.0.1:{free_port()}", "unresolvable": "petsage-db.invalid:5432"}
    settings = make_settings(database_url=f"postgresql+asyncpg://postgres@{host[where]}/x")

    with pytest.raises(DatabaseUnreachableError):
        await verify_database(settings)


async def test_serve_starts_without_an_unavailable_database_and_says_so(
    make_settings: SettingsFactory, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    settings = make_settings(database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{port}/x")

    with caplog.at_level(logging.WARNING, logger="petsage.database.preflight"):
        await prepare_database(settings)

    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith(
        f"database unavailable: cannot connect to PETSAGE_DATABASE_URL="
        f"postgresql+asyncpg://postgres@127.0.0.1:{port}/x: "
    )
    assert record.getMessage().endswith("; starting not ready until it answers")


async def test_migrating_on_start_waits_then_gives_up_naming_the_settings(
    make_settings: SettingsFactory, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x",
        db_migrate_on_start=True,
        db_startup_wait_seconds=0.6,
    )

    with (
        caplog.at_level(logging.WARNING, logger="petsage.database.preflight"),
        pytest.raises(DatabaseUnreachableError) as caught,
    ):
        await prepare_database(settings)

    message = str(caught.value)
    assert message.startswith("database unavailable: cannot connect to PETSAGE_DATABASE_URL=")
    assert message.endswith("(gave up after 0.6 s: PETSAGE_DB_STARTUP_WAIT_SECONDS)")
    retries = [r.getMessage() for r in caplog.records]
    assert retries, "each retry is logged"
    assert all(r.startswith("database unavailable (attempt ") for r in retries), retries


async def test_no_startup_wait_gives_up_after_one_attempt(
    make_settings: SettingsFactory, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x",
        db_migrate_on_start=True,
        db_startup_wait_seconds=0,
    )

    with caplog.at_level(logging.WARNING), pytest.raises(DatabaseUnreachableError) as caught:
        await prepare_database(settings)

    assert caught.value.waited_seconds == 0
    assert caplog.records == []


@pytest.mark.postgres
@pytest.mark.parametrize("mistake", ["unknown-role", "no-such-database"])
async def test_a_database_refusing_the_settings_is_a_configuration_error(
    postgres_url: str, make_settings: SettingsFactory, mistake: str
) -> None:
    url = make_url(postgres_url)
    url = url.set(username="nosuchuser") if mistake == "unknown-role" else url.set(database="nx")
    settings = make_settings(
        database_url=url.render_as_string(hide_password=False), db_migrate_on_start=True
    )

    with pytest.raises(ConfigurationError, match=r"^invalid setting PETSAGE_DATABASE_URL: cannot"):
        await prepare_database(settings)


def test_backoff_doubles_to_the_cap_with_jitter() -> None:
    delays = list(itertools.islice(backoff_delays(0.25, 5.0, random.Random(7)), 8))

    steps = [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]
    assert all(step / 2 <= delay <= step for delay, step in zip(delays, steps, strict=True))
    assert len(set(delays)) == len(delays), "jitter: no two delays alike"


def test_a_url_echoed_by_the_driver_keeps_all_but_its_password(
    make_settings: SettingsFactory,
) -> None:
    url = make_url("postgresql+asyncpg://app:hunter2@db/petsage")
    error = OSError("cannot reach postgresql://app:hunter2@db/petsage\nfor app")

    reason = describe_failure(error, url, make_settings())

    assert reason == "cannot reach postgresql://app:***@db/petsage for app"


@pytest.mark.postgres
@pytest.mark.parametrize("password", ["does", "e", "not exist"])
def test_a_short_password_neither_garbles_nor_shows_in_the_drivers_message(
    postgres_url: str, tmp_path: Path, password: str
) -> None:
    """A role that does not exist: PostgreSQL's message then holds the password's text."""
    role = "petsage_no_such_role"
    url = make_url(postgres_url).set(username=role, password=password)
    env = {
        "PETSAGE_DATABASE_URL": url.render_as_string(hide_password=False),
        "PETSAGE_DB_MIGRATE_ON_START": "true",
        "PETSAGE_DATA_DIR": str(tmp_path / "var"),
        # Never serves, even if the database were accepted: this host cannot be bound.
        "PETSAGE_HOST": "256.0.0.1",
    }

    result = run_petsage("serve", env=env, cwd=tmp_path)

    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"petsage: invalid setting PETSAGE_DATABASE_URL: cannot connect to "
        f"postgresql+asyncpg://{role}:***@{url.host}:{url.port}/{url.database}: "
    )
    assert line.endswith(f'role "{role}" does not exist')
    assert f":{password}@" not in line


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+asyncpg://app:hunter2@db/petsage", "postgresql+asyncpg://app:***@db/petsage"),
        ("postgresql+asyncpg://app@db/petsage?password=hunter2", "...@db/petsage?password=***"),
        ("postgresql+asyncpg://app@db/p?Password=hunter2&pwd=hunter2", "...?Password=***&pwd=***"),
        ("postgresql://app@db/p?sslpassword=hunter2&sslmode=require", "...=***&sslmode=require"),
        ("postgresql://app@db/p?pass=hunter2&secret=hunter2&token=hunter2", "...&token=***"),
        ("postgresql://app@db/p?api_key=hunter2&password=a&password=hunter2", "...password=***"),
        ("postgresql://app@db/p?application_name=pet%20sage", "...?application_name=pet+sage"),
        (
            "sqlite+aiosqlite:////var/lib/petsage.sqlite3",
            "sqlite+aiosqlite:////var/lib/petsage.sqlite3",
        ),
    ],
)
def test_masked_url_hides_every_password(url: str, shown: str) -> None:
    masked = masked_url(make_url(url))

    assert "hunter2" not in masked
    assert masked.endswith(shown.removeprefix("..."))


def test_a_query_password_echoed_by_the_driver_is_blotted_out(
    make_settings: SettingsFactory,
) -> None:
    url = make_url("postgresql+asyncpg://app@db/petsage?sslpassword=hunter2")
    error = OSError("bad option sslpassword=hunter2&sslmode=require")

    reason = describe_failure(error, url, make_settings())

    assert reason == "bad option sslpassword=***&sslmode=require"
