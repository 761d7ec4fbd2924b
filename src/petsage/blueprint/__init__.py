"""The PetSage blueprint as code: the feature contract, its discovery, and its generator.

A feature is a package under `petsage.features` (or an installed distribution registering one
in the `petsage.features` entry-point group) whose `__init__.py` exports `feature`, a
`Feature` declaring everything the feature brings. The app factory finds and mounts them.
"""

from petsage.blueprint.feature import AppServices, Feature, ProbeProvider

__all__ = ["AppServices", "Feature", "ProbeProvider"]
