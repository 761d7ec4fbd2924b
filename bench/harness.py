"""What PetSage's benchmarks share: options, uvicorn servers to start, and wrk to load them.

A benchmark is a plain script. It starts each server as its own process on a free 127.0.0.1
port, loads them in turn in the same run and reports ratios against a baseline measured in that
run: on a shared machine absolute figures drift, ratios much less. With two or more cores the
server is pinned to one core and wrk to another, so that they do not fight over the same one.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CONNECTIONS = 50
SERVER_CPU = 0
LOAD_CPU = 1
# A bound, not a measure: a loaded shared machine imports slowly (the tests allow 90 s too).
STARTUP_TIMEOUT_SECONDS = 90.0
# Polled this often while a server starts, so start-up time is known to within a few ms.
STARTUP_POLL_SECONDS = 0.002
# Left to a fresh server before its RSS is read, so that lazy start-up work has finished.
SETTLE_SECONDS = 0.5
WRK_INSTALL_HINT = "wrk not found: install it (Debian/Ubuntu: sudo apt-get install wrk)"


@dataclass(frozen=True)
class Options:
    """Command-line options every benchmark takes."""

    quick: bool = False
    json_path: Path | None = None
    pin: bool = True

    @property
    def runs(self) -> int:
        return 1 if self.quick else 3

    @property
    def seconds(self) -> int:
        return 2 if self.quick else 5

    @property
    def warmup_seconds(self) -> int:
        return 1 if self.quick else 2

    def describe(self) -> str:
        pinning = (
            f"server on CPU {SERVER_CPU}, wrk on CPU {LOAD_CPU}" if self.pinned else "unpinned"
        )
        return (
            f"{CONNECTIONS} connections, 1 wrk thread, {self.warmup_seconds} s warm-up, "
            f"median of {self.runs} x {self.seconds} s, {pinning}"
        )

    @property
    def pinned(self) -> bool:
        return self.pin and (os.cpu_count() or 1) > 1 and shutil.which("taskset") is not None


def parse_options(argv: Sequence[str] | None, description: str) -> Options:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="one short run instead of 3 x 5 s")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save the results here")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and wrk to CPUs")
    args = parser.parse_args(argv)
    return Options(quick=args.quick, json_path=args.json, pin=not args.no_pin)


# --- Servers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerSpec:
    """A server to start: `factory` is `module:callable` as `uvicorn --factory` takes it.

    `prepare` is a `python -m` command run to completion first, in the server's environment and
    outside its start-up time: `("petsage", "db", "upgrade")` does what `petsage serve` does
    before it starts uvicorn. `command`, when given, is the `python -m` command that serves
    instead of uvicorn (`("petsage", "serve")`), told its port through PETSAGE_HOST and
    PETSAGE_PORT: start-up is then timed as an operator sees it, migration included.
    """

    name: str
    factory: str = ""
    env: Mapping[str, str] = field(default_factory=dict)
    prepare: Sequence[str] = ()
    command: Sequence[str] = ()


@dataclass(frozen=True)
class Server:
    spec: ServerSpec
    pid: int
    port: int
    startup_seconds: float

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def rss_mib(self) -> float:
        """Resident memory of the server process, from /proc (Linux)."""
        status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"no VmRSS for pid {self.pid}")
        return int(match.group(1)) / 1024


def server_command(spec: ServerSpec, port: int) -> list[str]:
    if spec.command:
        return [sys.executable, "-m", *spec.command]
    return uvicorn_command(spec, port)


def uvicorn_command(spec: ServerSpec, port: int) -> list[str]:
    """The same server settings for every app: one worker, uvloop, httptools, no access log."""
    return [
        *[sys.executable, "-m", "uvicorn", spec.factory, "--factory"],
        *["--app-dir", str(BENCH_DIR), "--host", "127.0.0.1", "--port", str(port)],
        *["--workers", "1", "--loop", "uvloop", "--http", "httptools", "--lifespan", "on"],
        *["--no-access-log", "--no-server-header", "--log-level", "warning"],
    ]


def server_env(spec: ServerSpec, workdir: Path, port: int) -> dict[str, str]:
    """Default settings: no PETSAGE_* from the caller, data in a fresh temporary directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETSAGE_")}
    env.update({"PETSAGE_DATA_DIR": str(workdir / "var"), "PETSAGE_SHUTDOWN_DRAIN_SECONDS": "0"})
    env.update({"PETSAGE_HOST": "127.0.0.1", "PETSAGE_PORT": str(port)})
    env.update(spec.env)
    return env


@cache
def compile_bytecode() -> None:
    """Compile every module the servers import, as the Docker image does at build time
    (UV_COMPILE_BYTECODE=1). Where PYTHONDONTWRITEBYTECODE is set and nothing was compiled,
    each start would compile FastAPI, SQLAlchemy and PetSage from source again: start-up
    figures would measure the compiler, several times over what deployed start-up costs."""
    sources = [sysconfig.get_paths()["purelib"], str(BENCH_DIR.parent / "src"), str(BENCH_DIR)]
    command = [sys.executable, "-m", "compileall", "-q", "-j0", *sources]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=600)


@contextmanager
def running(
    spec: ServerSpec, options: Options, ready_path: str = "/system/health"
) -> Iterator[Server]:
    """Start `spec` under uvicorn, time it until `ready_path` answers 200, stop it on exit."""
    compile_bytecode()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="petsage-bench-") as tmp:
        workdir = Path(tmp)
        env = server_env(spec, workdir, port)
        if spec.prepare:
            subprocess.run(
                [sys.executable, "-m", *spec.prepare], env=env, cwd=workdir, check=True, timeout=120
            )
        pin = ["taskset", "-c", str(SERVER_CPU)] if options.pinned else []
        log_path = workdir / "server.log"
        with log_path.open("wb") as log:
            started = time.perf_counter()
            # taskset execs the server, so the pid is the server's own (for /proc/<pid>/status).
            process = subprocess.Popen(
                [*pin, *server_command(spec, port)],
                env=env,
                cwd=workdir,  # no stray .env file is read
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_200(process, port, ready_path, log_path)
            yield Server(spec, process.pid, port, time.perf_counter() - started)
        finally:
            stop(process)


def seconds_until_200(server: Server, path: str) -> float:
    """Poll `path` on a running server until it answers 200; how long that took."""
    started = time.perf_counter()
    while http_status(server.port, path) != 200:
        if time.perf_counter() - started > STARTUP_TIMEOUT_SECONDS:
            raise RuntimeError(f"{path} did not answer 200 in {STARTUP_TIMEOUT_SECONDS} s")
        time.sleep(STARTUP_POLL_SECONDS)
    return time.perf_counter() - started


def wait_for_200(process: subprocess.Popen[bytes], port: int, path: str, log: Path) -> None:
    deadline = time.perf_counter() + STARTUP_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        if http_status(port, path) == 200:
            return
        time.sleep(STARTUP_POLL_SECONDS)
    raise RuntimeError(f"server did not answer 200 on {path}:\n{log.read_text()}")


def http_status(port: int, path: str) -> int | None:
    """The status of one GET, or None when nothing answers yet."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def http_body(server: Server, path: str) -> bytes:
    """The body of one GET, to check that the servers compared give the same answer."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    finally:
        connection.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def settle() -> None:
    time.sleep(SETTLE_SECONDS)


# --- Load --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What one wrk run (or the median of several) measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    # Requests/s of each run behind a median: how noisy the machine was.
    rounds: tuple[float, ...] = ()
    requests: int = 0
    # Server CPU time per request, when the server's pid was given. Other processes on a
    # shared machine slow the server down but barely change this: the steadier comparison.
    cpu_us_per_request: float | None = None

    @property
    def spread(self) -> float:
        """(max - min) / median of the runs' requests/s; 0 for a single run."""
        if len(self.rounds) < 2:
            return 0.0
        return (max(self.rounds) - min(self.rounds)) / self.requests_per_second


def require_wrk() -> None:
    """Stop with an install hint (exit code 1) when wrk is missing."""
    if shutil.which("wrk") is None:
        raise SystemExit(WRK_INSTALL_HINT)


def run_wrk(
    url: str,
    seconds: int,
    options: Options,
    *,
    headers: Sequence[str] = (),
    pid: int | None = None,
    script: Path | None = None,
    connections: int = CONNECTIONS,
) -> Load:
    """Load `url` for `seconds` over `connections`; with the server's `pid`, also measure its
    CPU per request. `script` is a wrk Lua script (bench/mixed.lua sends a mix of requests)."""
    cpu_before = cpu_seconds(pid) if pid is not None else 0.0
    pin = ["taskset", "-c", str(LOAD_CPU)] if options.pinned else []
    header_args = [arg for header in headers for arg in ("-H", header)]
    header_args += ["-s", str(script)] if script is not None else []
    command = [*pin, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    output = subprocess.run(
        [*command, *header_args, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    load = parse_wrk(output)
    if pid is None or not load.requests:
        return load
    cpu_us = (cpu_seconds(pid) - cpu_before) * 1e6
    return replace(load, cpu_us_per_request=cpu_us / load.requests)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    # Split after the command name, which may hold spaces; utime and stime are fields 14 and 15.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parse_wrk(output: str) -> Load:
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\b", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\b", output, re.MULTILINE)
    if rate is None or p50 is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    bad_status = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = re.search(r"^\s+(\d+) requests in ", output, re.MULTILINE)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    errors += int(bad_status.group(1)) if bad_status else 0
    return Load(
        float(rate.group(1)),
        to_ms(*p50.groups()),
        to_ms(*p99.groups()),
        errors,
        requests=int(total.group(1)) if total else 0,
    )


def to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def compare_load(
    targets: Mapping[str, str],
    options: Options,
    pids: Mapping[str, int] | None = None,
    headers: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Load]:
    """Warm every target up, then load them in turn, round after round; the median of each.

    Interleaving the rounds spreads any slow spell of a shared machine over all targets
    instead of pinning it on one. `pids` (target name to server pid) adds CPU per request;
    `headers` (target name to `Name: value` lines) are sent with every request.
    """
    for name, url in targets.items():
        run_wrk(url, options.warmup_seconds, options, headers=(headers or {}).get(name, ()))
    runs: dict[str, list[Load]] = {name: [] for name in targets}
    for round_number in range(1, options.runs + 1):
        print(f"  round {round_number}/{options.runs} ...", flush=True)
        for name, url in targets.items():
            pid, sent = (pids or {}).get(name), (headers or {}).get(name, ())
            runs[name].append(run_wrk(url, options.seconds, options, headers=sent, pid=pid))
    return {name: median(loads) for name, loads in runs.items()}


def median(loads: Sequence[Load]) -> Load:
    cpu = [load.cpu_us_per_request for load in loads if load.cpu_us_per_request is not None]
    return Load(
        statistics.median(load.requests_per_second for load in loads),
        statistics.median(load.p50_ms for load in loads),
        statistics.median(load.p99_ms for load in loads),
        sum(load.errors for load in loads),
        tuple(load.requests_per_second for load in loads),
        sum(load.requests for load in loads),
        statistics.median(cpu) if len(cpu) == len(loads) else None,
    )
