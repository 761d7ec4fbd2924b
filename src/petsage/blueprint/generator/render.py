"""A new feature as a plan: every file it needs, rendered from the packaged templates.

The templates render code already in the project's style (ruff format and ruff check leave
it as it is, for any valid name), so nothing here formats or patches the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from petsage.blueprint.generator.migrations import Revision
from petsage.blueprint.generator.names import FeatureNames

# The longest `name` a resource holds, in its ORM model and in its migration alike.
RESOURCE_NAME_MAX = 100
# (template, file in the feature's folder); `{name}` is the feature's name.
PLAIN_FILES = (
    ("plain/__init__.py.jinja", "__init__.py"),
    ("plain/models.py.jinja", "models.py"),
    ("plain/service.py.jinja", "service.py"),
    ("plain/router.py.jinja", "router.py"),
    ("plain/tests/__init__.py.jinja", "tests/__init__.py"),
    ("plain/tests/test_feature.py.jinja", "tests/test_{name}.py"),
)
RESOURCE_FILES = (
    ("resource/__init__.py.jinja", "__init__.py"),
    ("resource/orm.py.jinja", "orm.py"),
    ("resource/models.py.jinja", "models.py"),
    ("resource/service.py.jinja", "service.py"),
    ("resource/router.py.jinja", "router.py"),
    ("resource/tests/__init__.py.jinja", "tests/__init__.py"),
    ("resource/tests/test_feature.py.jinja", "tests/test_{name}.py"),
)
MIGRATION_TEMPLATE = "migration/revision.py.jinja"


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """One file to write; `path` is relative to its destination folder."""

    path: PurePosixPath
    content: str


@dataclass(frozen=True, slots=True)
class RenderedFeature:
    feature_files: tuple[GeneratedFile, ...]
    migration: GeneratedFile | None


def render_feature(
    names: FeatureNames, *, revision: Revision | None, today: date
) -> RenderedFeature:
    """The feature's files; a resource (`revision` given) also gets its migration."""
    context = _context(names, revision, today)
    layout = PLAIN_FILES if revision is None else RESOURCE_FILES
    files = tuple(
        GeneratedFile(PurePosixPath(target.format(name=names.name)), _render(template, context))
        for template, target in layout
    )
    if revision is None:
        return RenderedFeature(files, None)
    migration = GeneratedFile(
        PurePosixPath(f"{revision.id}_{names.name}.py"), _render(MIGRATION_TEMPLATE, context)
    )
    return RenderedFeature(files, migration)


def _context(names: FeatureNames, revision: Revision | None, today: date) -> dict[str, Any]:
    down = revision.down_revision if revision else None
    return {
        "name": names.name,
        "class_name": names.class_name,
        "tag": names.tag,
        "noun": names.noun,
        "plural": names.plural,
        "table": names.table,
        "path": names.path,
        "description": names.description,
        "name_max": RESOURCE_NAME_MAX,
        "revision": revision.id if revision else None,
        "down_revision": down,
        "down_revision_literal": f'"{down}"' if down else "None",
        "create_date": today.isoformat(),
    }


def _render(template: str, context: dict[str, Any]) -> str:
    return _environment().get_template(template).render(context)


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("petsage.blueprint", "templates"),
        # The output is Python source, not HTML: escaping would corrupt it.
        autoescape=False,  # noqa: S701
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
