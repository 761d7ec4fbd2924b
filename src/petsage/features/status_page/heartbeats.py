"""The last rounds of each check on this instance, for the page's per-round strip.

Daily bars answer "how was the quarter"; an on-call engineer also asks "what did the last hour
look like, and how slow was it", as Uptime Kuma and Gatus show per heartbeat. Kept in memory
(a round is one small tuple a check), served apart from the summary
(`/system/status/heartbeats.json`): a new round is no change of the summary, so it wakes no
event stream.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from petsage.health.model import CheckResult

# An hour of rounds at the default 60 s interval; 2 hours at 2 minutes.
ROUNDS_KEPT = 60


@dataclass(frozen=True, slots=True)
class Beat:
    at: datetime
    status: str
    milliseconds: float


class Heartbeats:
    """Each check's last `ROUNDS_KEPT` results, oldest first."""

    def __init__(self) -> None:
        self._beats: dict[str, deque[Beat]] = {}
        self._rendered: bytes | None = None

    def record(self, result: CheckResult) -> None:
        beats = self._beats.setdefault(result.name, deque(maxlen=ROUNDS_KEPT))
        beats.append(
            Beat(result.checked_at, result.status.value, round(result.duration_seconds * 1000, 1))
        )
        self._rendered = None

    def rendered(self) -> bytes:
        """As JSON, once per new round however many viewers ask."""
        if self._rendered is None:
            checks = {
                name: [
                    {"at": beat.at.isoformat(), "status": beat.status, "ms": beat.milliseconds}
                    for beat in beats
                ]
                for name, beats in self._beats.items()
            }
            self._rendered = json.dumps({"checks": checks}, separators=(",", ":")).encode()
        return self._rendered
