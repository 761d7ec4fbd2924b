"""The `petsage` console script and `python -m petsage`.

`petsage check` is routed to the standard-library probe client before typer or the application
is imported: Docker runs it every health-check interval, where it must stay cheap (tens of
milliseconds instead of about a second of imports) and keep working whatever else is broken.
`petsage serve` with no options goes straight to `petsage.cli.serve`, without typer. Every other
command goes to the typer application in `petsage.cli.app`.
"""

from __future__ import annotations

import gc
import sys


def main() -> None:
    """Run the `petsage` command with the process's arguments."""
    # Imports inside the function on purpose: the point of this module is what it does not load.
    args = sys.argv[1:]
    if args[:1] == ["check"]:
        from petsage import probe_client  # noqa: PLC0415

        raise SystemExit(probe_client.main(args[1:]))
    if args[:1] == ["serve"]:
        # Start-up allocates some 120,000 objects that live as long as the process (modules,
        # classes, routes) and almost no garbage (2,000 objects). The cycle collector walked
        # them all, twice in full: 170 to 190 ms of a 1.2 s start. It stays off until the
        # server has started, when they are frozen out of its way and it is turned back on
        # (`petsage.main`'s lifespan; `petsage.cli.serve` for worker processes).
        gc.disable()
    if args == ["serve"]:
        # Everything from the environment, as containers run it: no options to parse, so
        # typer and the other commands stay unloaded for the life of the server (1.5 MiB).
        from petsage.cli.serve import serve  # noqa: PLC0415

        serve()
        return
    from petsage.cli.app import main as cli_main  # noqa: PLC0415

    cli_main()
