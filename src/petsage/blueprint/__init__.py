"""The PetSage blueprint as code: the feature contract, its discovery, and its generator.

A feature is a package under `petsage.features` (or an installed distribution registering one
in the `petsage.features` entry-point group) whose `__init__.py` exports `feature`, a
`Feature` declaring everything the feature brings. The app factory finds and mounts them.
"""

from petsage.blueprint.configuration import Configuration, feature_settings
from petsage.blueprint.feature import AppServices, Feature, MetricsExport, ProbeProvider
from petsage.http.state import StateKey
from petsage.settings import FeatureSettings

__all__ = [
    "AppServices",
    "Configuration",
    "Feature",
    "FeatureSettings",
    "MetricsExport",
    "ProbeProvider",
    "StateKey",
    "feature_settings",
]
