"""The built-in checks: database, migrations, disk, memory, event loop, external HTTP."""

from __future__ import annotations

from petsage.health.check import Check
from petsage.health.checks.database import database_checks
from petsage.health.checks.disk import disk_check
from petsage.health.checks.event_loop import event_loop_check
from petsage.health.checks.http import http_checks
from petsage.health.checks.memory import memory_check
from petsage.settings import Settings


def builtin_checks(settings: Settings) -> list[Check]:
    """Every platform check; only `database` and `migrations` are critical by default."""
    return [
        *database_checks(settings),
        disk_check(settings),
        memory_check(settings),
        event_loop_check(settings),
        *http_checks(settings),
    ]
