"""Environment maps from deployment files, checked against the one `Settings` class."""

from __future__ import annotations

from collections.abc import Mapping

from petsage.auth.settings import AuthSettings
from petsage.blueprint.discovery import discover_features
from petsage.settings import ENV_PREFIX, Settings, load_settings


def unknown_settings(env: Mapping[str, str]) -> set[str]:
    """`PETSAGE_*` names that no settings field reads (the core's, identity's, or a feature's
    own class): a typo is silently ignored otherwise."""
    fields = [*Settings.model_fields, *AuthSettings.model_fields]
    known = {f"{ENV_PREFIX}{name.upper()}" for name in fields}
    for feature in discover_features():
        known.update(feature.settings.variables() if feature.settings is not None else ())
    return {key for key in env if key.startswith(ENV_PREFIX)} - known


def settings_from(env: Mapping[str, str]) -> Settings:
    """The `Settings` a process started with `env` would get (raises if a value is invalid)."""
    values = {
        key.removeprefix(ENV_PREFIX).lower(): value
        for key, value in env.items()
        if key.startswith(ENV_PREFIX)
    }
    return load_settings(_env_file=None, **values)
