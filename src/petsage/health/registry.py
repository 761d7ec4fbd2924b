"""`CheckRegistry`: every check the engine runs, from the platform and from the features.

A feature that watches a dependency of its own adds a `health.py` to its folder exposing
`health_checks(settings) -> Iterable[Check]`; `main.py` passes that function to the registry
with the built-in providers. Two checks with the same name are refused at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from petsage.health.check import Check
from petsage.settings import ConfigurationError, Settings

CheckProvider = Callable[[Settings], Iterable[Check]]


class DuplicateCheckError(ConfigurationError):
    """Two checks share a name: their results and history would be indistinguishable."""


class CheckRegistry:
    """Checks in registration order, which is the order every endpoint lists them in."""

    def __init__(self, checks: Iterable[Check] = ()) -> None:
        self._checks: dict[str, Check] = {}
        for check in checks:
            self.add(check)

    def add(self, check: Check) -> None:
        if check.name in self._checks:
            raise DuplicateCheckError(f"health check {check.name!r} is registered twice")
        self._checks[check.name] = check

    def get(self, name: str) -> Check | None:
        return self._checks.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(self._checks)

    def __iter__(self) -> Iterator[Check]:
        return iter(tuple(self._checks.values()))

    def __len__(self) -> int:
        return len(self._checks)

    def __contains__(self, name: object) -> bool:
        return name in self._checks


def build_registry(settings: Settings, providers: Iterable[CheckProvider]) -> CheckRegistry:
    """Collect the checks of every provider, refusing duplicates with a one-line error."""
    registry = CheckRegistry()
    for provider in providers:
        for check in provider(settings):
            registry.add(check)
    return registry
