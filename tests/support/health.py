"""Health engine helpers: moved to `petsage.testing.health`, so that features and plug-ins
test with them too; here for the tests in tests/."""

from petsage.testing.health import (
    FAST_INTERVAL,
    WAIT_SECONDS,
    Switch,
    engine_of,
    wait_for,
    wait_for_rounds,
    wait_for_status,
)

__all__ = [
    "FAST_INTERVAL",
    "WAIT_SECONDS",
    "Switch",
    "engine_of",
    "wait_for",
    "wait_for_rounds",
    "wait_for_status",
]
