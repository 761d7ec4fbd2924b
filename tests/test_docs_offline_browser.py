"""`/docs` and `/redoc` in Debian's headless chromium: every request the page makes stays on
this host (issue 20, finding 7: ReDoc fetched its logo from cdn.redoc.ly).

Driven by tests/browser/docs_offline.mjs (playwright-core, as the status page's browser tests);
skipped without chromium, node or the modules, unless PETSAGE_TEST_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.server import RunningServer, petsage_server

pytestmark = pytest.mark.slow

DRIVER_DIR = Path(__file__).parent / "browser"
REQUIRE_BROWSER = "PETSAGE_TEST_REQUIRE_BROWSER"
# Refused by the page's Content-Security-Policy inside the browser: it never left.
BLOCKED_BY_CSP = "csp"  # Playwright's name for net::ERR_BLOCKED_BY_CSP


@pytest.fixture(scope="module")
def driver() -> list[str]:
    chromium, node = shutil.which("chromium"), shutil.which("node")
    if chromium is None or node is None or not (DRIVER_DIR / "node_modules").is_dir():
        if os.environ.get(REQUIRE_BROWSER) == "1":
            pytest.fail(f"chromium, node or tests/browser/node_modules missing ({REQUIRE_BROWSER})")
        pytest.skip(f"chromium, node or tests/browser/node_modules missing; {REQUIRE_BROWSER}=1")
    os.environ.setdefault("CHROMIUM", str(chromium))
    return [str(node), str(DRIVER_DIR / "docs_offline.mjs")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with petsage_server(tmp_path_factory.mktemp("docs-offline")) as running:
        yield running


@pytest.mark.parametrize(
    ("path", "ready"),
    [("/docs", ".swagger-ui .opblock"), ("/redoc", "[role=navigation] li, .menu-content li")],
)
def test_the_docs_make_no_request_off_this_host(
    driver: list[str], server: RunningServer, path: str, ready: str
) -> None:
    options = json.dumps({"url": server.base_url + path, "ready": ready})
    result = subprocess.run(
        [*driver, options], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.splitlines()[-1])

    assert seen["rendered"]  # the UI drew the document: the check below saw a real page
    sent = [r for r in seen["requests"] if r["outcome"] != BLOCKED_BY_CSP]
    off_host = [r for r in sent if urlsplit(r["url"]).scheme in ("http", "https", "ws", "wss")]
    off_host = [r for r in off_host if urlsplit(r["url"]).hostname != "127.0.0.1"]
    assert off_host == []
    answered = {urlsplit(r["url"]).path for r in sent if r["outcome"] == "answered"}
    assert {path, "/openapi.json"} <= answered
