"""The health engine's vocabulary, shared by checks, the runner, renderers and listeners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Status(StrEnum):
    """A check's status, best first. `degraded` still serves traffic; `error` does not."""

    OK = "ok"
    DEGRADED = "degraded"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's latest outcome, after flap damping, as endpoints and listeners see it."""

    name: str
    status: Status
    critical: bool
    checked_at: datetime
    duration_seconds: float
    observed_value: float | str | None = None
    observed_unit: str | None = None
    error: str | None = None
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A check moved from one status to another (`old_status` is None on the first result)."""

    check_name: str
    old_status: Status | None
    new_status: Status
    reason: str
    occurred_at: datetime

    @property
    def starts_healthy(self) -> bool:
        """A check's first result, and ok: no change worth telling (no history row, no
        incident, a log line at DEBUG only)."""
        return self.old_status is None and self.new_status is Status.OK


class HealthListener(Protocol):
    """Told about every result and every status change. Called on the event loop: must not
    block; anything slow (a database write) is scheduled, not awaited inline."""

    def on_result(self, result: CheckResult) -> None: ...

    def on_change(self, change: StatusChange) -> None: ...
