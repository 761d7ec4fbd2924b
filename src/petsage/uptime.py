"""When this app started, on both clocks: the wall clock to show, the monotonic one to measure.

`create_app` records it in `app.state.started`; uptime measured on the wall clock would jump
whenever NTP corrects the time.
"""

from __future__ import annotations

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
