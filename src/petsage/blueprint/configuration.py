"""`Configuration`: the core settings and each feature's own, built once at start-up.

A feature declares its settings class (`Feature(settings=StatusPageSettings)`); the factory
loads one instance of each from the environment before anything else is built, so a bad value
is the same one-line error as a bad core setting. The feature then reaches its settings
typed: `configuration.of(StatusPageSettings)` in `enabled_when` and its lifespan, and
`feature_settings(StatusPageSettings)` as a request dependency.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

from fastapi import Request

from petsage.http.state import StateKey, state_of
from petsage.settings import FeatureSettings, Settings

S = TypeVar("S", bound=FeatureSettings)


class UndeclaredSettingsError(LookupError):
    """Settings asked for by a class that no served feature declares."""


@dataclass(frozen=True, slots=True)
class Configuration:
    core: Settings
    # One instance per class, keyed by that class: `of` returns what its key promises.
    features: Mapping[type[FeatureSettings], FeatureSettings] = field(default_factory=dict)

    def of(self, cls: type[S]) -> S:
        try:
            return cast(S, self.features[cls])
        except KeyError:
            raise UndeclaredSettingsError(
                f"no feature served declares {cls.__name__} as its settings"
            ) from None


CONFIGURATION: StateKey[Configuration] = StateKey("configuration")


def feature_settings(cls: type[S]) -> Callable[[Request], Awaitable[S]]:
    """A request dependency answering the app's instance of `cls`:
    `Annotated[StatusPageSettings, Depends(feature_settings(StatusPageSettings))]`."""

    async def read(request: Request) -> S:
        return state_of(request.app).get(CONFIGURATION).of(cls)

    read.__name__ = f"settings_{cls.__name__}"
    return read
