"""What the soak test watches: the server process in /proc, and the ERROR lines in its log.

Descriptors are split by what they are, so that a leak is not hidden by load that comes and
goes: HTTP connections (sockets on the server's port), database connections (sockets to
PostgreSQL's port), and the rest ("own": the listening socket, the log, epoll, pipes...), which
should not move at all once the server has warmed up.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

TCP_LISTEN = "0A"
SOCKET_LINK = re.compile(r"socket:\[(\d+)\]")

# An ERROR line is expected only when all three hold: it comes from one of these loggers (the
# health engine and its checks, the history writer; the writer now keeps its changes through an
# outage and logs its retries at WARNING, so only an overflowing backlog would be its ERROR),
# it was logged while the database was down or within the grace after it came back, and its
# text says that the connection to the database failed.
EXPECTED_ERROR_LOGGERS = frozenset(
    {
        "petsage.health.engine",
        "petsage.health.lifecycle",
        "petsage.health.drain",
        "petsage.health.history_recorder",
        "petsage.features.health_checks.service",
    }
)
# A failure may be logged a little after the outage ends (a check's connect timeout, a pool
# handing out a connection the restart closed).
OUTAGE_GRACE = timedelta(seconds=10)
CONNECTION_FAILURE = re.compile(
    r"connect call failed|connection refused|ConnectionRefusedError"
    r"|connection was closed|ConnectionDoesNotExistError|connection is closed"
    r"|CannotConnectNowError|the database system is (shutting down|starting up|in recovery)"
    r"|terminating connection due to administrator command|AdminShutdownError",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ProcessSample:
    elapsed: float  # seconds since the load started
    rss_kib: int
    fds: int
    http_connections: int
    database_connections: int

    @property
    def own_fds(self) -> int:
        return self.fds - self.http_connections - self.database_connections


def sample_process(pid: int, http_port: int, database_port: int, elapsed: float) -> ProcessSample:
    """RSS (VmRSS) and descriptors of `pid`, read from /proc (Linux only)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    links = [_readlink(fd_dir / name) for name in os.listdir(fd_dir)]
    inodes = {m.group(1) for link in links if (m := SOCKET_LINK.fullmatch(link))}
    http = database = 0
    for local_port, remote_port, state, inode in _tcp_sockets(pid):
        if inode not in inodes:
            continue
        if local_port == http_port and state != TCP_LISTEN:
            http += 1
        elif remote_port == database_port:
            database += 1
    return ProcessSample(elapsed, _rss_kib(pid), len(links), http, database)


def _readlink(path: Path) -> str:
    try:
        return os.readlink(path)
    except FileNotFoundError:  # closed between listing and reading
        return ""


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


def _tcp_sockets(pid: int) -> Iterable[tuple[int, int, str, str]]:
    """(local port, remote port, state, inode) of every TCP socket in `pid`'s namespace."""
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            yield _port(local), _port(remote), state, inode


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)


@dataclass(frozen=True)
class Outage:
    """When the database was down: from the stop command to the end of the start command."""

    stopped_at: datetime
    started_at: datetime

    def covers(self, moment: datetime) -> bool:
        return self.stopped_at <= moment <= self.started_at + OUTAGE_GRACE


@dataclass(frozen=True)
class ErrorLines:
    expected: tuple[str, ...]
    unexpected: tuple[str, ...]


def error_lines(log_lines: Iterable[str], outages: Sequence[Outage]) -> ErrorLines:
    """The log's ERROR and CRITICAL lines, split into expected ones and the rest. A line that
    is not JSON is unexpected when it looks like an error (a traceback printed around the
    logging setup, for instance)."""
    expected: list[str] = []
    unexpected: list[str] = []
    for line in log_lines:
        verdict = _classify(line, outages)
        if verdict is not None:
            (expected if verdict else unexpected).append(line.rstrip("\n"))
    return ErrorLines(tuple(expected), tuple(unexpected))


def _classify(line: str, outages: Sequence[Outage]) -> bool | None:
    """None: not an error line; True: an expected error; False: an unexpected one."""
    try:
        record = json.loads(line)
    except ValueError:
        looks_bad = "Traceback" in line or "ERROR" in line or "Error:" in line
        return False if looks_bad else None
    if not isinstance(record, dict) or record.get("level") not in ("error", "critical"):
        return None
    moment = datetime.fromisoformat(record["time"])
    text = f"{record.get('message', '')}\n{record.get('exc_info', '')}"
    return (
        record.get("logger") in EXPECTED_ERROR_LOGGERS
        and any(outage.covers(moment) for outage in outages)
        and CONNECTION_FAILURE.search(text) is not None
    )
