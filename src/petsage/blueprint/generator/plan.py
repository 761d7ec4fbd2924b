"""`petsage feature new`, as a function: check the name, work out the files, write them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from petsage.blueprint.catalog import Occupied
from petsage.blueprint.generator.clashes import refuse_clashes
from petsage.blueprint.generator.migrations import Revision, next_revision, orphan_revision
from petsage.blueprint.generator.names import FeatureNames, GeneratorError, feature_names
from petsage.blueprint.generator.project import Project
from petsage.blueprint.generator.render import GeneratedFile, RenderedFeature, render_feature
from petsage.blueprint.generator.write import refuse_existing, write_feature


@dataclass(frozen=True, slots=True)
class FeaturePlan:
    """What `petsage feature new` writes (or, with `--dry-run`, would write)."""

    project: Project
    names: FeatureNames
    revision: Revision | None
    rendered: RenderedFeature

    @property
    def feature_dir(self) -> Path:
        return self.project.features_dir / self.names.name

    @property
    def migration(self) -> tuple[Path, GeneratedFile] | None:
        if self.rendered.migration is None:
            return None
        return (self.project.versions_dir, self.rendered.migration)

    @property
    def replaces_orphan(self) -> bool:
        return self.revision is not None and self.revision.replaces_orphan

    def paths(self) -> list[Path]:
        """Every file, relative to the project root."""
        written = [self.feature_dir / file.path for file in self.rendered.feature_files]
        if self.rendered.migration is not None:
            written.append(self.project.versions_dir / self.rendered.migration.path)
        return [path.relative_to(self.project.root) for path in written]

    def summary(self, *, dry_run: bool) -> dict[str, Any]:
        """The `--json` answer."""
        return {
            "name": self.names.name,
            "path": self.names.path,
            "tag": self.names.tag,
            "resource": self.revision is not None,
            "revision": self.revision.id if self.revision else None,
            "down_revision": self.revision.down_revision if self.revision else None,
            "root": str(self.project.root),
            "files": [str(path) for path in self.paths()],
            "dry_run": dry_run,
        }


def plan_feature(
    project: Project,
    name: str,
    *,
    resource: bool = False,
    path: str | None = None,
    description: str | None = None,
    occupied: Occupied,
) -> FeaturePlan:
    """Check everything and render every file; raise `GeneratorError` on any problem.

    `occupied`: what the platform and every feature found serve and declare
    (`petsage.blueprint.catalog.occupied`); the new feature may clash with none of it.
    """
    names = feature_names(name, path=path, description=description)
    if names.name in project.existing_features():
        raise GeneratorError(f"feature {name!r} already exists")
    revision = None
    if resource:
        orphan = orphan_revision(project.migrations_dir, names.name)
        revision = orphan or next_revision(project.migrations_dir)
    today = datetime.now(UTC).date()
    plan = FeaturePlan(
        project, names, revision, render_feature(names, revision=revision, today=today)
    )
    refuse_clashes(names, plan.rendered, occupied)
    refuse_existing(plan.feature_dir, None if plan.replaces_orphan else plan.migration)
    return plan


def write_plan(plan: FeaturePlan) -> None:
    write_feature(
        plan.feature_dir,
        plan.rendered.feature_files,
        plan.migration,
        replace_migration=plan.replaces_orphan,
    )
