"""`disk`: free space where PetSage keeps its data (the SQLite file, its WAL)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from petsage.health.check import Check, Outcome
from petsage.settings import Settings

MIB = 1024 * 1024


class DiskProbe:
    """Degraded below `warning_mib` free, failed below `critical_mib`."""

    def __init__(self, path: Path, *, warning_mib: int, critical_mib: int) -> None:
        self.path = path
        self.warning_mib = warning_mib
        self.critical_mib = critical_mib

    async def __call__(self) -> Outcome:
        # statvfs can block on a network file system: it runs in a thread on purpose.
        free = await asyncio.to_thread(free_mib, self.path)
        if free < self.critical_mib:
            message = f"{free} MiB free in {self.path}, below the critical {self.critical_mib} MiB"
            return Outcome.failed(message, free, "MiB")
        if free < self.warning_mib:
            message = f"{free} MiB free in {self.path}, below the warning {self.warning_mib} MiB"
            return Outcome.degraded(message, free, "MiB")
        return Outcome.ok(free, "MiB")


def free_mib(path: Path) -> int:
    """Free MiB on the file system holding `path` (or its nearest existing parent)."""
    target = path.absolute()
    while not target.exists() and target != target.parent:
        target = target.parent
    return shutil.disk_usage(target).free // MIB


def disk_check(settings: Settings) -> Check:
    probe = DiskProbe(
        settings.data_dir,
        warning_mib=settings.health_disk_warning_mib,
        critical_mib=settings.health_disk_critical_mib,
    )
    return Check("disk", probe, component_type="system", measurement="freeSpace")
