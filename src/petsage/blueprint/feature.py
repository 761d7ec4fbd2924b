"""`Feature`: one typed declaration of everything a feature brings to the application.

The app factory reads these declarations and nothing else: a feature's routers are mounted,
its checks join the health engine, its ORM models reach Alembic, its probe responders join
the fast path, its settings class is read with the core's and its lifespan runs inside the
application's, leaving its state under typed keys. Deleting the folder deletes all of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import APIRouter

from petsage.blueprint.configuration import Configuration
from petsage.database.base import Base
from petsage.database.session import Database
from petsage.health.engine import HealthEngine
from petsage.health.registry import CheckProvider
from petsage.http.probes import ProbeResponder
from petsage.http.state import AppState, StateKey
from petsage.observability.metrics import Metrics
from petsage.process import StartTime
from petsage.settings import ENV_PREFIX, FeatureSettings, Settings

S = TypeVar("S", bound=FeatureSettings)

FEATURE_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True, slots=True)
class AppServices:
    """The platform services a feature's probes and lifespan may use, built by the factory.

    `state` is the app's typed state: a lifespan puts there what it builds for its routes (a
    status board) under a `StateKey` of its own, declared in `Feature(provides=...)`, and its
    routes read it back through that key's `dependency`.
    """

    configuration: Configuration
    health: HealthEngine
    database: Database
    started: StartTime
    metrics: Metrics | None
    state: AppState

    @property
    def settings(self) -> Settings:
        return self.configuration.core

    def settings_of(self, cls: type[S]) -> S:
        """A feature's own settings (`Feature(settings=cls)`), typed."""
        return self.configuration.of(cls)


@dataclass(frozen=True, slots=True)
class MetricsExport:
    """What a feature that exports the process's metrics asks the platform to record."""

    # Count probe requests (liveness, readiness, `probe_paths`) in the HTTP metrics too.
    include_probes: bool = False


# The metrics the platform records, put when a feature exports them.
METRICS: StateKey[Metrics] = StateKey("metrics")

# Fast-path responders by exact path, built once per app from its services.
ProbeProvider = Callable[[AppServices], Mapping[str, ProbeResponder]]
# Work that runs while the app serves: entered at start-up, after the platform, and exited at
# shutdown, before it.
FeatureLifespan = Callable[[AppServices], AbstractAsyncContextManager[None]]


def _always(_: Configuration) -> bool:
    return True


@dataclass(frozen=True, kw_only=True, slots=True)
class Feature:
    """What a feature brings. Only `name` and `summary` are required.

    - `routers`: mounted in declaration order; their paths must not clash with another's.
    - `health_checks`: `settings -> checks`, joined to the platform's (names must be unique).
    - `models`: its ORM classes, so migrations and `petsage feature list` know its tables.
    - `probes`: fast-path responders for GET paths that its routers also serve.
    - `probe_paths`: path prefixes whose answers are probes: never cached by a proxy, and
      left out of the access log and request metrics unless asked for.
    - `lifespan`: background work tied to the app's start and stop.
    - `provides`: the state keys its lifespan puts (start-up fails if one is missing).
    - `required`: why the feature cannot be disabled (`None`: it can be).
    - `settings`: its own settings class (`FeatureSettings`, variables under its prefix).
    - `enabled_when`: a setting that switches the feature off without naming it; it gets the
      whole configuration: `lambda config: config.of(MySettings).enabled`.
    - `requires`: the features this one needs (a `ref` to another's table, its public
      service): start-up stops with one line when one is disabled, switched off or missing.
    - `metrics_export`: for a feature that exports the process's metrics: with one served, the
      platform records them (requests, health, the process) as the export asks.
    - `description`, `requirements`: the feature request's text (`petsage feature show`).
    """

    name: str
    summary: str
    routers: Sequence[APIRouter] = ()
    health_checks: CheckProvider | None = None
    models: Sequence[type[Base]] = ()
    probes: ProbeProvider | None = None
    probe_paths: Sequence[str] = ()
    lifespan: FeatureLifespan | None = None
    provides: Sequence[StateKey[Any]] = ()
    required: str | None = None
    settings: type[FeatureSettings] | None = None
    enabled_when: Callable[[Configuration], bool] = field(default=_always)
    requires: Sequence[str] = ()
    metrics_export: Callable[[Configuration], MetricsExport] | None = None
    description: str = ""
    requirements: str = ""

    def __post_init__(self) -> None:
        if not FEATURE_NAME_PATTERN.fullmatch(self.name):
            raise ValueError(f"feature name {self.name!r} is not a snake_case identifier")
        if self.settings is not None and not self.settings.env_prefix().startswith(ENV_PREFIX):
            raise ValueError(
                f"feature {self.name!r}: its settings' env_prefix must start with {ENV_PREFIX}"
            )
        if self.provides and self.lifespan is None:
            raise ValueError(f"feature {self.name!r} provides state but has no lifespan")
        for needed in self.requires:
            # Its own name is allowed (a `ref` to its own table) and always met.
            if not FEATURE_NAME_PATTERN.fullmatch(needed):
                raise ValueError(f"feature {self.name!r} cannot require {needed!r}")

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(str(model.__tablename__) for model in self.models)
