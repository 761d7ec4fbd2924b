"""A process's resident memory, read from /proc/<pid>/status (Linux)."""

from __future__ import annotations

from pathlib import Path

MIB = 1024 * 1024


def status_bytes(pid: int, field: str) -> int:
    """`VmRSS` (now) or `VmHWM` (the peak), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0]) * 1024
    raise LookupError(f"{field} not in /proc/{pid}/status")


def reset_peak(pid: int) -> None:
    """Start `VmHWM` over from the current RSS (needs the right to write the process's files)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
