"""What each feature brings, as `petsage feature list` shows it: routes, checks, tables and
whether this configuration serves it. Built from discovery's declarations alone."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from petsage.blueprint.discovery import (
    configure,
    discover_features,
    platform_tables,
    select_features,
)
from petsage.blueprint.feature import Feature
from petsage.blueprint.guard import call_feature
from petsage.blueprint.mount import feature_routes
from petsage.blueprint.routes import ServedRoute, owner_of
from petsage.health.check import Check
from petsage.health.registry import PLATFORM
from petsage.settings import Settings


@dataclass(frozen=True, slots=True)
class Occupied:
    """What a new feature must not clash with: every route and probe prefix (with its owner)
    and every table (table -> owner) of the platform and of every feature found, enabled or
    not (a feature switched off today may be switched on tomorrow)."""

    routes: tuple[ServedRoute, ...]
    probe_prefixes: tuple[tuple[str, str], ...]
    tables: dict[str, str]


def occupied(platform: Iterable[ServedRoute], features: Iterable[Feature]) -> Occupied:
    features = tuple(features)
    tables = dict.fromkeys(platform_tables(), PLATFORM)
    for feature in features:
        tables.update(dict.fromkeys(feature.tables, owner_of(feature.name)))
    return Occupied(
        routes=(*platform, *(route for feature in features for route in feature_routes(feature))),
        probe_prefixes=tuple(
            (prefix, owner_of(feature.name))
            for feature in features
            for prefix in feature.probe_paths
        ),
        tables=tables,
    )


@dataclass(frozen=True, slots=True)
class FeatureEntry:
    name: str
    summary: str
    enabled: bool
    required: str | None
    routes: tuple[str, ...]
    checks: tuple[str, ...]
    tables: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def catalog(settings: Settings) -> tuple[FeatureEntry, ...]:
    """Every feature found, in discovery order; raises `ConfigurationError` as the app would."""
    found = discover_features(settings.feature_start_timeout_seconds)
    enabled = {feature.name for feature in select_features(found, configure(found, settings))}
    return tuple(_entry(feature, settings, feature.name in enabled) for feature in found)


def _entry(feature: Feature, settings: Settings, enabled: bool) -> FeatureEntry:
    return FeatureEntry(
        name=feature.name,
        summary=feature.summary,
        enabled=enabled,
        required=feature.required,
        routes=tuple(line for route in feature_routes(feature) for line in _lines(route)),
        checks=_check_names(feature, settings),
        tables=feature.tables,
    )


def _lines(route: ServedRoute) -> list[str]:
    if route.methods is None:  # a mount: everything below its path
        return [f"* {route.path.removesuffix('{path:path}')}"]
    # HEAD is answered wherever GET is (HeadAsGetMiddleware); it says nothing new.
    return [f"{method} {route.path}" for method in sorted(route.methods) if method != "HEAD"]


def _check_names(feature: Feature, settings: Settings) -> tuple[str, ...]:
    if feature.health_checks is None:
        return ()
    provider = feature.health_checks
    timeout = settings.feature_start_timeout_seconds
    checks = call_feature(feature.name, "health_checks", lambda: list(provider(settings)), timeout)
    # Building a check may open a client; listing must not leave it open.
    asyncio.run(_close(checks))
    return tuple(check.name for check in checks)


async def _close(checks: Iterable[Check]) -> None:
    for check in checks:
        if check.close is not None:
            await check.close()
