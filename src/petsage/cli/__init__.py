"""The `petsage` command line: `serve`, `version`, and the subcommands features add."""

from __future__ import annotations

import typer

from petsage import __version__
from petsage.cli.serve import serve

app = typer.Typer(
    name="petsage",
    help="PetSage: the wise backend for all your pet's needs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(serve)


@app.command()
def version() -> None:
    """Print the installed PetSage version."""
    typer.echo(__version__)


def main() -> None:
    """Entry point of the `petsage` console script and of `python -m petsage`."""
    app()
