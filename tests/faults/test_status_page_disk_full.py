"""A full disk under the embedded SQLite, for real: the status page keeps the `disk` failure.

PetSage's data directory is a small tmpfs of its own, filled to the last byte while it serves.
SQLite still reads but can no longer write: the history writer cannot store the `disk` check's
change, nor the heartbeat its time. The page must show the failure meanwhile (from the changes
it holds in memory), and once space is freed the change reaches the database with its own
time: after a restart of `petsage serve` the incident and the reduced uptime are there.
Mounting needs root (CAP_SYS_ADMIN); without it the test skips.
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.faults.test_status_page_outage import (
    READY,
    SETTLE_SECONDS,
    check,
    incidents_of,
    wait_for_summary,
)
from tests.support.server import RunningServer, petsage_server

pytestmark = pytest.mark.slow

SIZE_MIB = 32
# However many changes wait: a loop-lag change at start may be among them (CI's coverage run).
RETRYING = " change(s) waiting, retrying in "
CHUNK = b"\0" * (1024 * 1024)


@contextmanager
def small_disk() -> Iterator[Path]:
    mount_point = Path(tempfile.mkdtemp(prefix="petsage-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE_MIB}m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
        mount_point.rmdir()


def fill(disk: Path) -> Path:
    """Write until the file system refuses: no byte left."""
    ballast = disk / "ballast"
    with ballast.open("wb", buffering=0) as out:
        for size in (len(CHUNK), 4096, 1):
            block = CHUNK[:size]
            with contextlib.suppress(OSError):
                while True:
                    out.write(block)
    with pytest.raises(OSError, match="No space left") as refused:
        (disk / "probe").write_bytes(b"x" * 4096)
    assert refused.value.errno == errno.ENOSPC
    return ballast


def wait_for_log(server: RunningServer, text: str, *, count: int) -> None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while server.log().count(text) < count:
        assert time.monotonic() < deadline, f"{text!r} not logged {count} times:\n{server.log()}"
        time.sleep(0.2)


def moment(body: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(body["updated_at"])


def disk_is(status: str) -> Any:
    return lambda body: check(body, "disk")["status"] == status


def test_the_disk_failure_survives_a_full_disk_and_a_restart(tmp_path: Path) -> None:
    with small_disk() as disk:
        env = {
            "PETSAGE_DATA_DIR": str(disk),
            "PETSAGE_HEALTH_INTERVAL_SECONDS": "0.5",
            "PETSAGE_HEALTH_DISK_WARNING_MIB": "16",
            "PETSAGE_HEALTH_DISK_CRITICAL_MIB": "1",
            # Only the disk is meant to change: a loaded start lagged the loop past 200 ms.
            "PETSAGE_HEALTH_LOOP_LAG_WARNING_MS": "60000",
        }
        with petsage_server(tmp_path, env=env, ready_path=READY) as server:
            wait_for_summary(server, lambda body: body["banner"] == "operational")
            ballast = fill(disk)
            full = wait_for_summary(server, disk_is("error"))
            # Full for longer than the writer once retried (3 attempts over 3 s, then dropped).
            wait_for_log(server, RETRYING, count=3)
            held = wait_for_summary(server, lambda body: moment(body) > moment(full))
            ballast.unlink()
            wait_for_summary(server, disk_is("ok"))

        with petsage_server(tmp_path, env=env, ready_path=READY) as again:
            after = wait_for_summary(again, lambda body: bool(incidents_of(body, "disk")))

    # Shown while nothing could be written, and still shown rounds later.
    assert full["banner"] == held["banner"] == "partial_outage"
    assert check(held, "disk")["status"] == "error"
    # Written once space came back, with its time: the restarted process reads it.
    incident = incidents_of(after, "disk")[0]
    assert incident["ended_at"] is not None
    assert datetime.fromisoformat(incident["started_at"]) <= moment(full)
    assert check(after, "disk")["uptime"]["24h"] < 1
