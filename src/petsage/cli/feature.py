"""`petsage feature new|schema|list`: add a feature from a request; print the request's
schema; list the features there are.

`new` writes into the source tree the installed `petsage` package comes from (the editable
install of the project you run it in), or into the project named by `--root`. A bad name or
option prints one line and exits 2, having written nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from petsage.cli.config import fail, settings_or_exit
from petsage.settings import ConfigurationError

if TYPE_CHECKING:
    from petsage.blueprint.catalog import FeatureEntry, Occupied
    from petsage.blueprint.generator import FeatureRequest

app = typer.Typer(
    name="feature",
    help="Features: generate a new one from a request, print the request schema, list them.",
    no_args_is_help=True,
)


FIELD_HELP = (
    "A resource's field, NAME:TYPE[(ARGS)][?][:OPTION]...; repeat it. Types: str text int "
    "decimal float bool date datetime partial_date enum email url uuid ref. `?`: optional. "
    "ARGS: str(100), text(2000), decimal(5,2), enum(dog,cat), ref(pet_profile[,cascade]). "
    "OPTIONs: 100 (str or text length), MIN..MAX, unique, index, filter, sort, not_future, "
    "future_slack_seconds=N, default=V, example=V, description=TEXT, "
    "pattern=REGEX (last). Examples: name:str:100 'species:enum(dog,cat):filter' "
    "'birth_date:date?:filter:sort' 'weight_kg:decimal(5,2)?:0.01..500:sort' "
    "neutered:bool:default=false."
)


@app.command()
def new(
    name: Annotated[
        str | None, typer.Argument(help="snake_case, singular: pet_profile (not with --from).")
    ] = None,
    *,
    request_file: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A feature request file (YAML or JSON; `petsage feature schema` gives its "
            "schema). It says everything: no NAME or other option with it but --root, "
            "--dry-run and --json.",
        ),
    ] = None,
    resource: Annotated[
        bool, typer.Option("--resource", help="A database-backed collection with CRUD routes.")
    ] = False,
    fields: Annotated[
        list[str] | None, typer.Option("--field", help=FIELD_HELP, show_default=False)
    ] = None,
    description: Annotated[
        str | None, typer.Option(help="One line: the feature's summary and docstring.")
    ] = None,
    requirements: Annotated[
        str | None, typer.Option(help="One line of free text, kept in its docstring.")
    ] = None,
    noun: Annotated[
        str | None,
        typer.Option(
            help="snake_case, singular: what a resource's rows are called, when not NAME "
            "(activity_tracker --noun activity: class Activity, table and path activities)."
        ),
    ] = None,
    path: Annotated[
        str | None, typer.Option(help="URL path (default: the kebab-case plural, /pet-profiles).")
    ] = None,
    auth: Annotated[
        str | None,
        typer.Option(
            help="A resource's access rule: scopes (default: a token with <feature>:read or "
            "<feature>:write) or none (open to anyone)."
        ),
    ] = None,
    owned: Annotated[
        bool | None,
        typer.Option(
            "--owned/--no-owned",
            help="Whether a resource's rows belong to the token's subject that created them "
            "(default: owned, unless --auth none).",
            show_default=False,
        ),
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
    """Generate a feature package (and, for a resource, its migration) from a request file
    or from a name and options. A resource's fields come from the file or from --field."""
    # Imported here, not at the top: every `petsage` command (serve too) loads this module,
    # and only this one needs the templates and the inflection tables.
    from petsage.blueprint.generator import (  # noqa: PLC0415
        GeneratorError,
        locate_project,
        plan_request,
        write_plan,
    )

    options: dict[str, Any] = {"name": name, "--resource": resource or None, "--field": fields}
    options |= {"--description": description, "--requirements": requirements, "--path": path}
    options |= {"--noun": noun}
    options |= {"--auth": auth, "--owned": owned}
    try:
        request = _request(request_file, options)
        plan = plan_request(locate_project(root), request, occupied=_occupied())
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
        typer.echo(_next_steps(plan.names.name, resource=plan.revision is not None))


def _request(request_file: Path | None, options: dict[str, Any]) -> FeatureRequest:
    """The request: read from the file, or made of NAME and the options."""
    from petsage.blueprint.generator import (  # noqa: PLC0415  (as in `new`)
        GeneratorError,
        load_request,
        parse_request,
    )
    from petsage.blueprint.generator.field_grammar import parse_fields  # noqa: PLC0415

    given = [option for option, value in options.items() if value is not None]
    if request_file is not None:
        if given:
            raise GeneratorError(f"--from says everything: {given[0]} cannot go with it")
        return load_request(request_file)
    if options["name"] is None:
        raise GeneratorError("give a feature NAME, or a request file with --from")
    fields = parse_fields(options["--field"] or [])
    # --field makes a resource, as if --resource were given too.
    resource = bool(options["--resource"] or fields)
    request: dict[str, Any] = {"feature": options["name"], "resource": resource}
    for option in ("--description", "--requirements", "--noun", "--path", "--auth", "--owned"):
        if options[option] is not None:
            request[option.removeprefix("--")] = options[option]
    if fields:
        request["fields"] = fields
    return parse_request(request)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a feature request file (for editors: completion, checks)."""
    from petsage.blueprint.generator import request_schema  # noqa: PLC0415  (as in `new`)

    typer.echo(json.dumps(request_schema(), indent=2))


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
