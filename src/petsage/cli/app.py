"""The `petsage` typer application: `serve`, `version`, `check` and the command groups."""

from __future__ import annotations

from typing import Annotated

import typer

from petsage import __version__
from petsage.cli import auth, db, demo, feature
from petsage.cli import serve as serving
from petsage.cli.check import CHECK_COMMAND, check
from petsage.cli.feature_show import show as show_feature

app = typer.Typer(
    name="petsage",
    help="PetSage: the wise backend for all your pet's needs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind [PETSAGE_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port [PETSAGE_PORT].")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes [PETSAGE_WORKERS].", min=1)
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the PetSage API."""
    serving.serve(host=host, port=port, workers=workers, reload=reload)


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
    """Run the typer application (`petsage.entrypoint` calls this for all but `check` and
    `serve` with no options)."""
    app()
