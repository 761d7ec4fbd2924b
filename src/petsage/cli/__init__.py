"""The `petsage` command line: `app` (`petsage.cli.app`) and the modules of its commands.

`petsage serve` with no options, as containers run it, starts without typer
(`petsage.entrypoint`): `serve.py` and what it imports stay free of it (an import-linter
contract).
"""
