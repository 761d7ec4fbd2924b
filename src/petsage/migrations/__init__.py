"""PetSage's migrations: one linear Alembic history for the platform's tables and every
feature's.

`env.py` takes its target metadata from `target_metadata()`, which discovers the features, so
a feature's models reach Alembic through its `Feature(models=...)` declaration. The runner,
`petsage.database.migrate`, reads this folder as scripts and imports none of it.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from petsage.blueprint.discovery import discover_features
from petsage.database.base import Base


def target_metadata() -> MetaData:
    """Every table: the platform's and each feature's, enabled or not (disabling a feature
    leaves its data alone)."""
    discover_features()
    return Base.metadata
