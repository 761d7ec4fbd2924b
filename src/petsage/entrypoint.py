"""The `petsage` console script and `python -m petsage`.

`petsage check` is routed to the standard-library probe client before typer or the application
is imported: Docker runs it every health-check interval, where it must stay cheap (tens of
milliseconds instead of about a second of imports) and keep working whatever else is broken.
Every other command goes to the typer application in `petsage.cli`.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the `petsage` command with the process's arguments."""
    # Imports inside the function on purpose: the point of this module is what it does not load.
    args = sys.argv[1:]
    if args[:1] == ["check"]:
        from petsage import probe_client  # noqa: PLC0415

        raise SystemExit(probe_client.main(args[1:]))
    from petsage.cli import main as cli_main  # noqa: PLC0415

    cli_main()
