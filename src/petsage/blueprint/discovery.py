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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Mapper

from petsage.blueprint.configuration import Configuration
from petsage.blueprint.feature import Feature
from petsage.blueprint.guard import (
    DEFAULT_START_TIMEOUT_SECONDS,
    FeatureError,
    call_feature,
    deadline,
    describe_failure,
    within,
)
from petsage.database.base import Base
from petsage.health import history as _platform_models  # noqa: F401  (platform tables first)
from petsage.health.registry import PLATFORM
from petsage.settings import (
    ENV_PREFIX,
    ConfigurationError,
    FeatureSettings,
    Settings,
    load_feature_settings,
)

BUILTIN_PACKAGE = "petsage.features"
ENTRY_POINT_GROUP = "petsage.features"
DISABLED_VARIABLE = "PETSAGE_FEATURES_DISABLED"
_NAME_SHOWN = 40
_DUPLICATE_TABLE = re.compile(r"Table '([^']+)' is already defined")

__all__ = [
    "FeatureError",
    "configure",
    "discover_features",
    "platform_tables",
    "select_features",
]


def discover_features(
    timeout: float = DEFAULT_START_TIMEOUT_SECONDS,
) -> tuple[Feature, ...]:
    """Every feature, built-in first, each checked against the ones before it; each import
    may take up to `timeout` seconds (`petsage.blueprint.guard`)."""
    owners = dict.fromkeys(platform_tables(), PLATFORM)
    variables = dict.fromkeys(core_variables(), PLATFORM)
    features: list[Feature] = []
    sources: list[tuple[str, str | EntryPoint]] = [*_builtin_sources(), *_plugin_sources()]
    for name, source in sources:
        feature = _load(name, source, owners, timeout)
        if any(known.name == feature.name for known in features):
            raise FeatureError(f"feature {feature.name!r} is declared twice")
        _check_variables(feature, variables)
        features.append(feature)
    return tuple(features)


def core_variables() -> tuple[str, ...]:
    """The environment variables of the core settings."""
    return tuple(f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields)


def _check_variables(feature: Feature, owners: dict[str, str]) -> None:
    """One variable, one meaning: a feature's settings may not read another owner's."""
    mine = feature.settings.variables() if feature.settings is not None else ()
    for variable in mine:
        if (owner := owners.get(variable)) is not None:
            theirs = owner if owner == PLATFORM else f"feature {owner!r}"
            raise FeatureError(
                f"feature {feature.name!r}: setting {variable} is already read by {theirs}"
            )
    owners.update(dict.fromkeys(mine, feature.name))


def configure(
    features: Iterable[Feature], settings: Settings, given: Iterable[FeatureSettings] = ()
) -> Configuration:
    """The core settings and the settings of every feature not disabled by name, each loaded
    from the environment (or taken from `given`, tests' instances) and validated now: a bad
    value is one line naming its variable, as for a core setting."""
    chosen = {type(instance): instance for instance in given}
    loaded: dict[type[FeatureSettings], FeatureSettings] = {}
    for feature in features:
        cls = feature.settings
        if cls is None or feature.name in settings.features_disabled or cls in loaded:
            continue
        loaded[cls] = chosen[cls] if cls in chosen else _load_settings(feature.name, cls)
    return Configuration(settings, loaded)


def _load_settings(name: str, cls: type[FeatureSettings]) -> FeatureSettings:
    try:
        return load_feature_settings(cls)
    except ConfigurationError:
        raise
    except Exception as exc:  # a plug-in's validator that raised something else
        raise FeatureError(
            f"feature {name!r}: its settings failed to load: {describe_failure(exc)}"
        ) from None


def select_features(
    features: Iterable[Feature], configuration: Configuration
) -> tuple[Feature, ...]:
    """The features this app serves: not disabled by name, and switched on by their settings."""
    features = tuple(features)
    settings = configuration.core
    disabled = settings.features_disabled
    known = {feature.name: feature for feature in features}
    for name in sorted(disabled):
        if name not in known:
            # Only the start of an unknown name: the value may be any length.
            shown = name if len(name) <= _NAME_SHOWN else f"{name[:_NAME_SHOWN]}..."
            raise ConfigurationError(
                f"invalid setting {DISABLED_VARIABLE}: no feature {shown!r} "
                f"(known: {', '.join(sorted(known))})"
            )
        if (reason := known[name].required) is not None:
            raise ConfigurationError(
                f"invalid setting {DISABLED_VARIABLE}: feature {name!r} cannot be disabled: "
                f"{reason}"
            )
    timeout = settings.feature_start_timeout_seconds
    selected = tuple(
        f for f in features if f.name not in disabled and _enabled(f, configuration, timeout)
    )
    _check_requirements(selected, known, disabled)
    return selected


def _check_requirements(
    selected: Sequence[Feature], known: Mapping[str, Feature], disabled: frozenset[str]
) -> None:
    """Every feature served has the features it requires served too: one line naming both."""
    served = {feature.name for feature in selected}
    for feature in selected:
        for needed in feature.requires:
            if needed in served:
                continue
            problem = f"feature {feature.name!r} requires {needed!r}"
            if needed in disabled:
                raise ConfigurationError(
                    f"invalid setting {DISABLED_VARIABLE}: {problem}, which is disabled"
                )
            if needed in known:
                raise ConfigurationError(f"{problem}, which its settings switch off")
            raise FeatureError(f"{problem}, which is not installed")


def _enabled(feature: Feature, configuration: Configuration, timeout: float) -> bool:
    return call_feature(
        feature.name, "enabled_when", partial(feature.enabled_when, configuration), timeout
    )


def platform_tables() -> frozenset[str]:
    """The tables of the platform's own models: mapped by classes outside any feature (a
    feature imported earlier in this process has its tables in the metadata too)."""
    return frozenset(
        _table_of(mapper)
        for mapper in Base.registry.mappers
        if mapper.class_.__module__.startswith("petsage.")
        and not mapper.class_.__module__.startswith(f"{BUILTIN_PACKAGE}.")
    )


def _builtin_sources() -> Iterator[tuple[str, str]]:
    package = importlib.import_module(BUILTIN_PACKAGE)
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.ispkg:
            yield module.name, f"{BUILTIN_PACKAGE}.{module.name}"


def _plugin_sources() -> Iterator[tuple[str, EntryPoint]]:
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        yield entry_point.name, entry_point


def _load(name: str, source: str | EntryPoint, owners: dict[str, str], timeout: float) -> Feature:
    """Import one feature and check that its declaration is sound; `owners` maps each table
    declared so far to its owner (the platform or a feature)."""
    before = set(Base.metadata.tables)
    mapped_before = set(Base.registry.mappers)
    try:
        with deadline(timeout, f"feature {name!r} did not finish importing {within(timeout)}"):
            loaded = _import(source)
    except InvalidRequestError as exc:
        raise _table_clash(name, str(exc), owners) from None
    except BaseException as exc:
        # Any failure in a feature's import (its sys.exit or KeyboardInterrupt too) is that
        # feature's problem, told in one line.
        raise FeatureError(
            f"feature {name!r} failed to import: {describe_failure(exc)}"[:300]
        ) from None
    if not isinstance(loaded, Feature):
        raise FeatureError(f"feature {name!r} exports no `feature = Feature(...)` declaration")
    remapped = {_table_of(mapper) for mapper in set(Base.registry.mappers) - mapped_before}
    remapped &= set(owners)
    _check_models(loaded, set(Base.metadata.tables) - before, remapped, owners)
    return loaded


def _table_of(mapper: Mapper[Any]) -> str:
    return str(getattr(mapper.local_table, "name", ""))


def _import(source: str | EntryPoint) -> object:
    if isinstance(source, EntryPoint):
        return source.load()
    return getattr(importlib.import_module(source), "feature", None)


def _table_clash(name: str, message: str, owners: dict[str, str]) -> FeatureError:
    match = _DUPLICATE_TABLE.search(message)
    table = match.group(1) if match else "?"
    return FeatureError(
        f"feature {name!r}: table {table!r} is already declared by {_owner(owners, table)}"
    )


def _owner(owners: dict[str, str], table: str) -> str:
    owner = owners.get(table, PLATFORM)
    return owner if owner == PLATFORM else f"feature {owner!r}"


def _check_models(
    feature: Feature, new_tables: set[str], remapped: set[str], owners: dict[str, str]
) -> None:
    """`remapped`: tables declared before that the import mapped a class onto again
    (`extend_existing=True` redefines a table without the clash SQLAlchemy raises)."""
    for model in feature.models:
        if model.metadata is not Base.metadata:
            raise FeatureError(
                f"feature {feature.name!r}: model {model.__name__} does not derive from "
                "petsage.database.base.Base, so migrations would not see it"
            )
    for table in sorted(remapped) + [t for t in feature.tables if t not in remapped]:
        if table in owners:
            raise FeatureError(
                f"feature {feature.name!r}: table {table!r} is already declared by "
                f"{_owner(owners, table)}"
            )
    owners.update(dict.fromkeys(feature.tables, feature.name))
    undeclared = sorted(new_tables - set(feature.tables))
    if undeclared:
        raise FeatureError(
            f"feature {feature.name!r} defines table {undeclared[0]!r} without declaring its "
            "model in `models=`"
        )
