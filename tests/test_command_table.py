"""The README's Command line table lists every `petsage` command, and no command that is gone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main

from petsage.cli.app import app

README = Path(__file__).resolve().parents[1] / "README.md"
# A row's first cell: `petsage db upgrade ...` (`feature new` has two spellings in one cell).
ROW = re.compile(r"^\| `petsage ([a-z][a-z ]*?)(?: [\[\-A-Z]|`)", re.MULTILINE)


def listed_commands() -> set[str]:
    section = README.read_text(encoding="utf-8").split("\n## Command line\n", 1)[1]
    return set(ROW.findall(section.split("\n## ", 1)[0]))


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Each leaf command's words: `db upgrade`, `demo seed`, `version`."""
    if not hasattr(command, "list_commands"):
        yield " ".join(path)
        return
    context = typer.main.get_command(app).context_class(command)
    for name in command.list_commands(context):
        yield from commands(command.get_command(context, name), (*path, name))


def test_the_command_table_lists_every_command() -> None:
    assert listed_commands() == set(commands(typer.main.get_command(app)))
