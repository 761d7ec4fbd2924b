"""`Feature`: one typed declaration of everything a feature brings to the application.

The app factory reads these declarations and nothing else: a feature's routers are mounted,
its checks join the health engine, its ORM models reach Alembic, its probe responders join
the fast path and its lifespan runs inside the application's. Deleting the folder deletes all
of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from fastapi import APIRouter

from petsage.database.base import Base
from petsage.database.session import Database
from petsage.health.engine import HealthEngine
from petsage.health.registry import CheckProvider
from petsage.http.probes import ProbeResponder
from petsage.observability.metrics import Metrics
from petsage.process import StartTime
from petsage.settings import Settings

FEATURE_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True, slots=True)
class AppServices:
    """The platform services a feature's probes and lifespan may use, built by the factory.

    `feature_state` holds what a feature's lifespan builds for its routes, under the feature's
    name (a status board, a cache); the feature reads it back through a dependency of its own.
    """

    settings: Settings
    health: HealthEngine
    database: Database
    started: StartTime
    metrics: Metrics | None
    feature_state: dict[str, object] = field(default_factory=dict)


# Fast-path responders by exact path, built once per app from its services.
ProbeProvider = Callable[[AppServices], Mapping[str, ProbeResponder]]
# Work that runs while the app serves: entered at start-up, after the platform, and exited at
# shutdown, before it.
FeatureLifespan = Callable[[AppServices], AbstractAsyncContextManager[None]]


def _always(_: Settings) -> bool:
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
    - `required`: why the feature cannot be disabled (`None`: it can be).
    - `enabled_when`: a setting that switches the feature off without naming it.
    - `requires`: the features this one needs (a `ref` to another's table, its public
      service): start-up stops with one line when one is disabled, switched off or missing.
    """

    name: str
    summary: str
    routers: Sequence[APIRouter] = ()
    health_checks: CheckProvider | None = None
    models: Sequence[type[Base]] = ()
    probes: ProbeProvider | None = None
    probe_paths: Sequence[str] = ()
    lifespan: FeatureLifespan | None = None
    required: str | None = None
    enabled_when: Callable[[Settings], bool] = field(default=_always)
    requires: Sequence[str] = ()

    def __post_init__(self) -> None:
        if not FEATURE_NAME_PATTERN.fullmatch(self.name):
            raise ValueError(f"feature name {self.name!r} is not a snake_case identifier")
        for needed in self.requires:
            if not FEATURE_NAME_PATTERN.fullmatch(needed) or needed == self.name:
                raise ValueError(f"feature {self.name!r} cannot require {needed!r}")

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(str(model.__tablename__) for model in self.models)
