"""Facts about this process: which one it is and when it started.

`instance_id()` names it in logs, metrics and history events. `StartTime` is recorded by
`create_app` on both clocks: the wall clock to show, the monotonic one to measure uptime, which
on the wall clock would jump whenever NTP corrects the time.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True, slots=True)
class StartTime:
    wall: datetime
    monotonic: float

    @classmethod
    def now(cls) -> StartTime:
        return cls(datetime.now(UTC), time.monotonic())

    def uptime(self) -> timedelta:
        return timedelta(seconds=time.monotonic() - self.monotonic)


def instance_id() -> str:
    """This process's id. Computed on each call: worker processes fork with a new pid."""
    return f"{socket.gethostname()}:{os.getpid()}"
