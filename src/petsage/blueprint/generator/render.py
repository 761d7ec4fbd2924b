"""A new feature as a plan: every file it needs, rendered from the packaged templates.

The templates render code already in the project's style (ruff format and ruff check leave
it as it is, for any valid request), so nothing here formats or patches the output. The same
request renders the same bytes: nothing depends on the clock (the migration has no
"Create Date"; git dates it) and the revision is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from petsage.blueprint.generator.layout import LINE_MAX, Call, joined, lay_out
from petsage.blueprint.generator.migrations import Revision
from petsage.blueprint.generator.names import FeatureNames, indefinite
from petsage.blueprint.generator.render_resource import resource_context
from petsage.blueprint.generator.request_rules import ResourceField

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
class FeatureSpec:
    """A checked request: the names, the requirements and (a resource's) fields."""

    names: FeatureNames
    requirements: str | None = None
    fields: tuple[ResourceField, ...] = ()
    # A resource's access rule: scopes needed (else open), rows owned by their creators.
    protected: bool = True
    owned: bool = False
    # A resource's default list order (`-started_at`), None for the kit's (by id).
    order: str | None = None
    # Composite indexes, each its columns in order.
    indexes: tuple[tuple[str, ...], ...] = ()
    # The columns with an index of their own (`table_rules.own_indexes`).
    own_indexes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """One file to write; `path` is relative to its destination folder."""

    path: PurePosixPath
    content: str


@dataclass(frozen=True, slots=True)
class RenderedFeature:
    feature_files: tuple[GeneratedFile, ...]
    migration: GeneratedFile | None


def render_feature(feature: FeatureSpec, *, revision: Revision | None) -> RenderedFeature:
    """The feature's files; a resource (`revision` given) also gets its migration."""
    names = feature.names
    context = _context(feature, revision)
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


def _context(feature: FeatureSpec, revision: Revision | None) -> dict[str, Any]:
    names = feature.names
    down = revision.down_revision if revision else None
    context = {
        "name": names.name,
        "class_name": names.class_name,
        "tag": names.tag,
        "noun": names.noun,
        "plural": names.plural,
        "plural_noun": names.plural.replace("_", " "),
        "article": indefinite(names.noun),
        "table": names.table,
        "path": names.path,
        "description": names.description,
        "requirements": feature.requirements,
        "order": feature.order,
        "revision": revision.id if revision else None,
        "down_revision": down,
        "down_revision_literal": f'"{down}"' if down else "None",
    }
    if revision is not None:
        context |= resource_context(
            feature.fields,
            names.name,
            names.table,
            owned=feature.owned,
            indexes=feature.indexes,
            own=feature.own_indexes,
        )
        context["access"] = (
            f'Access.scopes("{names.name}")' if feature.protected else "Access.none()"
        )
    return context


def layout(
    head: str,
    arguments: list[str],
    *,
    prefix: str = "",
    suffix: str = "",
    indent: int = 0,
    brackets: str = "()",
    imports: bool = False,
) -> str:
    """A call, subscript, signature or import as ruff format lays it out, for the templates."""
    if imports:
        one_line = head + ", ".join(arguments)
        if len(one_line) <= LINE_MAX:
            return one_line
        return joined([f"{head}(", *(f"    {argument}," for argument in arguments), ")"])
    code = Call(head, tuple(arguments), brackets)
    return joined(lay_out(code, indent, prefix, suffix))


def _tuple(items: list[str]) -> str:
    """A tuple literal of strings: `("a",)`, `("a", "b")`."""
    quoted = [f'"{item}"' for item in items]
    return f"({quoted[0]},)" if len(quoted) == 1 else f"({', '.join(quoted)})"


def _render(template: str, context: dict[str, Any]) -> str:
    return _environment().get_template(template).render(context)


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("petsage.blueprint", "templates"),
        # The output is Python source, not HTML: escaping would corrupt it.
        autoescape=False,  # noqa: S701
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["layout"] = layout
    environment.filters["tuple"] = _tuple
    return environment
