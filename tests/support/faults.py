"""Real faults for tests and benchmarks: a PostgreSQL cluster of our own that may be stopped.

The shared server on 5432 is never touched: `ThrowawayPostgres` runs `initdb` into a temporary
directory and serves it on a free port, so a test can stop it (`pg_ctl stop`) and start it
again on the same port, as an operator or a crash would. A black hole between PetSage and the
database comes from `tests.support.fault_proxy.FaultProxy`.

Running the server needs PostgreSQL's binaries (Debian's postgresql-15). Without them the tests
that need a cluster skip with the reason, unless PETSAGE_TEST_REQUIRE_POSTGRES=1 (CI), where
a missing server is a failure rather than a silent skip.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.server import free_port

DEFAULT_BIN_DIR = Path("/usr/lib/postgresql/15/bin")
# Only root must switch user: initdb and postgres refuse to run as root.
SERVER_USER = "postgres"
# Durability is pointless for a cluster thrown away at the end of the session; these make
# initdb, CREATE DATABASE and commits several times faster on a shared CI disk.
FAST_OPTIONS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
COMMAND_TIMEOUT_SECONDS = 60


def postgres_bin_dir() -> Path:
    return Path(os.environ.get("PETSAGE_TEST_PG_BIN_DIR", str(DEFAULT_BIN_DIR)))


def postgres_required() -> bool:
    """CI sets PETSAGE_TEST_REQUIRE_POSTGRES=1: a missing server must fail, not skip."""
    return os.environ.get("PETSAGE_TEST_REQUIRE_POSTGRES", "") == "1"


def missing_postgres_reason(bin_dir: Path | None = None) -> str | None:
    """Why a throwaway cluster cannot run here, or None when it can."""
    bin_dir = bin_dir or postgres_bin_dir()
    for tool in ("initdb", "pg_ctl", "postgres", "psql"):
        if not (bin_dir / tool).is_file():
            return f"PostgreSQL binaries not found: no {bin_dir / tool} (install postgresql-15)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL as"
    return None


@dataclass
class ThrowawayPostgres:
    """One PostgreSQL cluster in a temporary directory, on one port for its whole life."""

    base_dir: Path
    port: int
    bin_dir: Path = field(default_factory=postgres_bin_dir)

    @classmethod
    def create(cls, bin_dir: Path | None = None) -> ThrowawayPostgres:
        """`initdb` a new cluster (trust authentication, user `postgres`); not yet started."""
        # Not under pytest's tmp_path: its parents are private to root, and the server runs
        # as `postgres`, which must reach its data directory and socket.
        base_dir = Path(tempfile.mkdtemp(prefix="petsage-pg-"))
        cluster = cls(base_dir, free_port(), bin_dir or postgres_bin_dir())
        if os.geteuid() == 0:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(base_dir, user.pw_uid, user.pw_gid)
        cluster.run_tool(
            "initdb", "-D", str(cluster.data_dir), "-A", "trust", "-U", "postgres",
            "--no-sync", "--encoding=UTF8", "--locale=C",
        )  # fmt: skip
        return cluster

    @classmethod
    @contextmanager
    def started(cls) -> Iterator[ThrowawayPostgres]:
        """A new cluster, started, and destroyed on the way out whatever happened."""
        cluster = cls.create()
        try:
            cluster.start()
            yield cluster
        finally:
            cluster.destroy()

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "server.log"

    def run_tool(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool as the server's user; raise with its output if it fails."""
        command = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
            cwd=self.base_dir,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{tool} failed ({result.returncode}): {result.stdout}{result.stderr}"
                f"\n--- server log ---\n{self.log()}"
            )
        return result

    def start(self) -> None:
        """Start on `self.port` (the same port every time) and wait until it accepts."""
        options = [
            f"-p {self.port}",
            f"-k {self.base_dir}",
            "-c listen_addresses=127.0.0.1",
            *(f"-c {option}" for option in FAST_OPTIONS),
        ]
        # -l: the postmaster must not inherit our pipes, or capturing pg_ctl's output would
        # wait for the server to exit.
        self.run_tool(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path),
            "-o", " ".join(options), "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` closes every session cleanly, `immediate` is a crash."""
        self.run_tool("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "30", "stop")

    @property
    def running(self) -> bool:
        command = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "status"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(
            command, capture_output=True, timeout=COMMAND_TIMEOUT_SECONDS, check=False
        )
        return result.returncode == 0

    def url(self, database: str = "postgres", port: int | None = None) -> str:
        """A PetSage database URL; `port` routes it elsewhere, e.g. through a fault proxy."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{port or self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one SQL statement with psql over TCP and return its unaligned output."""
        result = self.run_tool(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-d", database, "-v", "ON_ERROR_STOP=1", "-X", "-A", "-t", "-c", statement,
        )  # fmt: skip
        return result.stdout.strip()

    def create_database(self, name: str) -> str:
        """A fresh, empty database (dropped first if it exists); returns its name."""
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.sql(f'CREATE DATABASE "{name}"')
        return name

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def destroy(self) -> None:
        """Stop the server if it runs (a crash stop: nothing here is worth a checkpoint)."""
        if self.data_dir.exists() and self.running:
            self.stop("immediate")
        shutil.rmtree(self.base_dir, ignore_errors=True)
