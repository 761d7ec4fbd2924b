"""`petsage feature new|list`: add a feature from the templates; list the features there are.

`new` writes into the source tree the installed `petsage` package comes from (the editable
install of the project you run it in), or into the project named by `--root`. A bad name or
option prints one line and exits 2, having written nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from petsage.cli.config import fail, settings_or_exit
from petsage.settings import ConfigurationError

if TYPE_CHECKING:
    from petsage.blueprint.catalog import FeatureEntry, Occupied

app = typer.Typer(
    name="feature",
    help="Features: generate a new one, list those there are.",
    no_args_is_help=True,
)


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="snake_case, singular: pet_profile.")],
    *,
    resource: Annotated[
        bool, typer.Option("--resource", help="A database-backed collection with CRUD routes.")
    ] = False,
    description: Annotated[
        str | None, typer.Option(help="One line: the feature's summary and docstring.")
    ] = None,
    path: Annotated[
        str | None, typer.Option(help="URL path (default: the kebab-case plural, /pet-profiles).")
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(help="Project directory holding src/petsage (default: this install's)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the files; write none.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what was written as JSON.")
    ] = False,
) -> None:
    """Generate a feature package (and, with --resource, its migration)."""
    # Imported here, not at the top: every `petsage` command (serve too) loads this module,
    # and only this one needs the templates and the inflection tables.
    from petsage.blueprint.generator import (  # noqa: PLC0415
        GeneratorError,
        locate_project,
        plan_feature,
        write_plan,
    )

    try:
        plan = plan_feature(
            locate_project(root),
            name,
            resource=resource,
            path=path,
            description=description,
            occupied=_occupied(),
        )
        if not dry_run:
            write_plan(plan)
    except GeneratorError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(plan.summary(dry_run=dry_run), indent=2))
        return
    verb = "would create" if dry_run else "created"
    for written in plan.paths():
        typer.echo(f"{verb} {written}")
    if not dry_run:
        typer.echo(_next_steps(plan.names.name, resource=resource))


def _occupied() -> Occupied:
    """What every feature found (enabled or not) and the platform serve and declare: a new
    feature must clash with none of it. A feature that cannot load stops the command."""
    from petsage.blueprint.catalog import occupied  # noqa: PLC0415  (as in `new`)
    from petsage.blueprint.discovery import discover_features  # noqa: PLC0415
    from petsage.main import platform_routes  # noqa: PLC0415

    try:
        return occupied(platform_routes(), discover_features())
    except ConfigurationError as exc:
        fail(str(exc))


def _next_steps(name: str, *, resource: bool) -> str:
    tests = f"uv run pytest src/petsage/features/{name}"
    if resource:
        return f"next: uv run petsage db upgrade && {tests}"
    return f"next: {tests}"


@app.command(name="list")
def list_features(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List every feature (built-in and installed): routes, checks, tables, and whether it is
    enabled under the current settings (PETSAGE_FEATURES_DISABLED and its own switch)."""
    from petsage.blueprint.catalog import catalog  # noqa: PLC0415  (as in `new`)

    settings = settings_or_exit()
    try:
        entries = catalog(settings)
    except ConfigurationError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps([entry.as_json() for entry in entries], indent=2))
        return
    for entry in entries:
        typer.echo(_describe(entry))


def _describe(entry: FeatureEntry) -> str:
    state = "enabled" if entry.enabled else "disabled"
    lines = [f"{entry.name} ({state}): {entry.summary}"]
    lines += [f"  route  {route}" for route in entry.routes]
    lines += [f"  check  {check}" for check in entry.checks]
    lines += [f"  table  {table}" for table in entry.tables]
    if entry.required:
        lines.append(f"  required: {entry.required}")
    return "\n".join(lines)
