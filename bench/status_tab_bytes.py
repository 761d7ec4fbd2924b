"""Bytes one open status page tab costs (issue 20, finding 4), before and after, measured.

Two real servers side by side: "before" runs the status page as of commit BEFORE (extracted
with `git archive`, put first on PYTHONPATH), "after" this tree. Each has a non-critical check
that stays down (an ongoing outage: what people watch) and one that a stub serves. A client
does what that version's status.js does in a browser:
- before: the `summary` event stream, and on every new event the page's HTML again;
- after: the `board` event stream (`?view=board`, gzip accepted), and heartbeats.json every
  30 s revalidated with its ETag.
Counted: response body bytes as they come over the wire (headers left out). Two scenarios of
WINDOW seconds each, scaled to an hour: nothing changes, and the stub flips once a minute.
Target: at least 20 times fewer bytes after.

    uv run python bench/status_tab_bytes.py [--window 60]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.stub_http import StoppableDependency, stoppable_dependency  # noqa: E402

from petsage.testing.server import RunningServer, petsage_server  # noqa: E402

# The last commit before issue 20's status page work (findings 2 to 5).
BEFORE = "79efed3"
DOWN = "http://127.0.0.1:9/"
HEARTBEAT_POLL_SECONDS = 30.0


@dataclass
class Tab:
    """One emulated tab: bytes received, events seen, page fetches made."""

    base: str
    after: bool
    received: int = 0
    events: int = 0
    fetches: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, n: int) -> None:
        with self.lock:
            self.received += n

    def stream(self) -> None:
        path = "/system/status/events" + ("?view=board" if self.after else "")
        headers = {"accept-encoding": "gzip" if self.after else "identity"}
        with (
            httpx.Client(base_url=self.base, timeout=httpx.Timeout(30, read=60)) as client,
            client.stream("GET", path, headers=headers) as response,
        ):
            gzipped = response.headers.get("content-encoding") == "gzip"
            inflate = zlib.decompressobj(31) if gzipped else None
            pending = b""
            for raw in response.iter_raw():
                self.count(len(raw))
                pending += inflate.decompress(raw) if inflate else raw
                while b"\n\n" in pending:
                    event, pending = pending.split(b"\n\n", 1)
                    if b"\ndata: " in b"\n" + event or event.startswith(b"data: "):
                        self.events += 1
                        if not self.after:  # the old status.js fetched the page again
                            self.fetch_page(client)
                if self.stop.is_set():
                    return

    def fetch_page(self, client: httpx.Client) -> None:
        # The old script: cache "no-store", so no revalidation; the old server sent no gzip.
        page = client.get("/system/status", headers={"accept-encoding": "gzip"})
        self.count(page.num_bytes_downloaded)
        self.fetches += 1

    def poll_heartbeats(self) -> None:
        tag = None
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                headers = {"accept-encoding": "gzip", **({"if-none-match": tag} if tag else {})}
                answer = client.get("/system/status/heartbeats.json", headers=headers)
                self.count(answer.num_bytes_downloaded)
                tag = answer.headers.get("etag", tag)
                self.stop.wait(HEARTBEAT_POLL_SECONDS)


def run_tab(
    server: RunningServer, *, after: bool, window: float, flip: StoppableDependency | None
) -> Tab:
    tab = Tab(server.base_url, after)
    threads = [threading.Thread(target=tab.stream, daemon=True)]
    if after:
        threads.append(threading.Thread(target=tab.poll_heartbeats, daemon=True))
    for thread in threads:
        thread.start()
    started = time.monotonic()
    up = True
    while (left := window - (time.monotonic() - started)) > 0:
        # One change a minute, half a minute into each: the stub goes down, then up again.
        time.sleep(min(left, 30.0 if flip is not None and up else 60.0))
        if flip is not None and window - (time.monotonic() - started) > 0:
            flip.stop() if up else flip.start()
            up = not up
    tab.stop.set()
    return tab


def old_tree(scratch: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BEFORE, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive, check=True)
    return scratch / "src"


def env_for(stub: str, old_src: Path | None) -> dict[str, str]:
    checks = [
        {"name": "payments", "url": DOWN, "timeout_seconds": 0.5},
        {"name": "vetapi", "url": stub, "timeout_seconds": 0.5},
    ]
    env = {"PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(checks)}
    if old_src is not None:
        env["PYTHONPATH"] = str(old_src)
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", type=float, default=60.0)
    window = parser.parse_args().window
    scale = 3600 / window
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        old_src = old_tree(Path(scratch))
        for scenario in ("nothing changes", "one change a minute"):
            for version in ("before", "after"):
                with stoppable_dependency() as stub:
                    folder = Path(scratch) / f"{scenario}-{version}".replace(" ", "-")
                    folder.mkdir()
                    env = env_for(stub.url, old_src if version == "before" else None)
                    with petsage_server(folder, env=env) as server:
                        time.sleep(3)  # a few rounds: the outage is ongoing
                        flip = stub if scenario == "one change a minute" else None
                        tab = run_tab(server, after=version == "after", window=window, flip=flip)
                results.setdefault(scenario, {})[version] = tab.received * scale
                print(
                    f"{scenario:>20} {version:>6}: {tab.received * scale / 1e6:9.3f} MB/hour "
                    f"({tab.events} events, {tab.fetches} page fetches in {window:.0f} s)",
                    flush=True,
                )
    for scenario, pair in results.items():
        ratio = pair["before"] / max(pair["after"], 1.0)
        verdict = "meets" if ratio >= 20 else "MISSES"
        print(f"{scenario}: {ratio:.0f}x fewer bytes after ({verdict} the 20x target)")


if __name__ == "__main__":
    main()
