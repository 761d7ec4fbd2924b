"""A `petsage` command run in this process by typer's runner, answering as `run_petsage` does.

A real process pays an interpreter start and every import (about a second on CI, several on a
loaded machine without bytecode), while the command function, its exit code and its lines are
the same in process. The command-line tests keep a real subprocess for each kind of outcome
(the exit code and the line as a shell sees them) and run the variations of each in process.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import typer
from typer.testing import CliRunner

from petsage.cli.app import app as petsage_app


def invoke_petsage(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    app: typer.Typer = petsage_app,
) -> subprocess.CompletedProcess[str]:
    """`run_petsage(*args, env=env, cwd=cwd)` in this process: no PETSAGE_* variable but
    `env`'s, as `child_env` gives a subprocess, and `cwd` as the working directory (where
    `.env` is read). Anything but the command's own exit propagates: a traceback fails the
    test, as a traceback on a subprocess's stderr does. Not `serve`: it would serve here."""
    if args[:1] == ("serve",):
        raise ValueError("`petsage serve` in process would serve: run it with `petsage_server`")
    unset: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("PETSAGE_")
    }
    with contextlib.chdir(cwd or Path.cwd()):
        result = CliRunner().invoke(
            app, list(args), env={**unset, **(env or {})}, catch_exceptions=False
        )
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)
