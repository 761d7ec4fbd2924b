"""How check statuses combine: the worst of them, with only critical failures failing."""

from __future__ import annotations

from collections.abc import Iterable

from petsage.health.model import CheckResult, Status

SEVERITY = {Status.OK: 0, Status.DEGRADED: 1, Status.ERROR: 2}


def severity(status: Status) -> int:
    return SEVERITY[status]


def is_worse(new: Status, old: Status | None) -> bool:
    """True when `new` is a step down from `old` (a first result counts as a step from ok)."""
    return severity(new) > severity(old or Status.OK)


def overall_status(results: Iterable[CheckResult]) -> Status:
    """`error` when a critical check fails; `degraded` when any other check is not ok.

    A failing non-critical check degrades the service but does not take it out of rotation:
    Kubernetes would otherwise stop sending traffic over a dependency that is optional.
    """
    status = Status.OK
    for result in results:
        if result.status is Status.ERROR and result.critical:
            return Status.ERROR
        if result.status is not Status.OK:
            status = Status.DEGRADED
    return status


def failing_names(results: Iterable[CheckResult], *, critical: bool | None = None) -> list[str]:
    """Names of checks that are not ok, optionally only the critical (or non-critical) ones."""
    return [
        r.name
        for r in results
        if r.status is not Status.OK and (critical is None or r.critical is critical)
    ]
