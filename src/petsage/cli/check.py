"""`petsage check`, as `petsage --help` lists it.

The console script runs `petsage check` without typer (see `petsage.entrypoint`); this command
exists so that the help lists it and so that `app` invoked directly behaves the same. It hands
its arguments untouched to the probe client, whose parser is the only one.
"""

from __future__ import annotations

from typing import Any

import typer

from petsage import probe_client

# Every option, `--help` included, belongs to the probe client's parser.
CHECK_COMMAND: dict[str, Any] = {
    "context_settings": {"allow_extra_args": True, "ignore_unknown_options": True},
    "add_help_option": False,
}


def check(ctx: typer.Context) -> None:
    """Probe a running PetSage: exit 0 healthy, 1 unhealthy, 2 unreachable (see its --help)."""
    raise typer.Exit(probe_client.main(ctx.args))
