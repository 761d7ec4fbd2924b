"""`petsage db ...` and `petsage serve` start-up, through the real command line.

Exit codes: 0 at head, 1 with migrations pending, 2 when a setting is wrong or the database
cannot be reached; always one line, never a traceback, never a password.

Each kind of outcome is seen from a real `petsage` process at least once (the exit code and
the line as a shell sees them); its variations run the same command functions in this process
(`invoke_petsage`), sparing an interpreter start and every import per case. In process, `serve`
stops where it would bind (`SERVE_PREFLIGHT`): past that it would serve.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import httpx2 as httpx
import pytest
import typer
from sqlalchemy.engine import URL

from petsage.cli.config import settings_or_exit
from petsage.cli.db_step import prepare_database_or_exit
from petsage.database.migrate import head_revision
from petsage.testing.databases import MAINTENANCE_DATABASE, PostgresServer
from tests.support.in_process import invoke_petsage
from tests.support.server import RunningServer, free_port, petsage_server, run_petsage

pytestmark = pytest.mark.slow

SERVE_PREFLIGHT = typer.Typer()


@SERVE_PREFLIGHT.command()
def serve_preflight() -> None:
    """`petsage serve` with the data settings before it binds: the same two calls."""
    prepare_database_or_exit(settings_or_exit())


def petsage(
    *command: str, real: bool, env: Mapping[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """`petsage <command>`: a real process when `real`, else in this process."""
    if real:
        return run_petsage(*command, env=env, cwd=cwd)
    if command == ("serve",):
        return invoke_petsage(env=env, cwd=cwd, app=SERVE_PREFLIGHT)
    return invoke_petsage(*command, env=env, cwd=cwd)


def kill(server: RunningServer) -> None:
    """End `server` at once: these tests do not watch its shutdown, where, without a database
    (no server, or no schema), its health history retries for its whole flush (2 s)."""
    server.signal(signal.SIGKILL)
    server.process.wait(timeout=10)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_db_commands_report_and_reach_the_head(database_url: str, tmp_path: Path) -> None:
    """In process: real processes see `db check` exit 1 and 0 and `db upgrade` exit 0 below."""
    env = {"PETSAGE_DATABASE_URL": database_url}
    head = head_revision()

    pending = invoke_petsage("db", "check", env=env, cwd=tmp_path)
    current_before = invoke_petsage("db", "current", env=env, cwd=tmp_path)
    upgraded = invoke_petsage("db", "upgrade", env=env, cwd=tmp_path)
    at_head = invoke_petsage("db", "check", env=env, cwd=tmp_path)
    current_after = invoke_petsage("db", "current", env=env, cwd=tmp_path)
    again = invoke_petsage("db", "upgrade", env=env, cwd=tmp_path)

    assert (pending.returncode, current_before.returncode) == (1, 1)
    assert one_line(pending.stdout) == (
        f"database has pending migrations: at empty, head is {head}; run `petsage db upgrade`"
    )
    assert one_line(current_before.stdout) == f"empty (pending: head is {head})"
    assert upgraded.returncode == 0
    assert one_line(upgraded.stdout) == f"database upgraded from empty to head {head}"
    assert (at_head.returncode, one_line(at_head.stdout)) == (0, f"database is at head {head}")
    assert (current_after.returncode, one_line(current_after.stdout)) == (0, f"{head} (head)")
    assert (again.returncode, one_line(again.stdout)) == (0, f"database already at head {head}")


def test_default_sqlite_lives_in_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"

    result = run_petsage("db", "upgrade", env={"PETSAGE_DATA_DIR": str(data_dir)}, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert one_line(result.stdout) == f"database upgraded from empty to head {head_revision()}"
    assert (data_dir / "petsage.sqlite3").is_file()


def a_regular_file(tmp_path: Path) -> Path:
    path = tmp_path / "not-a-directory"
    path.write_text("", encoding="utf-8")
    return path


# A real process for each command; the other cases of the matrix in process.
REAL_BAD_SETTINGS = {(("serve",), "unknown-scheme"), (("db", "check"), "data-dir-under-a-file")}


@pytest.mark.parametrize("command", [("serve",), ("db", "check")])
@pytest.mark.parametrize(
    ("case", "variable", "expected"),
    [
        ("unknown-scheme", "PETSAGE_DATABASE_URL", "unsupported scheme 'mysql'"),
        ("data-dir-under-a-file", "PETSAGE_DATA_DIR", "cannot write to"),
        ("data-dir-in-proc", "PETSAGE_DATA_DIR", "cannot write to '/proc/petsage'"),
    ],
)
def test_bad_data_settings_stop_with_one_line_and_exit_2(
    tmp_path: Path, command: tuple[str, ...], case: str, variable: str, expected: str
) -> None:
    values = {
        "unknown-scheme": "mysql://root:hunter2@127.0.0.1/petsage",
        "data-dir-under-a-file": str(a_regular_file(tmp_path) / "var"),
        "data-dir-in-proc": "/proc/petsage",
    }
    real = (command, case) in REAL_BAD_SETTINGS

    result = petsage(*command, real=real, env={variable: values[case]}, cwd=tmp_path)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith(f"petsage: invalid setting {variable}: "), line
    assert expected in line
    assert "hunter2" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [("serve",), ("db", "check")])
@pytest.mark.parametrize(
    ("query", "shown", "reason"),
    [
        ("PASSWORD=hunter2", "?PASSWORD=***", "unexpected keyword argument 'PASSWORD'"),
        ("sslpassword=hunter2&application_name=x", "?sslpassword=***&application_name=x", ""),
    ],
    ids=["upper-case", "sslpassword"],
)
def test_a_password_in_a_refused_query_string_is_masked(
    tmp_path: Path, command: tuple[str, ...], query: str, shown: str, reason: str
) -> None:
    # Parameters the driver refuses are a bad setting: one line, exit 2, password masked.
    url = f"postgresql+asyncpg://app@127.0.0.1:{free_port()}/petsage?{query}"
    # In process: real processes refuse settings above and below, before and while connecting.
    result = petsage(*command, real=False, env={"PETSAGE_DATABASE_URL": url}, cwd=tmp_path)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("petsage: invalid setting PETSAGE_DATABASE_URL: cannot connect to ")
    assert f"/petsage{shown}: " in line
    assert reason in line
    assert "hunter2" not in result.stderr + result.stdout


@pytest.fixture
def postgres_address(postgres_server: PostgresServer) -> URL:
    """The test server: the refusals need no database of their own, so none is created."""
    return postgres_server.base_url.set(
        drivername="postgresql+asyncpg", database=MAINTENANCE_DATABASE
    )


@pytest.mark.postgres
def test_a_query_string_password_is_masked_when_the_server_refuses(
    postgres_address: URL, tmp_path: Path
) -> None:
    url = postgres_address.set(database="nosuchdb", query={"password": "hunter2"})
    env = {"PETSAGE_DATABASE_URL": url.render_as_string(hide_password=False)}

    result = petsage("serve", real=False, env=env, cwd=tmp_path)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.endswith('/nosuchdb?password=***: database "nosuchdb" does not exist'), line
    assert "hunter2" not in result.stderr + result.stdout


@pytest.mark.postgres
@pytest.mark.parametrize("command", [("serve",), ("db", "check")])
@pytest.mark.parametrize(
    ("mistake", "expected"),
    [
        ("unknown-role", 'role "nosuchuser" does not exist'),
        ("no-such-database", 'database "nosuchdb" does not exist'),
    ],
)
def test_refused_credentials_or_database_stop_with_one_line_and_exit_2(
    postgres_address: URL, tmp_path: Path, command: tuple[str, ...], mistake: str, expected: str
) -> None:
    url = postgres_address.set(username="nosuchuser", password="hunter2")
    if mistake == "no-such-database":
        url = postgres_address.set(password="hunter2", database="nosuchdb")
    env = {"PETSAGE_DATABASE_URL": url.render_as_string(hide_password=False)}
    real = (command, mistake) == (("serve",), "unknown-role")

    result = petsage(*command, real=real, env=env, cwd=tmp_path)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("petsage: invalid setting PETSAGE_DATABASE_URL: cannot connect to ")
    assert expected in line
    assert ":***@" in line
    assert "hunter2" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("command", "url", "shown", "real"),
    [
        (("db", "upgrade"), "postgres:hunter2@{address}/x", "postgres:***@{address}/x", True),
        (
            ("db", "check"),
            "app@{address}/x?password=hunter2",
            "app@{address}/x?password=***",
            False,
        ),
    ],
    ids=["userinfo", "query-string"],
)
def test_db_commands_do_not_wait_for_an_unavailable_database(
    tmp_path: Path, command: tuple[str, ...], url: str, shown: str, real: bool
) -> None:
    """One-shot jobs: exit 2 at once, the line saying it may pass (the Job retries)."""
    address = f"127.0.0.1:{free_port()}"
    env = {"PETSAGE_DATABASE_URL": "postgresql+asyncpg://" + url.format(address=address)}

    result = petsage(*command, real=real, env=env, cwd=tmp_path)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith(
        "petsage: database unavailable: cannot connect to PETSAGE_DATABASE_URL="
        f"postgresql+asyncpg://{shown.format(address=address)}: "
    ), line
    assert "hunter2" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_serve_starts_not_ready_when_nothing_listens(tmp_path: Path) -> None:
    """Its log masks a password given in the query string."""
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/petsage?password=hunter2"
    env = {"PETSAGE_DATABASE_URL": url, "PETSAGE_HEALTH_INTERVAL_SECONDS": "0.5"}

    with petsage_server(tmp_path, env=env) as server:
        ready = wait_for_a_round(server.base_url + "/system/health/ready")
        log = server.log()
        kill(server)

    assert ready.status_code == 503
    assert ready.json()["checks"][0] == {
        "name": "database",
        "status": "error",
        "critical": True,
        "reason": "reason withheld",
    }
    warnings = [line for line in log.splitlines() if "database unavailable" in line]
    assert len(warnings) == 1, log
    assert '"level": "warning"' in warnings[0]
    assert "/petsage?password=***: " in warnings[0]
    assert "hunter2" not in log


def wait_for_a_round(url: str, timeout: float = 15) -> httpx.Response:
    """Readiness once the first round of checks has finished (it answers `starting` before)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = httpx.get(url, timeout=2)
        if answer.json()["status"] != "starting" or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_serve_migrates_the_embedded_sqlite_on_start(tmp_path: Path) -> None:
    with petsage_server(tmp_path, fresh_database=True):
        env = {"PETSAGE_DATA_DIR": str(tmp_path / "var")}
        check = invoke_petsage("db", "check", env=env, cwd=tmp_path)

    assert check.returncode == 0, check.stdout


@pytest.mark.postgres
@pytest.mark.parametrize(("migrate_on_start", "check_exit"), [(None, 1), ("true", 0)])
def test_serve_migrates_postgresql_only_when_asked(
    postgres_url: str, tmp_path: Path, migrate_on_start: str | None, check_exit: int
) -> None:
    env = {"PETSAGE_DATABASE_URL": postgres_url}
    if migrate_on_start:
        env["PETSAGE_DB_MIGRATE_ON_START"] = migrate_on_start

    with petsage_server(tmp_path, env=env) as server:
        check = run_petsage("db", "check", env={"PETSAGE_DATABASE_URL": postgres_url})
        kill(server)

    assert check.returncode == check_exit, check.stdout
    expected = "database has pending migrations" if check_exit else "database is at head"
    assert one_line(check.stdout).startswith(expected)
