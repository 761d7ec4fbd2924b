"""Finding the features: the packages under `petsage.features`, then installed plug-ins.

Built-in features are found by listing the `petsage.features` package, in name order; a
distribution installed beside PetSage adds its own through the `petsage.features` entry-point
group, also in name order, after the built-in ones. Every problem is a `FeatureError`: one
line naming the feature, which the command line prints before anything binds a port.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable, Iterator
from importlib.metadata import EntryPoint, entry_points

from sqlalchemy.exc import InvalidRequestError

from petsage.blueprint.feature import Feature
from petsage.database.base import Base
from petsage.health import history as _platform_models  # noqa: F401  (platform tables first)
from petsage.settings import ConfigurationError, Settings

BUILTIN_PACKAGE = "petsage.features"
ENTRY_POINT_GROUP = "petsage.features"
DISABLED_VARIABLE = "PETSAGE_FEATURES_DISABLED"
_DUPLICATE_TABLE = re.compile(r"Table '([^']+)' is already defined")


class FeatureError(ConfigurationError):
    """A feature cannot be loaded or clashes with another; the message names it."""


def discover_features() -> tuple[Feature, ...]:
    """Every feature, built-in first, each checked against the ones before it."""
    owners: dict[str, str] = {}
    features: list[Feature] = []
    sources: list[tuple[str, str | EntryPoint]] = [*_builtin_sources(), *_plugin_sources()]
    for name, source in sources:
        feature = _load(name, source, owners)
        if any(known.name == feature.name for known in features):
            raise FeatureError(f"feature {feature.name!r} is declared twice")
        features.append(feature)
    return tuple(features)


def select_features(features: Iterable[Feature], settings: Settings) -> tuple[Feature, ...]:
    """The features this app serves: not disabled by name, and switched on by their settings."""
    features = tuple(features)
    disabled = settings.features_disabled
    known = {feature.name: feature for feature in features}
    for name in sorted(disabled):
        if name not in known:
            raise ConfigurationError(f"invalid setting {DISABLED_VARIABLE}: no feature {name!r}")
        if (reason := known[name].required) is not None:
            raise ConfigurationError(
                f"invalid setting {DISABLED_VARIABLE}: feature {name!r} cannot be disabled: "
                f"{reason}"
            )
    return tuple(f for f in features if f.name not in disabled and f.enabled_when(settings))


def _builtin_sources() -> Iterator[tuple[str, str]]:
    package = importlib.import_module(BUILTIN_PACKAGE)
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.ispkg:
            yield module.name, f"{BUILTIN_PACKAGE}.{module.name}"


def _plugin_sources() -> Iterator[tuple[str, EntryPoint]]:
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        yield entry_point.name, entry_point


def _load(name: str, source: str | EntryPoint, owners: dict[str, str]) -> Feature:
    """Import one feature and check that its declaration is sound; `owners` maps each table
    declared so far to its feature."""
    before = set(Base.metadata.tables)
    try:
        loaded = _import(source)
    except InvalidRequestError as exc:
        raise _table_clash(name, str(exc), owners) from None
    except Exception as exc:  # any failure in a feature's import is that feature's problem
        reason = " ".join(str(exc).split()) or "no message"
        raise FeatureError(
            f"feature {name!r} failed to import: {type(exc).__name__}: {reason}"[:300]
        ) from None
    if not isinstance(loaded, Feature):
        raise FeatureError(f"feature {name!r} exports no `feature = Feature(...)` declaration")
    _check_models(loaded, set(Base.metadata.tables) - before, owners)
    return loaded


def _import(source: str | EntryPoint) -> object:
    if isinstance(source, EntryPoint):
        return source.load()
    return getattr(importlib.import_module(source), "feature", None)


def _table_clash(name: str, message: str, owners: dict[str, str]) -> FeatureError:
    match = _DUPLICATE_TABLE.search(message)
    table = match.group(1) if match else "?"
    owner = f"feature {owners[table]!r}" if table in owners else "the platform"
    return FeatureError(f"feature {name!r}: table {table!r} is already declared by {owner}")


def _check_models(feature: Feature, new_tables: set[str], owners: dict[str, str]) -> None:
    for model in feature.models:
        if model.metadata is not Base.metadata:
            raise FeatureError(
                f"feature {feature.name!r}: model {model.__name__} does not derive from "
                "petsage.database.base.Base, so migrations would not see it"
            )
    for table in feature.tables:
        if table in owners:
            raise FeatureError(
                f"feature {feature.name!r}: table {table!r} is already declared by "
                f"feature {owners[table]!r}"
            )
        owners[table] = feature.name
    undeclared = sorted(new_tables - set(feature.tables))
    if undeclared:
        raise FeatureError(
            f"feature {feature.name!r} defines table {undeclared[0]!r} without declaring its "
            "model in `models=`"
        )
