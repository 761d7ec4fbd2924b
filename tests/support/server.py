"""Run the real `petsage` command as a subprocess and talk to it over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

# A bound, not a measure: generous, because a loaded 2-core CI machine imports slowly.
STARTUP_TIMEOUT_SECONDS = 90.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def petsage_command(*args: str) -> list[str]:
    """The CLI as CI runs it: the installed package's entry point, via this interpreter."""
    return [sys.executable, "-m", "petsage", *args]


def run_petsage(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a short `petsage` command to completion and capture its output."""
    return subprocess.run(
        petsage_command(*args),
        env=child_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The parent's environment without PETSAGE_* leaks, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETSAGE_")}
    env.update(extra or {})
    return env


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=10)


@contextmanager
def petsage_server(
    tmp_path: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/system/health",
    startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
) -> Iterator[RunningServer]:
    """Start `petsage serve` on a free port, wait until `ready_path` answers 200, stop after."""
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    base_env = {"PETSAGE_DATA_DIR": str(tmp_path / "var"), "PETSAGE_SHUTDOWN_DRAIN_SECONDS": "0"}
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            petsage_command("serve", "--host", "127.0.0.1", "--port", str(port), *args),
            env=child_env({**base_env, **(env or {})}),
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = RunningServer(process, f"http://127.0.0.1:{port}", log_path)
    try:
        wait_until_ready(server, ready_path, startup_timeout)
        yield server
    finally:
        server.stop()


def wait_until_ready(
    server: RunningServer, path: str, timeout: float = STARTUP_TIMEOUT_SECONDS
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"petsage exited with {server.process.returncode}:\n{server.log()}")
        try:
            if httpx.get(server.base_url + path, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"petsage did not become ready on {path}:\n{server.log()}")
