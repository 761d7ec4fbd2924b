"""Helpers for health engine tests: a check whose outcome a test sets, and waiting for rounds.

`Switch` is a check a feature could register (the registry's own API), not a stand-in for a
driver: tests flip it to make a status change happen exactly when they want one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fastapi import FastAPI

from petsage.health.check import Check, Outcome
from petsage.health.engine import HealthEngine
from petsage.health.model import Status
from petsage.http.dependencies import HEALTH
from petsage.http.state import state_of
from petsage.settings import Settings

WAIT_SECONDS = 10.0
# Short enough that tests see several rounds quickly, long enough for a 2-core machine.
FAST_INTERVAL = 0.1


@dataclass
class Switch:
    """A check that answers whatever `outcome` currently is, and counts its runs."""

    name: str = "switch"
    critical: bool = False
    outcome: Outcome = field(default_factory=lambda: Outcome.ok(1.0, "unit"))
    runs: int = 0

    async def __call__(self) -> Outcome:
        self.runs += 1
        return self.outcome

    def fail(self, error: str = "switched off") -> None:
        self.outcome = Outcome.failed(error, 0.0, "unit")

    def degrade(self, error: str = "switched to degraded") -> None:
        self.outcome = Outcome.degraded(error, 0.5, "unit")

    def recover(self) -> None:
        self.outcome = Outcome.ok(1.0, "unit")

    def check(self) -> Check:
        return Check(self.name, self, critical=self.critical, measurement="position")

    def provider(self) -> Callable[[Settings], Iterable[Check]]:
        return lambda _settings: [self.check()]


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    """Poll `predicate` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def engine_of(app: FastAPI) -> HealthEngine:
    return state_of(app).get(HEALTH)


def wait_for_rounds(app: FastAPI, count: int = 1) -> None:
    """Wait until `count` more rounds of checks have completed in `app`."""
    engine = engine_of(app)
    target = engine.snapshot.round + count
    wait_for(lambda: engine.snapshot.round >= target, f"{count} health round(s)")


def wait_for_status(app: FastAPI, name: str, status: Status) -> None:
    engine = engine_of(app)

    def reached() -> bool:
        result = engine.snapshot.by_name.get(name)
        return result is not None and result.status is status

    wait_for(reached, f"check {name} to be {status}")
