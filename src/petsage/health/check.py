"""What a health check is: a name, a critical flag, a timeout and an async probe.

A probe returns an `Outcome` (or raises: the engine turns any exception into an `error`
outcome). Probes that hold resources (a connection pool, an HTTP client) expose them through
`close`, which the engine awaits once at shutdown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from petsage.check_names import CHECK_NAME
from petsage.health.model import Status


@dataclass(frozen=True, slots=True)
class Outcome:
    """One run of a probe, before flap damping: a status and what was measured."""

    status: Status
    observed_value: float | str | None = None
    observed_unit: str | None = None
    error: str | None = None

    @classmethod
    def ok(cls, value: float | str | None = None, unit: str | None = None) -> Outcome:
        return cls(Status.OK, value, unit)

    @classmethod
    def degraded(
        cls, error: str, value: float | str | None = None, unit: str | None = None
    ) -> Outcome:
        return cls(Status.DEGRADED, value, unit, error)

    @classmethod
    def failed(
        cls, error: str, value: float | str | None = None, unit: str | None = None
    ) -> Outcome:
        return cls(Status.ERROR, value, unit, error)


Probe = Callable[[], Awaitable[Outcome]]
Closer = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check. `timeout_seconds=None` takes `PETSAGE_HEALTH_CHECK_TIMEOUT_SECONDS`.

    `component_type` and `measurement` name the check in the `application/health+json` format
    (`database:responseTime`, componentType `datastore`).
    """

    name: str
    probe: Probe
    critical: bool = False
    timeout_seconds: float | None = None
    component_type: str = "component"
    measurement: str = "status"
    close: Closer | None = None

    def __post_init__(self) -> None:
        if not CHECK_NAME.match(self.name):
            raise ValueError(f"invalid health check name {self.name!r}: use [a-z0-9_.:-]")
        if self.timeout_seconds is not None and self.timeout_seconds <= 0:
            raise ValueError(f"health check {self.name!r}: timeout must be positive")


def describe_error(exc: BaseException) -> str:
    """A one-line reason for a failed probe: the exception's type and first line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if not text and isinstance(exc, TimeoutError):
        # asyncpg's connect timeout, among others, carries no message at all.
        text = "no answer in time"
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
