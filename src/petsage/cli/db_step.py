"""A command's database step, run to completion: a wrong setting or a database that cannot be
reached (or fails mid-way) ends the command with one line and exit 2.

Free of typer, for `petsage serve`'s start without it (`petsage.cli.serve`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from petsage.cli.config import fail
from petsage.database.availability import DatabaseUnreachableError
from petsage.database.engine import resolve_database_url
from petsage.database.preflight import describe_failure, prepare_database
from petsage.settings import ConfigurationError, Settings

T = TypeVar("T")


def prepare_database_or_exit(settings: Settings) -> None:
    """For `petsage serve`: check the data settings and migrate per policy, or exit 2. An
    unavailable database only stops it when it must migrate and the start-up wait runs out."""
    run_or_exit(settings, prepare_database)


def run_or_exit(settings: Settings, step: Callable[[Settings], Awaitable[T]]) -> T:
    """Run a command's database `step`; a wrong setting or a database that cannot be reached
    (or fails mid-way) ends the command with one line and exit 2, as every `db` command."""
    try:
        return asyncio.run(_as_coroutine(step, settings))
    except (ConfigurationError, DatabaseUnreachableError) as exc:
        fail(str(exc))
    except (OSError, TimeoutError, SQLAlchemyError) as exc:
        # Reachable a moment ago (verify_database passed) but failed mid-way.
        url = resolve_database_url(settings)
        fail(f"database error: {describe_failure(exc, url, settings)}")


async def _as_coroutine(step: Callable[[Settings], Awaitable[T]], settings: Settings) -> T:
    return await step(settings)
