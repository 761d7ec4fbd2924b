"""Mounting features on an app: routers with a clash check, checks, probes and lifespans."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount, Route

from petsage.blueprint.discovery import FeatureError
from petsage.blueprint.feature import AppServices, Feature
from petsage.health.registry import CheckProvider
from petsage.probes import ProbeResponder

PLATFORM = "the platform"


def include_routers(app: FastAPI, features: Iterable[Feature]) -> None:
    """Mount every feature's routers, refusing a method and path that someone already serves
    (Starlette would silently route it to whichever came first)."""
    owners = {key: PLATFORM for route in app.routes for key in _route_keys(route)}
    for feature in features:
        for router in feature.routers:
            for route in router.routes:
                for key in _route_keys(route):
                    if key in owners:
                        method, path = key
                        raise FeatureError(
                            f"feature {feature.name!r}: {method} {path} is already served "
                            f"by {_describe(owners[key])}"
                        )
                    owners[key] = feature.name
            app.include_router(router)


def check_providers(features: Iterable[Feature]) -> tuple[tuple[str, CheckProvider], ...]:
    """Each feature's check provider, named by its feature for a clash's error."""
    return tuple(
        (f"feature {f.name!r}", f.health_checks) for f in features if f.health_checks is not None
    )


def probe_responders(
    features: Iterable[Feature], services: AppServices
) -> dict[str, ProbeResponder]:
    responders: dict[str, ProbeResponder] = {}
    for feature in features:
        if feature.probes is not None:
            responders.update(feature.probes(services))
    return responders


def probe_paths(features: Iterable[Feature]) -> tuple[str, ...]:
    return tuple(sorted({path for feature in features for path in feature.probe_paths}))


@asynccontextmanager
async def running_features(
    features: Sequence[Feature], services: AppServices
) -> AsyncIterator[None]:
    """Enter each feature's lifespan in order; exit them in reverse, whatever happens."""
    async with AsyncExitStack() as stack:
        for feature in features:
            if feature.lifespan is not None:
                await stack.enter_async_context(feature.lifespan(services))
        yield


def _route_keys(route: BaseRoute) -> Iterator[tuple[str, str]]:
    if isinstance(route, Route):
        for method in sorted(route.methods or ()):
            yield method, route.path
    elif isinstance(route, Mount):
        yield "*", route.path + "/"


def _describe(owner: str) -> str:
    return owner if owner == PLATFORM else f"feature {owner!r}"
