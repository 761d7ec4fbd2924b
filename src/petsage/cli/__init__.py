"""The `petsage` command line: `serve`, `version`, and the subcommands features add."""

from __future__ import annotations

import typer

from petsage import __version__
from petsage.cli import auth, db, demo, feature
from petsage.cli.check import CHECK_COMMAND, check
from petsage.cli.feature_show import show as show_feature
from petsage.cli.serve import serve

app = typer.Typer(
    name="petsage",
    help="PetSage: the wise backend for all your pet's needs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(serve)
app.command(**CHECK_COMMAND)(check)
app.add_typer(db.app)
app.add_typer(auth.app)
app.add_typer(demo.app)
# `show` lives in a module of its own: `feature` is the generator's.
feature.app.command(name="show")(show_feature)
app.add_typer(feature.app)


@app.command()
def version() -> None:
    """Print the installed PetSage version."""
    typer.echo(__version__)


def main() -> None:
    """Run the typer application (`petsage.entrypoint` calls this for all but `check`)."""
    app()
