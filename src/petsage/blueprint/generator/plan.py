"""`petsage feature new`, as a function: check the request, work out the files, write them."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from petsage.blueprint.catalog import Occupied
from petsage.blueprint.generator.clashes import refuse_clashes
from petsage.blueprint.generator.migrations import Revision, next_revision, orphan_revision
from petsage.blueprint.generator.names import (
    FeatureNames,
    GeneratorError,
    check_name,
    feature_names,
)
from petsage.blueprint.generator.project import Project
from petsage.blueprint.generator.render import (
    FeatureSpec,
    GeneratedFile,
    RenderedFeature,
    render_feature,
)
from petsage.blueprint.generator.request import FeatureRequest, parse_request
from petsage.blueprint.generator.request_rules import check_fields, check_owned
from petsage.blueprint.generator.table_rules import check_indexes, check_order, own_indexes
from petsage.blueprint.generator.write import refuse_existing, write_feature


@dataclass(frozen=True, slots=True)
class FeaturePlan:
    """What `petsage feature new` writes (or, with `--dry-run`, would write)."""

    project: Project
    feature: FeatureSpec
    revision: Revision | None
    rendered: RenderedFeature

    @property
    def names(self) -> FeatureNames:
        return self.feature.names

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
            "noun": self.names.singular,
            "path": self.names.path,
            "tag": self.names.tag,
            "resource": self.revision is not None,
            "revision": self.revision.id if self.revision else None,
            "down_revision": self.revision.down_revision if self.revision else None,
            "root": str(self.project.root),
            "fields": [field.name for field in self.feature.fields],
            "auth": "scopes" if self.feature.protected else "none",
            "owned": self.feature.owned,
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
    """`plan_request` for a request of a name and options alone (a resource gets `name`)."""
    options = {"path": path, "description": description}
    request = {"feature": name, "resource": resource}
    request |= {key: value for key, value in options.items() if value is not None}
    return plan_request(project, parse_request(request), occupied=occupied)


def plan_request(project: Project, request: FeatureRequest, *, occupied: Occupied) -> FeaturePlan:
    """Check everything and render every file; raise `GeneratorError` on any problem.

    `occupied`: what the platform and every feature found serve and declare
    (`petsage.blueprint.catalog.occupied`); the new feature may clash with none of it.
    """
    check_name(request.feature)
    features = project.existing_features()
    if request.feature in features:
        raise GeneratorError(f"feature {request.feature!r} already exists")
    feature = feature_spec(request, features=features, tables=occupied.tables)
    names, revision = feature.names, None
    if request.resource:
        orphan = orphan_revision(project.migrations_dir, names.name)
        revision = orphan or next_revision(project.migrations_dir)
    plan = FeaturePlan(project, feature, revision, render_feature(feature, revision=revision))
    refuse_clashes(names, plan.rendered, occupied)
    refuse_existing(plan.feature_dir, None if plan.replaces_orphan else plan.migration)
    return plan


def feature_spec(
    request: FeatureRequest, *, features: Collection[str], tables: Mapping[str, str]
) -> FeatureSpec:
    """The request checked against a project: `features` it has (a `ref` may name one),
    `tables` (table -> owner) it declares."""
    if request.noun is not None and not request.resource:
        raise GeneratorError("noun: only a resource has rows to name (resource: true)")
    names = feature_names(
        request.feature, noun=request.noun, path=request.path, description=request.description
    )
    fields = check_fields(request, names, features=features, tables=tables)
    owned, order = check_owned(request), check_order(request)
    indexes = check_indexes(request, names.table, owned=owned, order=order)
    return FeatureSpec(
        names,
        request.requirements,
        fields,
        protected=request.auth != "none",
        owned=owned,
        order=order,
        indexes=indexes,
        own_indexes=own_indexes(fields, indexes, owned=owned, order=order),
    )


def write_plan(plan: FeaturePlan) -> None:
    write_feature(
        plan.feature_dir,
        plan.rendered.feature_files,
        plan.migration,
        replace_migration=plan.replaces_orphan,
    )
