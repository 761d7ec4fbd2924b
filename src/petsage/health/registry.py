"""`CheckRegistry`: every check the engine runs, from the platform and from the features.

A feature that watches a dependency of its own declares `health_checks(settings) ->
Iterable[Check]` in its `Feature`; the app factory hands it to the registry after the built-in
providers, named by its owner. Two checks with the same name are refused at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from petsage.errors import NotFoundError
from petsage.health.check import Check
from petsage.settings import ConfigurationError, Settings

CheckProvider = Callable[[Settings], Iterable[Check]]
# The owner of what no feature brings: the built-in checks, and (petsage.blueprint) the
# platform's routes, tables and settings.
PLATFORM = "the platform"


class CheckNotFoundError(NotFoundError):
    """A check asked for by name (a path, a badge) that is not registered: 404."""

    code = "check_not_found"


class DuplicateCheckError(ConfigurationError):
    """Two checks share a name: their results and history would be indistinguishable."""


class CheckRegistry:
    """Checks in registration order, which is the order every endpoint lists them in."""

    def __init__(self, checks: Iterable[Check] = ()) -> None:
        self._checks: dict[str, Check] = {}
        self._owners: dict[str, str] = {}
        for check in checks:
            self.add(check)

    def add(self, check: Check, owner: str = PLATFORM) -> None:
        """Register `check`; `owner` (the platform, a feature) names it in a clash."""
        if (first := self._owners.get(check.name)) is not None:
            raise DuplicateCheckError(
                f"health check {check.name!r} is registered twice: by {first} and by {owner}"
            )
        self._checks[check.name] = check
        self._owners[check.name] = owner

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


def build_registry(
    settings: Settings, providers: Iterable[tuple[str, CheckProvider]]
) -> CheckRegistry:
    """Collect the checks of every `(owner, provider)`, refusing duplicates with one line."""
    registry = CheckRegistry()
    for owner, provider in providers:
        for check in provider(settings):
            registry.add(check, owner)
    return registry
