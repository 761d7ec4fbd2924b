"""`/docs` and `/redoc` in Debian's headless chromium: every request the page makes stays on
this host (issue 20, finding 7: ReDoc fetched its logo from cdn.redoc.ly), and Swagger UI
follows the reader's colour scheme, wide and narrow. Set PETSAGE_TEST_DOCS_SCREENSHOT_DIR to
keep its screenshots (docs/api-docs holds the README's).

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
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.server import RunningServer, petsage_server

pytestmark = pytest.mark.slow

DRIVER_DIR = Path(__file__).parent / "browser"
REQUIRE_BROWSER = "PETSAGE_TEST_REQUIRE_BROWSER"
# Refused by the page's Content-Security-Policy inside the browser: it never left.
BLOCKED_BY_CSP = "csp"  # Playwright's name for net::ERR_BLOCKED_BY_CSP
SCREENSHOT_DIR = "PETSAGE_TEST_DOCS_SCREENSHOT_DIR"
SWAGGER_READY = ".swagger-ui .opblock"
# (width, height): a desktop window and a phone's (390 px, as an iPhone 12 to 15).
SIZES = {"wide": (1280, 900), "narrow": (390, 844)}


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


def run_driver(driver: list[str], **options: Any) -> dict[str, Any]:
    result = subprocess.run(
        [*driver, json.dumps(options)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return seen


@pytest.fixture(scope="module")
def swagger_shots(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("docs-shots")
    return [
        {"scheme": scheme, "width": width, "height": height, "path": str(folder / name)}
        for size, (width, height) in SIZES.items()
        for scheme in ("light", "dark")
        if (name := f"docs-{size}-{scheme}.png")
    ]


@pytest.fixture(scope="module")
def swagger_seen(
    driver: list[str], server: RunningServer, swagger_shots: list[dict[str, Any]]
) -> dict[str, Any]:
    """/docs once, its requests recorded, then shown in each scheme and size: one browser."""
    return run_driver(
        driver, url=server.base_url + "/docs", ready=SWAGGER_READY, views=swagger_shots
    )


@pytest.mark.parametrize(
    ("path", "ready"),
    [("/docs", SWAGGER_READY), ("/redoc", "[role=navigation] li, .menu-content li")],
)
def test_the_docs_make_no_request_off_this_host(
    driver: list[str], server: RunningServer, request: pytest.FixtureRequest, path: str, ready: str
) -> None:
    if path == "/docs":
        seen: dict[str, Any] = request.getfixturevalue("swagger_seen")
    else:
        seen = run_driver(driver, url=server.base_url + path, ready=ready)

    assert seen["rendered"]  # the UI drew the document: the check below saw a real page
    sent = [r for r in seen["requests"] if r["outcome"] != BLOCKED_BY_CSP]
    off_host = [r for r in sent if urlsplit(r["url"]).scheme in ("http", "https", "ws", "wss")]
    off_host = [r for r in off_host if urlsplit(r["url"]).hostname != "127.0.0.1"]
    assert off_host == []
    answered = {urlsplit(r["url"]).path for r in sent if r["outcome"] == "answered"}
    assert {path, "/openapi.json"} <= answered


def luminance(css_colour: str) -> float:
    """0 (black) to 255 (white): the mean of an `rgb(...)`/`rgba(...)` colour's channels.
    Transparent shows the canvas, white in the light scheme (the dark theme sets its own)."""
    channels = [float(c) for c in css_colour.split("(", 1)[1].rstrip(")").split(",")]
    if len(channels) == 4 and channels[3] == 0:
        return 255.0
    return sum(channels[:3]) / 3


def test_swagger_ui_follows_the_readers_colour_scheme(
    swagger_seen: dict[str, Any], swagger_shots: list[dict[str, Any]]
) -> None:
    # Light, dark, light, dark: the page follows each change of scheme without a reload.
    assert [(v["scheme"], v["width"]) for v in swagger_seen["views"]] == [
        (v["scheme"], v["width"]) for v in swagger_shots
    ]
    for shown in swagger_seen["views"]:
        dark = shown["scheme"] == "dark"
        assert shown["darkClass"] is dark, shown
        # Dark: a dark page with light text, the operations too; light: the reverse.
        assert (luminance(shown["page"]) < 64) is dark, shown
        assert (luminance(shown["text"]) > 192) is dark, shown
        assert (luminance(shown["operation"]) > 128) is dark, shown
        assert shown["scrollWidth"] <= shown["width"], shown  # nothing wider than the screen
    if keep := os.environ.get(SCREENSHOT_DIR):
        for shot in swagger_shots:
            shutil.copy(shot["path"], Path(keep) / Path(shot["path"]).name)
