"""The status page in Debian's headless chromium: accessibility (axe-core), live updates without
a reload, the page without JavaScript, and the screenshots the README shows.

The browser is driven by tests/browser/status_page.mjs (playwright-core over the system's
chromium; `npm ci` in tests/browser installs it and axe-core). Without chromium, node or those
modules the tests skip, unless PETSAGE_TEST_REQUIRE_BROWSER=1 (CI) makes that a failure.
Set PETSAGE_TEST_SCREENSHOT_DIR to keep the screenshots (docs/status-page holds the README's).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import RunningServer, petsage_server
from tests.support.stub_http import StoppableDependency, stoppable_dependency

pytestmark = pytest.mark.slow

REQUIRE_BROWSER = "PETSAGE_TEST_REQUIRE_BROWSER"
SCREENSHOT_DIR = "PETSAGE_TEST_SCREENSHOT_DIR"
DRIVER_DIR = Path(__file__).parent / "browser"
DRIVER = DRIVER_DIR / "status_page.mjs"
PAGE = "/system/status"
CHECK = "http:stub"
INTERVAL_SECONDS = 2.0
# A bound for the recovery to show: the issue bounds only the failure.
RECOVERY_BOUND_SECONDS = 60.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCHEMES = ["light", "dark"]
WIDTHS = [1280, 375]


def _missing(what: str) -> None:
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{what}, and {REQUIRE_BROWSER}=1 requires it")
    pytest.skip(f"{what}; set {REQUIRE_BROWSER}=1 to fail instead of skipping")


@pytest.fixture(scope="module")
def driver() -> list[str]:
    chromium, node = shutil.which("chromium"), shutil.which("node")
    if chromium is None:
        _missing("chromium is not installed (Debian: apt-get install chromium)")
    if node is None:
        _missing("node is not installed")
    if not (DRIVER_DIR / "node_modules" / "axe-core").is_dir():
        _missing(f"axe-core is not installed (cd {DRIVER_DIR} && npm ci)")
    os.environ.setdefault("CHROMIUM", str(chromium))
    return [str(node), str(DRIVER)]


@pytest.fixture(scope="module")
def dependency() -> Iterator[StoppableDependency]:
    with stoppable_dependency() as running:
        yield running


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, dependency: StoppableDependency
) -> Iterator[RunningServer]:
    checks = [{"name": "stub", "url": dependency.url, "timeout_seconds": 0.5}]
    env = {
        "PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(checks),
        "PETSAGE_HEALTH_INTERVAL_SECONDS": str(INTERVAL_SECONDS),
    }
    with petsage_server(tmp_path_factory.mktemp("status-browser"), env=env) as running:
        yield running


def run_driver(driver: list[str], mode: str, **options: Any) -> dict[str, Any]:
    result = subprocess.run(
        [*driver, mode, json.dumps(options)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return answer


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_serious_or_critical_violation(
    driver: list[str], server: RunningServer, scheme: str, width: int
) -> None:
    result = run_driver(driver, "axe", url=server.base_url + PAGE, scheme=scheme, width=width)

    serious = [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
    assert serious == []
    assert result["passes"] > 20  # axe ran its rules: contrast, names, landmarks...


def test_page_renders_its_table_without_javascript(
    driver: list[str], server: RunningServer
) -> None:
    result = run_driver(driver, "nojs", url=server.base_url + PAGE)

    header, *rows = result["rows"]
    assert header == ["Component", "Status", "24 h", "7 d", "30 d", "90 d"]
    assert [row[0] for row in rows][:1] == ["Overall"]
    assert CHECK in [row[0] for row in rows]
    assert 'http-equiv="refresh" content="30"' in result["noscript"]


class LivePage:
    """The driver's `live` mode: one JSON line each time the check's status changes."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def next_change(self, within: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], within)
        assert ready, f"no change shown within {within} s"
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read() if self.process.stderr else "driver ended"
        change: dict[str, Any] = json.loads(line)
        return change

    def until(self, status: str, within: float) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while (change := self.next_change(deadline - time.monotonic()))["status"] != status:
            pass
        return change


@pytest.fixture
def live_page(driver: list[str], server: RunningServer) -> Iterator[LivePage]:
    options = json.dumps({"url": server.base_url + PAGE, "check": CHECK})
    with subprocess.Popen(
        [*driver, "live", options],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            yield LivePage(process)
        finally:
            # Closing its input ends the driver.
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=60)


def test_page_shows_the_failure_within_an_interval_then_the_recovery_without_reload(
    live_page: LivePage, dependency: StoppableDependency
) -> None:
    live_page.until("Operational", within=RECOVERY_BOUND_SECONDS)

    dependency.stop()
    stopped = time.time()
    failed = live_page.until("Outage", within=RECOVERY_BOUND_SECONDS)
    dependency.start()
    recovered = live_page.until("Operational", within=RECOVERY_BOUND_SECONDS)

    # The bar: within one check interval plus one second of the stop.
    assert failed["at"] - stopped <= INTERVAL_SECONDS + 1.0
    assert failed["notReloaded"]
    assert recovered["notReloaded"]
    assert recovered["live"] == "Live"
    assert recovered["problems"] == []  # no CSP refusal, no script error


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_screenshot(
    driver: list[str], server: RunningServer, tmp_path: Path, scheme: str, width: int
) -> None:
    name = f"status-{'wide' if width > 600 else 'narrow'}-{scheme}.png"
    path = tmp_path / name

    run_driver(
        driver, "shot", url=server.base_url + PAGE, scheme=scheme, width=width, path=str(path)
    )

    png = path.read_bytes()
    assert png.startswith(PNG_SIGNATURE)
    assert struct.unpack(">I", png[16:20])[0] == width  # IHDR width: the layout did not overflow
    if keep := os.environ.get(SCREENSHOT_DIR):
        shutil.copyfile(path, Path(keep) / name)
