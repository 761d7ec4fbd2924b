"""Where a generated feature goes: the source tree of the project the command runs in.

By default that is the tree the installed `petsage` package comes from: with the editable
install `uv sync` makes, `petsage/__init__.py` lives in `<project>/src/petsage/`, so the
project is two levels above the package. `--root` names another project directory (one with
`src/petsage/` in it); a wheel installed into site-packages has no source tree to write to.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import petsage
from petsage.blueprint.discovery import ENTRY_POINT_GROUP
from petsage.blueprint.generator.names import GeneratorError


@dataclass(frozen=True, slots=True)
class Project:
    """A PetSage source tree: `<root>/src/petsage/`."""

    root: Path

    @property
    def package_dir(self) -> Path:
        return self.root / "src" / "petsage"

    @property
    def features_dir(self) -> Path:
        return self.package_dir / "features"

    @property
    def migrations_dir(self) -> Path:
        return self.package_dir / "migrations"

    @property
    def versions_dir(self) -> Path:
        return self.migrations_dir / "versions"

    def existing_features(self) -> frozenset[str]:
        """Feature packages in the tree, and features installed through entry points."""
        folders = {
            child.name
            for child in self.features_dir.iterdir()
            if child.is_dir() and not child.name.startswith(("_", "."))
        }
        return frozenset(folders | installed_feature_names())


def installed_feature_names() -> frozenset[str]:
    return frozenset(point.name for point in entry_points(group=ENTRY_POINT_GROUP))


def locate_project(root: Path | None = None) -> Project:
    """The project at `root`, or the one the installed `petsage` package comes from."""
    project = Project(root.resolve() if root else _installed_root())
    if not project.features_dir.is_dir() or not project.versions_dir.is_dir():
        raise GeneratorError(
            f"{project.root} is not a PetSage source tree (no src/petsage/features and "
            "src/petsage/migrations/versions); pass --root"
        )
    return project


def _installed_root() -> Path:
    return Path(petsage.__file__).resolve().parent.parent.parent
