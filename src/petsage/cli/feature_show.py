"""`petsage feature show NAME [--json]`: one feature's documentation and summary, built from
its live declaration (see `petsage.cli.feature_summary`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from petsage.cli.config import fail, settings_or_exit
from petsage.settings import ConfigurationError


def show(
    name: Annotated[
        str, typer.Argument(help="The feature's name, as `petsage feature list` shows it.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Describe one feature: description and requirements, endpoints with their status codes,
    fields and their rules, tables and checks, settings."""
    # Imported here: every `petsage` command loads this module, and only this one needs them.
    from petsage.blueprint.discovery import discover_features  # noqa: PLC0415
    from petsage.cli.feature_summary import render_text, summarize  # noqa: PLC0415

    settings = settings_or_exit()
    try:
        found = {f.name: f for f in discover_features(settings.feature_start_timeout_seconds)}
    except ConfigurationError as exc:
        fail(str(exc))
    if name not in found:
        fail(f"no feature {name!r} (known: {', '.join(sorted(found))})")
    summary = summarize(found[name])
    if as_json:
        typer.echo(json.dumps(summary.as_json(), indent=2))
    else:
        typer.echo(render_text(summary))
