"""Mounting features on an app: routers with a capture check, checks, probes and lifespans.

Everything a feature hands the app is checked against what is mounted already, so that no
feature can take over another's requests or the platform's: its routes may not overlap
another owner's (`petsage.blueprint.routes`), its probe responders may only answer paths its
own routes serve, and its probe prefixes may only cover its own routes (or paths that are
probes already). Each refusal is one `FeatureError` line naming the feature.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractContextManager, AsyncExitStack, asynccontextmanager, nullcontext
from functools import partial

from fastapi import FastAPI

from petsage.blueprint.feature import AppServices, Feature
from petsage.blueprint.guard import (
    FeatureError,
    call_feature,
    deadline,
    describe_failure,
    within,
)
from petsage.blueprint.routes import (
    ServedRoute,
    first_overlap,
    owner_of,
    served_routes,
    under_prefix,
)
from petsage.health.check import Check
from petsage.health.registry import PLATFORM, CheckProvider
from petsage.http.probes import ProbeResponder
from petsage.settings import Settings

# The thread watchdog's bound on a lifespan start is this much later than the loop's own
# (`asyncio.timeout`), which fails cleanly when the loop is free to notice.
LIFESPAN_WATCHDOG_GRACE_SECONDS = 1.0


def include_routers(app: FastAPI, features: Iterable[Feature]) -> None:
    """Mount every feature's routers, refusing a route that could answer a request another
    owner's route answers: Starlette would route it to whichever came first."""
    mounted = list(served_routes(app.routes, PLATFORM))
    for feature in features:
        for route in feature_routes(feature):
            if (taken := first_overlap(route, mounted)) is not None:
                raise FeatureError(f"feature {feature.name!r}: {_clash(route, taken)}")
            mounted.append(route)
        for router in feature.routers:
            app.include_router(router)


def feature_routes(feature: Feature) -> list[ServedRoute]:
    owner = owner_of(feature.name)
    return [route for router in feature.routers for route in served_routes(router.routes, owner)]


def check_providers(
    features: Iterable[Feature], timeout: float
) -> tuple[tuple[str, CheckProvider], ...]:
    """Each feature's check provider, named by its feature for a clash's error, and guarded:
    whatever it raises (or a hang) is one line naming the feature."""
    return tuple(
        (owner_of(f.name), _guarded_provider(f.name, f.health_checks, timeout))
        for f in features
        if f.health_checks is not None
    )


def probe_responders(
    features: Iterable[Feature], services: AppServices
) -> dict[str, ProbeResponder]:
    """Every feature's fast-path responders. A responder answers before any route and any
    middleware, so each must answer a GET its own feature's routes serve, and one path gets
    one responder: otherwise a feature could answer readiness or liveness in their place."""
    timeout = services.settings.feature_start_timeout_seconds
    responders: dict[str, ProbeResponder] = {}
    owners: dict[str, str] = {}
    for feature in features:
        if feature.probes is None:
            continue
        given = call_feature(
            feature.name, "probes", partial(_responders_of, feature, services), timeout
        )
        own = feature_routes(feature)
        for path, responder in given.items():
            if not any(route.covers(path) for route in own if "GET" in (route.methods or ())):
                raise FeatureError(
                    f"feature {feature.name!r} gives a probe responder for {path}, a path "
                    "none of its own routes serves (GET)"
                )
            if path in owners:
                raise FeatureError(
                    f"feature {feature.name!r} gives a second probe responder for {path} "
                    f"(feature {owners[path]!r} gives one)"
                )
            responders[path], owners[path] = responder, feature.name
    return responders


def probe_paths(features: Sequence[Feature], platform: Iterable[ServedRoute]) -> tuple[str, ...]:
    """The probe prefixes, each checked to cover only its feature's own routes (or routes
    already under their owner's own prefixes): probe answers are left out of the access
    log and the metrics, so a prefix such as `/` would hide every request."""
    routes = [*platform, *(r for f in features for r in feature_routes(f))]
    prefixes = {owner_of(f.name): f.probe_paths for f in features}
    for feature in features:
        owner = owner_of(feature.name)
        for prefix in feature.probe_paths:
            # Below the prefix, or a pattern answering the prefix itself (`/x/{id}`, `/x/abc`).
            covered = [r for r in routes if under_prefix(r.path, prefix) or r.covers(prefix)]
            if not any(r.owner == owner for r in covered):
                raise FeatureError(
                    f"feature {feature.name!r}: probe path {prefix!r} covers none of its routes"
                )
            for route in covered:
                theirs = prefixes.get(route.owner, ())
                if route.owner != owner and not any(under_prefix(route.path, p) for p in theirs):
                    raise FeatureError(
                        f"feature {feature.name!r}: probe path {prefix!r} would hide "
                        f"{route.describe()} of {route.owner} from the access log and metrics"
                    )
    return tuple(sorted({path for feature in features for path in feature.probe_paths}))


@asynccontextmanager
async def running_features(
    features: Sequence[Feature], services: AppServices, *, exit_code: int | None = None
) -> AsyncIterator[None]:
    """Enter each feature's lifespan in order; exit them in reverse, whatever happens.

    A start that raises is a `FeatureError` naming the feature; one that takes longer than
    `PETSAGE_FEATURE_START_TIMEOUT_SECONDS` is cancelled, and with `exit_code` (a server
    process) a watchdog ends the process should the loop itself be blocked.
    """
    timeout = services.settings.feature_start_timeout_seconds
    async with AsyncExitStack() as stack:
        for feature in features:
            if feature.lifespan is not None:
                await _start(stack, feature, services, timeout, exit_code)
        yield


async def _start(
    stack: AsyncExitStack,
    feature: Feature,
    services: AppServices,
    seconds: float,
    exit_code: int | None,
) -> None:
    assert feature.lifespan is not None
    message = f"feature {feature.name!r}: its lifespan did not start {within(seconds)}"
    bound = asyncio.timeout(seconds)
    # Pushed first, so popped last: what it provided goes once its lifespan has ended.
    for key in feature.provides:
        stack.callback(services.state.discard, key)
    try:
        with _backstop(seconds + LIFESPAN_WATCHDOG_GRACE_SECONDS, message, exit_code):
            async with bound:
                await stack.enter_async_context(feature.lifespan(services))
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too
        if bound.expired():  # not a TimeoutError of the feature's own
            raise FeatureError(message) from None
        if isinstance(exc, asyncio.CancelledError) and _cancelled_from_outside():
            raise  # the server is stopping: not this feature's failure
        raise FeatureError(
            f"feature {feature.name!r} failed to start: {describe_failure(exc)}"
        ) from None
    for key in feature.provides:
        if key not in services.state:
            raise FeatureError(
                f"feature {feature.name!r}: its lifespan started without providing {key.name!r}"
            )


def _backstop(seconds: float, message: str, exit_code: int | None) -> AbstractContextManager[None]:
    return nullcontext() if exit_code is None else deadline(seconds, message, exit_code)


def _cancelled_from_outside() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _responders_of(feature: Feature, services: AppServices) -> dict[str, ProbeResponder]:
    assert feature.probes is not None
    return dict(feature.probes(services))


def _guarded_provider(name: str, provider: CheckProvider, timeout: float) -> CheckProvider:
    def provide(settings: Settings) -> tuple[Check, ...]:
        return call_feature(name, "health_checks", lambda: tuple(provider(settings)), timeout)

    return provide


def _clash(route: ServedRoute, taken: ServedRoute) -> str:
    if route.path == taken.path and route.methods is not None and taken.methods is not None:
        return f"{route.describe(taken.methods)} is already served by {taken.owner}"
    return (
        f"{route.describe(taken.methods)} overlaps {taken.describe(route.methods)} of "
        f"{taken.owner}: a request matching both would go to whichever is mounted first"
    )
