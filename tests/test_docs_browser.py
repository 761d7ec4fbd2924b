"""Swagger UI and ReDoc render in a real browser without internet access.

Debian's chromium runs headless against a real `petsage serve`. Every host but 127.0.0.1 is made
unresolvable, so a page that still needed a CDN would render blank here even on a machine with
egress. Without chromium the tests skip, unless PETSAGE_TEST_REQUIRE_BROWSER=1 (CI) makes the
absence a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.support.server import RunningServer, petsage_server

# One xdist worker runs the module: its module-scoped server starts once.
pytestmark = pytest.mark.slow

REQUIRE_BROWSER = "PETSAGE_TEST_REQUIRE_BROWSER"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    # Virtual time stands still while a fetch is pending, so a slow machine cannot cut the
    # rendering short; 10 virtual seconds is ample for both pages' scripts.
    "--virtual-time-budget=10000",
)
HEALTH_SUMMARY = "Perform a System Health Check"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WINDOW = (1280, 900)
# A blank page at this window size compresses to about 5 KB; a rendered one to 50 KB and more.
RENDERED_PNG_MIN_BYTES = 20_000


@pytest.fixture(scope="module")
def browser() -> str:
    path = shutil.which("chromium")
    if path is not None:
        return path
    reason = "chromium is not installed (Debian: apt-get install chromium)"
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_BROWSER}=1 requires it")
    pytest.skip(f"{reason}; set {REQUIRE_BROWSER}=1 to fail instead of skipping")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with petsage_server(tmp_path_factory.mktemp("docs-browser")) as running:
        yield running


def run_chromium(browser: str, profile: Path, *args: str) -> str:
    result = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def rendered_dom(browser: str, tmp_path: Path, url: str) -> str:
    return run_chromium(browser, tmp_path / "profile", "--dump-dom", url)


def test_swagger_ui_shows_the_health_operation(
    browser: str, server: RunningServer, tmp_path: Path
) -> None:
    url = server.base_url + "/docs"

    dom = rendered_dom(browser, tmp_path, url)

    assert 'data-tag="System Health"' in dom
    assert "/system/health" in dom
    assert HEALTH_SUMMARY in dom
    # The summary comes from /openapi.json: only Swagger UI's script, run offline, can put it there.
    assert HEALTH_SUMMARY not in httpx.get(url, timeout=5).text


def test_redoc_shows_the_api(browser: str, server: RunningServer, tmp_path: Path) -> None:
    dom = rendered_dom(browser, tmp_path, server.base_url + "/redoc")

    assert re.search(r"<h1[^>]*>PetSage API", dom), dom[:2000]
    assert HEALTH_SUMMARY in dom


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_screenshot_shows_a_rendered_page(
    browser: str, server: RunningServer, tmp_path: Path, path: str
) -> None:
    screenshot = tmp_path / f"{path.strip('/')}.png"

    run_chromium(
        browser,
        tmp_path / "profile",
        f"--screenshot={screenshot}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        server.base_url + path,
    )

    png = screenshot.read_bytes()
    assert png.startswith(PNG_SIGNATURE)
    assert struct.unpack(">II", png[16:24]) == WINDOW  # IHDR: width, height
    assert len(png) > RENDERED_PNG_MIN_BYTES
