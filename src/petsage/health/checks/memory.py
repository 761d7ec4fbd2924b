"""`memory`: the process's resident memory against its limit, before the OOM killer acts.

The limit is the cgroup's (v2 `memory.max`, v1 `memory.limit_in_bytes`: what a container's
memory limit sets), else `PETSAGE_HEALTH_MEMORY_LIMIT_MIB`. With no limit known the check
passes and reports the RSS alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from petsage.health.check import Check, Outcome
from petsage.settings import Settings

MIB = 1024 * 1024
# cgroup v1 reports "no limit" as a huge number (page-rounded 2**63 - 1).
_UNLIMITED = 1 << 60


class MemoryProbe:
    """Degraded when RSS exceeds `warning_ratio` of the limit."""

    def __init__(
        self,
        *,
        warning_ratio: float,
        configured_limit_mib: int | None = None,
        proc: Path = Path("/proc/self"),
        cgroup_root: Path = Path("/sys/fs/cgroup"),
    ) -> None:
        self.warning_ratio = warning_ratio
        self.configured_limit = configured_limit_mib * MIB if configured_limit_mib else None
        self.proc = proc
        self.cgroup_root = cgroup_root

    def limit_bytes(self) -> int | None:
        """The tightest limit in force: the cgroup's, or the configured one."""
        limits = [cgroup_memory_limit(self.proc, self.cgroup_root), self.configured_limit]
        return min((limit for limit in limits if limit), default=None)

    async def __call__(self) -> Outcome:
        # procfs and cgroupfs live in memory and answer at once: no thread needed.
        rss = resident_bytes(self.proc)
        rss_mib = round(rss / MIB, 1)
        limit = self.limit_bytes()
        if limit is None or rss <= self.warning_ratio * limit:
            return Outcome.ok(rss_mib, "MiB")
        message = (
            f"RSS {rss_mib} MiB is {rss / limit:.0%} of the {limit // MIB} MiB limit "
            f"(warning above {self.warning_ratio:.0%})"
        )
        return Outcome.degraded(message, rss_mib, "MiB")


def resident_bytes(proc: Path = Path("/proc/self")) -> int:
    """Resident set size from `statm` (its second field counts pages)."""
    pages = int((proc / "statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def cgroup_memory_limit(proc: Path, root: Path) -> int | None:
    """The smallest memory limit on this process's cgroup (or the root), v2 or v1."""
    try:
        lines = (proc / "cgroup").read_text().splitlines()
    except OSError:
        return None
    candidates: list[Path] = []
    for line in lines:
        hierarchy, controllers, path = line.split(":", 2)
        relative = path.lstrip("/")
        if hierarchy == "0" and not controllers:
            candidates += [root / relative / "memory.max", root / "memory.max"]
        elif "memory" in controllers.split(","):
            v1 = root / "memory"
            candidates += [v1 / relative / "memory.limit_in_bytes", v1 / "memory.limit_in_bytes"]
    limits = [limit for limit in map(_read_limit, candidates) if limit is not None]
    return min(limits, default=None)


def _read_limit(path: Path) -> int | None:
    try:
        value = int(path.read_text().strip())
    except (OSError, ValueError):  # missing file, or "max" (cgroup v2 for no limit)
        return None
    return value if 0 < value < _UNLIMITED else None


def memory_check(settings: Settings) -> Check:
    probe = MemoryProbe(
        warning_ratio=settings.health_memory_warning_ratio,
        configured_limit_mib=settings.health_memory_limit_mib,
    )
    return Check("memory", probe, component_type="system", measurement="rss")
