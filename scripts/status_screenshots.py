"""The status page's screenshots under docs/status-page: a degraded and a major outage, light
and dark, 1280 and 375 px wide, taken from a real `petsage serve` in headless Chromium.

    uv run python scripts/status_screenshots.py

Needs what tests/test_status_page_browser.py needs (chromium, node, `npm ci` in tests/browser).
Look at every picture before committing it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.stub_http import stoppable_dependency  # noqa: E402

from petsage.testing.server import petsage_server  # noqa: E402

OUT = ROOT / "docs" / "status-page"
DRIVER = ROOT / "tests" / "browser" / "status_page.mjs"
# Nothing listens on the discard port: the probe is refused at once.
DOWN = "http://127.0.0.1:9/"
LABELS = {"http:vetapi": {"name": "Vet API", "group": "Partners"}}
# Long enough for "for 6 s" and a few rounds of the 2 s interval.
SETTLE_SECONDS = 6.0


def checks(up: str, *, major: bool) -> list[dict[str, object]]:
    """Major: the critical vet API is down. Degraded: the non-critical payments one is."""
    return [
        {"name": "vetapi", "url": DOWN if major else up, "critical": True, "timeout_seconds": 0.5},
        {"name": "payments", "url": up if major else DOWN, "timeout_seconds": 0.5},
    ]


def shoot(state: str, url: str) -> None:
    shots = {
        OUT / f"status-{state}-{size}-{scheme}.png": (width, scheme)
        for width, size in ((1280, "wide"), (375, "narrow"))
        for scheme in ("light", "dark")
    }
    views = [{"width": w, "scheme": s, "path": str(path)} for path, (w, s) in shots.items()]
    options = {"url": url, "views": views}
    # One browser for the four (its lines, axe's findings among them, are not needed here).
    subprocess.run(
        ["node", str(DRIVER), "views", json.dumps(options)], check=True, stdout=subprocess.DEVNULL
    )
    for path in shots:
        print(path.relative_to(ROOT))


def main() -> None:
    with stoppable_dependency() as dependency, tempfile.TemporaryDirectory() as scratch:
        for state in ("degraded", "major"):
            env = {
                "PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(
                    checks(dependency.url, major=state == "major")
                ),
                "PETSAGE_HEALTH_INTERVAL_SECONDS": "2",
                "PETSAGE_STATUS_COMPONENTS": json.dumps(LABELS),
            }
            folder = Path(scratch) / state
            folder.mkdir()
            with petsage_server(folder, env=env) as server:
                time.sleep(SETTLE_SECONDS)
                shoot(state, server.base_url + "/system/status")


if __name__ == "__main__":
    main()
