"""What a new feature would clash with, refused before anything is written.

Each check reads the rendered files themselves rather than a list kept beside the
templates, so a template that changes its imports or routes is checked as it now is:

- a module-level name bound twice in one file (a class `Feature` after `from
  petsage.blueprint import Feature`): the generated class would shadow the import;
- a route that overlaps one the platform or any feature serves, enabled or not, in either
  direction (`/system/{id}` would answer `GET /system/info`; the `/docs-static` mount
  would answer `/docs-static/{id}`), or that lies under another feature's probe prefix
  (its requests would vanish from the access log and the metrics);
- a table the platform or a feature already declares.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from petsage.blueprint.catalog import Occupied
from petsage.blueprint.generator.names import FeatureNames, GeneratorError
from petsage.blueprint.generator.render import GeneratedFile, RenderedFeature
from petsage.blueprint.routes import ServedRoute, first_overlap, under_prefix

NEW_FEATURE = "the new feature"
ROUTER_FILE = "router.py"
ROUTER_VARIABLE = "router"
# What `petsage.resources.resource_router(...)` serves below its prefix. The kit sits above the
# blueprint, so it is stated here; tests/blueprint/test_feature_clashes.py holds it to the kit.
KIT_BUILDER = "resource_router"
KIT_ROUTES = (("GET", ""), ("POST", ""), ("GET", "/{id}"), ("PATCH", "/{id}"), ("DELETE", "/{id}"))


def refuse_clashes(names: FeatureNames, rendered: RenderedFeature, occupied: Occupied) -> None:
    """Raise `GeneratorError` (one line) if the rendered feature clashes with anything."""
    files = [*rendered.feature_files, *([rendered.migration] if rendered.migration else [])]
    for generated in files:
        _refuse_double_bindings(names, generated)
    for route in new_routes(rendered):
        _refuse_taken_route(names, route, occupied)
    if rendered.migration is not None and (owner := occupied.tables.get(names.table)):
        raise GeneratorError(
            f"feature {names.name!r}: table {names.table!r} is already declared by {owner}"
        )


def new_routes(rendered: RenderedFeature) -> list[ServedRoute]:
    """The routes the rendered `router.py` declares: `APIRouter(prefix=...)` and each
    `@router.<method>("<path>")`, or the kit's under `resource_router(..., prefix=...)`."""
    router = next(f for f in rendered.feature_files if str(f.path) == ROUTER_FILE)
    tree = ast.parse(router.content)
    prefix, routes = "", list[tuple[str, str]]()
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for keyword in node.value.keywords:
                if keyword.arg == "prefix" and isinstance(keyword.value, ast.Constant):
                    prefix = str(keyword.value.value)
            function = node.value.func
            if isinstance(function, ast.Name) and function.id == KIT_BUILDER:
                routes += KIT_ROUTES
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            routes += [
                (method, path) for method, path in map(_route_of, node.decorator_list) if method
            ]
    return [
        ServedRoute(NEW_FEATURE, frozenset({m, "HEAD"} if m == "GET" else {m}), prefix + path)
        for m, path in routes
    ]


def _route_of(decorator: ast.expr) -> tuple[str, str]:
    """`@router.get("/{id}")` -> ("GET", "/{id}"); anything else -> ("", "")."""
    if not isinstance(decorator, ast.Call) or not decorator.args:
        return "", ""
    function, path = decorator.func, decorator.args[0]
    if (
        isinstance(function, ast.Attribute)
        and isinstance(function.value, ast.Name)
        and function.value.id == ROUTER_VARIABLE
        and isinstance(path, ast.Constant)
        and isinstance(path.value, str)
    ):
        return function.attr.upper(), path.value
    return "", ""


def _refuse_taken_route(names: FeatureNames, route: ServedRoute, occupied: Occupied) -> None:
    taken = first_overlap(route, occupied.routes)
    if taken is not None:
        verb = "is already served by" if route.path == taken.path else "would overlap"
        what = "" if route.path == taken.path else f"{taken.describe(route.methods)} of "
        raise GeneratorError(
            f"path {names.path!r}: {route.describe(taken.methods)} {verb} {what}{taken.owner}"
        )
    for prefix, owner in occupied.probe_prefixes:
        if under_prefix(route.path, prefix):
            raise GeneratorError(
                f"path {names.path!r}: {route.path} lies under {prefix}, probe paths of "
                f"{owner}, whose requests stay out of the access log and metrics"
            )


def _refuse_double_bindings(names: FeatureNames, generated: GeneratedFile) -> None:
    if generated.path.suffix != ".py":
        return
    seen: dict[str, str] = {}
    for name, how in _module_bindings(ast.parse(generated.content)):
        if name in seen:
            raise GeneratorError(
                f"feature name {names.name!r} would bind {name} twice in {generated.path} "
                f"({seen[name]}, then {how}); choose another name"
            )
        seen[name] = how


def _module_bindings(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """Each name a module's top level binds, and how (`from x import y`, `class y`)."""
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.asname or alias.name.split(".")[0], f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            source = "." * node.level + (node.module or "")
            for alias in node.names:
                yield alias.asname or alias.name, f"from {source} import {alias.name}"
        elif isinstance(node, ast.ClassDef):
            yield node.name, f"class {node.name}"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, f"def {node.name}"
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    yield target.id, f"{target.id} = ..."
