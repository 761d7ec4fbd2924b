"""`petsage check`: exit codes and its one line, against real servers over real sockets.

0 healthy, 1 unhealthy, 2 unreachable or timed out. It must run on the standard library alone,
since Docker runs it as the HEALTHCHECK of a slim image.
"""

from __future__ import annotations

import ast
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import petsage
from petsage.cli.app import app
from petsage.features.health_checks.router import CHECKS_PATH, READY_PATH
from petsage.features.smoke_test.router import LIVENESS_PATH
from petsage.probe_client import EXIT_UNKNOWN, TARGETS, probe
from tests.support.server import (
    RunningServer,
    child_env,
    free_port,
    petsage_server,
    run_petsage,
)
from tests.support.stub_http import (
    answering,
    hanging_up,
    redirecting,
    silent_listener,
    trickling,
)

# One xdist worker runs the module: its module-scoped server starts once.
pytestmark = pytest.mark.slow

SOURCE_ROOT = Path(petsage.__file__).resolve().parent.parent
TOKEN = "a-health-token-of-32-characters!"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with petsage_server(tmp_path_factory.mktemp("check")) as running:
        yield running


def check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_petsage("check", *args, env=env, timeout=30)


def test_live_instance_is_healthy(server: RunningServer) -> None:
    result = check("live", "--url", server.base_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"live: ok (200) {server.base_url}/system/health\n"


def test_default_target_and_url_come_from_petsage_port(server: RunningServer) -> None:
    port = server.base_url.rsplit(":", 1)[1]

    result = check(env={"PETSAGE_PORT": port})

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"live: ok (200) http://127.0.0.1:{port}/system/health\n"


def test_a_broken_unrelated_setting_does_not_fail_the_check(server: RunningServer) -> None:
    broken = {"PETSAGE_LOG_LEVEL": "loud", "PETSAGE_DATABASE_URL": "nosuch://x"}

    result = check("live", "--url", server.base_url, env=broken)

    assert result.returncode == 0, result.stderr


def test_ready_and_checks_follow_a_real_instance_into_its_drain(tmp_path: Path) -> None:
    env = {"PETSAGE_SHUTDOWN_DRAIN_SECONDS": "15", "PETSAGE_HEALTH_TOKEN": TOKEN}
    with petsage_server(tmp_path, env=env, ready_path="/system/health/ready") as running:
        ready = check("ready", "--url", running.base_url)
        checks = check("checks", "--url", running.base_url, env={"PETSAGE_HEALTH_TOKEN": TOKEN})
        running.signal(signal.SIGTERM)
        draining = wait_for_exit_code(1, "ready", "--url", running.base_url)
        live = check("live", "--url", running.base_url)

    assert (ready.returncode, ready.stdout) == (
        0,
        f"ready: ok (200) {running.base_url}/system/health/ready\n",
    )
    assert checks.returncode == 0
    assert checks.stdout.startswith("checks: ok (200) ")
    assert draining.stdout == f"ready: draining (503) {running.base_url}/system/health/ready\n"
    assert live.returncode == 0, "liveness stays 200 while the instance drains"


def wait_for_exit_code(code: int, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `petsage check *args` until it exits with `code` (a signal takes effect shortly)."""
    deadline = time.monotonic() + 10
    while True:
        result = check(*args)
        if result.returncode == code or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("status", "body", "word"),
    [
        (503, b'{"status": "draining", "message": "shutting down"}', "draining"),
        (503, b'{"status": "error", "checks": [{"name": "db", "status": "error"}]}', "error"),
        (500, b'{"error": {"status": 500}}', "unhealthy"),
        (404, b'{"error": {"status": 404}}', "unhealthy"),
        (502, b"<html>Bad Gateway</html>", "unhealthy"),
    ],
)
def test_any_status_but_200_is_unhealthy(status: int, body: bytes, word: str) -> None:
    with answering(status, body) as url:
        result = check("ready", "--url", url)

    assert result.returncode == 1
    assert result.stdout.startswith(f"ready: {word} ({status}) ")
    assert result.stdout.endswith(f" {url}/system/health/ready\n")
    assert len(result.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        (
            {
                "status": "degraded",
                "checks": [
                    {"name": "disk", "status": "degraded"},
                    {"name": "database", "status": "ok"},
                ],
            },
            "degraded (200) [disk: degraded]",
        ),
        (
            {"status": "degraded", "checks": {"disk": {"status": "degraded"}, "db": "ok"}},
            "degraded (200) [disk: degraded]",
        ),
        (  # application/health+json: a list of measurements per component
            {"status": "warn", "checks": {"disk:free": [{"status": "warn"}], "db": []}},
            "warn (200) [disk:free: warn]",
        ),
    ],
)
def test_degraded_is_healthy_and_names_the_failing_check(
    body: dict[str, object], summary: str
) -> None:
    with answering(200, json.dumps(body).encode()) as url:
        result = check("checks", "--url", url)

    assert result.returncode == 0
    assert result.stdout == f"checks: {summary} {url}/system/health/checks\n"


def test_closed_port_is_unreachable() -> None:
    url = f"http://127.0.0.1:{free_port()}"

    result = check("live", "--url", url)

    assert result.returncode == 2
    assert result.stdout == f"live: unreachable (connection refused) {url}/system/health\n"


def test_a_server_that_hangs_up_is_unreachable() -> None:
    with hanging_up() as url:
        result = check("live", "--url", url)

    assert result.returncode == 2
    assert result.stdout.startswith("live: unreachable (")
    assert result.stdout.endswith(f") {url}/system/health\n")


def test_a_listener_that_never_answers_times_out() -> None:
    with silent_listener() as url:
        result = check("live", "--url", url, "--timeout", "0.5")

    assert result.returncode == 2
    assert result.stdout == f"live: timed out after 0.5s {url}/system/health\n"


def test_the_timeout_bounds_the_whole_exchange_not_each_read() -> None:
    with trickling() as url:
        started = time.monotonic()
        result = probe("live", url, timeout=0.5)
        elapsed = time.monotonic() - started

    assert result.exit_code == EXIT_UNKNOWN
    assert result.summary == "timed out after 0.5s"
    # Per-read timeouts alone would wait forever here: the server sends a byte every 0.1 s.
    assert elapsed < 5


def test_token_is_sent_as_bearer_from_the_environment_or_the_option() -> None:
    requests: list[dict[str, str]] = []
    with answering(200, b'{"status":"ok"}', requests) as url:
        check("checks", "--url", url)
        check("checks", "--url", url, env={"PETSAGE_HEALTH_TOKEN": TOKEN})
        check("checks", "--url", url, "--token", "from-the-option-16", env={"X": "1"})

    assert [r.get("authorization") for r in requests] == [
        None,
        f"Bearer {TOKEN}",
        "Bearer from-the-option-16",
    ]
    assert {r["user-agent"] for r in requests} == {"petsage-check"}


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_reported_and_never_followed_with_the_token(status: int) -> None:
    elsewhere_requests: list[dict[str, str]] = []
    with (
        answering(200, b'{"status":"ok"}', elsewhere_requests) as elsewhere,
        redirecting(f"{elsewhere}/system/health/ready", status) as url,
    ):
        result = check("ready", "--url", url, env={"PETSAGE_HEALTH_TOKEN": TOKEN})

    assert elsewhere_requests == []  # no request, so no Authorization either
    assert result.returncode == 1, result.stdout
    assert result.stdout == (
        f"ready: redirected ({status}) to '{elsewhere}/system/health/ready', not followed "
        f"{url}/system/health/ready\n"
    )


@pytest.mark.parametrize("port", ["tcp://10.0.0.1:8000", "0", "70000"])
def test_an_invalid_petsage_port_is_named_in_one_line(port: str) -> None:
    result = check("live", env={"PETSAGE_PORT": port})

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("petsage: invalid setting PETSAGE_PORT: ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "args", [("nowhere",), ("--timeout", "0"), ("--timeout", "soon"), ("--url", "ftp://x")]
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = check(*args)

    assert result.returncode == 2
    assert "usage: petsage check" in result.stderr


def test_typer_command_hands_everything_to_the_probe_client() -> None:
    url = f"http://127.0.0.1:{free_port()}"

    result = CliRunner().invoke(app, ["check", "ready", "--url", url, "--timeout", "1"])

    assert result.exit_code == 2
    assert result.output == f"ready: unreachable (connection refused) {url}/system/health/ready\n"


# Runs `python -m petsage check` in a fresh interpreter and lists the top-level packages it
# imported beyond those the interpreter had already loaded at start-up (site, .pth hooks).
IMPORTS_PROBE = """
import runpy, sys
before = set(sys.modules)
sys.argv = ["petsage", "check", "--url", sys.argv[1]]
try:
    runpy.run_module("petsage", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
print(code, sorted({name.split(".")[0] for name in set(sys.modules) - before}))
"""


def test_check_imports_nothing_but_the_standard_library() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-c", IMPORTS_PROBE, url]

    result = subprocess.run(
        command, env=child_env(), capture_output=True, text=True, timeout=30, check=False
    )

    code, modules = result.stdout.splitlines()[-1].split(" ", 1)
    imported = set(ast.literal_eval(modules))
    assert code == "2", result.stdout
    assert "petsage" in imported
    assert imported - set(sys.stdlib_module_names) - {"petsage"} == set()


def test_check_runs_without_any_installed_package(server: RunningServer) -> None:
    # -S: no site-packages at all, as in a slim image where only the source is present.
    command = [sys.executable, "-S", "-m", "petsage", "check", "--url", server.base_url]

    result = subprocess.run(
        command,
        env=child_env(),
        cwd=SOURCE_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"live: ok (200) {server.base_url}/system/health\n"


def test_the_probe_paths_are_the_ones_the_features_serve() -> None:
    assert TARGETS == {"live": LIVENESS_PATH, "ready": READY_PATH, "checks": CHECKS_PATH}
