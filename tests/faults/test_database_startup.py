"""A database down when `petsage serve` starts: it starts not ready instead of crash-looping.

Under a real `petsage serve`, with the throwaway cluster stopped or behind a black hole: the
server starts, liveness answers 200, readiness 503 with the `database` check failing, and
readiness turns 200 within a round of the database answering. Migrating on start waits for the
database (`PETSAGE_DB_STARTUP_WAIT_SECONDS`), then gives up with one line. A database that
refuses the credentials is a setting to fix: exit 2 at once, one line.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.support.fault_proxy import FaultProxy
from tests.support.faults import ThrowawayPostgres
from tests.support.server import RunningServer, free_port, petsage_server, run_petsage

pytestmark = pytest.mark.slow

READY = "/system/health/ready"
LIVE = "/system/health"
INTERVAL = 0.5
CHECK_TIMEOUT = 0.8
# A round may have just begun, its connection attempt still failing, when the database comes
# back: the next round is an interval later, and it may take up to the check timeout. The
# allowance is for a busy 2-core CI machine, as in test_database_faults.
ALLOWANCE = 1.0
RECOVERY_BOUND = INTERVAL + CHECK_TIMEOUT + ALLOWANCE
TOKEN = "fault-tests-token-0123456789"
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}
RETRY_LOGGED = "database unavailable (attempt "


def migrated_url(postgres: ThrowawayPostgres, name: str, port: int | None = None) -> str:
    """A fresh database at the head (as the migration Job leaves it), reached via `port`."""
    postgres.create_database(name)
    upgraded = run_petsage("db", "upgrade", env={"PETSAGE_DATABASE_URL": postgres.url(name)})
    assert upgraded.returncode == 0, upgraded.stderr
    return postgres.url(name, port)


@contextmanager
def serving(tmp_path: Path, url: str, **extra: str) -> Iterator[RunningServer]:
    """`petsage serve` once liveness answers; the database may still be down."""
    env = {
        "PETSAGE_DATABASE_URL": url,
        "PETSAGE_HEALTH_INTERVAL_SECONDS": str(INTERVAL),
        "PETSAGE_HEALTH_CHECK_TIMEOUT_SECONDS": str(CHECK_TIMEOUT),
        "PETSAGE_HEALTH_TOKEN": TOKEN,
        **extra,
    }
    with petsage_server(tmp_path, env=env, ready_path=LIVE) as server:
        yield server


def after_first_round(server: RunningServer, headers: dict[str, str]) -> httpx.Response:
    """Readiness once a round of checks has finished (before that it answers `starting`)."""
    deadline = time.monotonic() + 15
    while True:
        answer = httpx.get(server.base_url + READY, headers=headers, timeout=2)
        if answer.json()["status"] != "starting" or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def assert_alive_not_ready(server: RunningServer) -> str:
    """Liveness 200, readiness 503 on `database` (reason withheld from anonymous callers);
    return the reason the operator with the token sees."""
    anonymous = after_first_round(server, {})
    authorized = httpx.get(server.base_url + READY, headers=AUTHORIZED, timeout=2)

    assert httpx.get(server.base_url + LIVE, timeout=2).status_code == 200
    assert (anonymous.status_code, authorized.status_code) == (503, 503)
    database = anonymous.json()["checks"][0]
    assert (database["name"], database["status"]) == ("database", "error")
    assert database["reason"] == "reason withheld"
    reason: str = authorized.json()["checks"][0]["reason"]
    assert reason not in ("", "reason withheld")
    return reason


def seconds_until_ready(server: RunningServer, timeout: float = 30) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if httpx.get(server.base_url + READY, timeout=2).status_code == 200:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"never ready:\n{server.log()}")


def warned_once(server: RunningServer) -> bool:
    lines = [line for line in server.log().splitlines() if "database unavailable" in line]
    return len(lines) == 1 and '"level": "warning"' in lines[0]


def test_postgres_stopped_at_start(postgres: ThrowawayPostgres, tmp_path: Path) -> None:
    url = migrated_url(postgres, "petsage_stopped_at_start")
    postgres.stop()

    with serving(tmp_path, url) as server:
        reason = assert_alive_not_ready(server)
        postgres.start()
        recovery = seconds_until_ready(server)
        assert warned_once(server), server.log()

    assert "refused" in reason.lower(), reason
    assert recovery <= RECOVERY_BOUND, f"ready {recovery:.2f} s after the database started"


def test_black_hole_at_start(
    fault_proxy: FaultProxy, postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    url = migrated_url(postgres, "petsage_black_hole_at_start", fault_proxy.port)
    fault_proxy.black_hole()

    with serving(tmp_path, url) as server:
        reason = assert_alive_not_ready(server)
        fault_proxy.forward()
        recovery = seconds_until_ready(server)
        assert warned_once(server), server.log()

    assert re.search(r"time[sd]? ?out", reason, re.IGNORECASE), reason
    assert recovery <= RECOVERY_BOUND, f"ready {recovery:.2f} s after the black hole ended"


@contextmanager
def started_once_retrying(postgres: ThrowawayPostgres, tmp_path: Path) -> Iterator[None]:
    """Start the cluster about 2 s after a server under `tmp_path` logs its first retry."""

    def start_when_retrying() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            logs = (p.read_text(encoding="utf-8") for p in tmp_path.glob("server-*.log"))
            if any(RETRY_LOGGED in log for log in logs):
                time.sleep(2)
                postgres.start()
                return
            time.sleep(0.05)

    starter = threading.Thread(target=start_when_retrying, daemon=True)
    starter.start()
    try:
        yield
    finally:
        starter.join(timeout=90)


def test_migrate_on_start_waits_for_the_database(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    url = postgres.url(postgres.create_database("petsage_migrate_when_back"))
    postgres.stop()
    migrate = {"PETSAGE_DB_MIGRATE_ON_START": "true"}

    with started_once_retrying(postgres, tmp_path), serving(tmp_path, url, **migrate) as server:
        seconds_until_ready(server)
        log = server.log()
        check = run_petsage("db", "check", env={"PETSAGE_DATABASE_URL": url})

    assert check.returncode == 0, check.stdout + check.stderr
    retries = [line for line in log.splitlines() if RETRY_LOGGED in line]
    assert retries, log
    assert all('"level": "warning"' in line for line in retries)


def test_migrate_on_start_gives_up_after_the_wait(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    url = postgres.url(postgres.create_database("petsage_migrate_gives_up"))
    postgres.stop()
    env = {
        "PETSAGE_DATABASE_URL": url,
        "PETSAGE_DB_MIGRATE_ON_START": "true",
        "PETSAGE_DB_STARTUP_WAIT_SECONDS": "1",
        "PETSAGE_DATA_DIR": str(tmp_path / "var"),
    }

    result = run_petsage("serve", "--port", str(free_port()), env=env, cwd=tmp_path)

    assert result.returncode == 2
    *logged, last = result.stderr.strip().splitlines()
    assert all(RETRY_LOGGED in line for line in logged), result.stderr
    assert last.startswith(
        f"petsage: database unavailable: cannot connect to PETSAGE_DATABASE_URL={url}: "
    ), last
    assert last.endswith("(gave up after 1 s: PETSAGE_DB_STARTUP_WAIT_SECONDS)"), last
    assert "Traceback" not in result.stderr


@pytest.fixture
def password_role(postgres: ThrowawayPostgres) -> Iterator[str]:
    """A role that must give its password (the cluster trusts everyone else)."""
    postgres.sql("DROP ROLE IF EXISTS petsage_pw")
    postgres.sql("CREATE ROLE petsage_pw LOGIN PASSWORD 'right-password'")
    hba = postgres.data_dir / "pg_hba.conf"
    trusting = hba.read_text(encoding="utf-8")
    # First match wins: this line, ahead of the trust lines, applies to that role alone.
    hba.write_text("host all petsage_pw 127.0.0.1/32 scram-sha-256\n" + trusting, "utf-8")
    postgres.sql("SELECT pg_reload_conf()")
    try:
        yield "petsage_pw"
    finally:
        hba.write_text(trusting, "utf-8")
        postgres.sql("SELECT pg_reload_conf()")


def test_a_wrong_password_stops_serve_at_once(
    postgres: ThrowawayPostgres, password_role: str, tmp_path: Path
) -> None:
    url = f"postgresql+asyncpg://{password_role}:hunter2@127.0.0.1:{postgres.port}/postgres"

    line = one_line_on_stopping(url, tmp_path)

    assert f'password authentication failed for user "{password_role}"' in line, line


def test_a_missing_database_stops_serve_at_once(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    line = one_line_on_stopping(postgres.url("petsage_nosuchdb"), tmp_path)

    assert 'database "petsage_nosuchdb" does not exist' in line, line


def one_line_on_stopping(url: str, tmp_path: Path) -> str:
    """Run `petsage serve` on `url`, expecting exit 2 with one line; return that line."""
    env = {"PETSAGE_DATABASE_URL": url, "PETSAGE_DATA_DIR": str(tmp_path / "var")}

    result = run_petsage("serve", "--port", str(free_port()), env=env, cwd=tmp_path)

    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("petsage: invalid setting PETSAGE_DATABASE_URL: cannot connect to ")
    assert "hunter2" not in result.stderr
    return line
