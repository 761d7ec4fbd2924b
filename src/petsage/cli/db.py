"""`petsage db upgrade|current|check|revision`: the schema, from the command line.

Each prints one line and exits 0 at the head, 1 with migrations pending, 2 when the database
cannot be reached or the settings are wrong. They are one-shot jobs, so they do not wait for an
unavailable database (`petsage serve` may): the Job that runs them retries. The line
tells which it was: `invalid setting PETSAGE_DATABASE_URL: ...` for a setting to fix,
`database unavailable: ...` for a database that may answer later. In production the upgrade
runs once, as a job, before replicas start (`PETSAGE_DB_MIGRATE_ON_START` stays off for
PostgreSQL).

`petsage db revision -m MESSAGE` writes the next migration from the models (see
`petsage.cli.revision`); it exits 0 when it wrote one, and also when the models need none
(it says so and writes nothing: "nothing to do" is not a failure for a script).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from petsage.cli.config import fail, settings_or_exit
from petsage.cli.db_step import run_or_exit
from petsage.database.availability import DatabaseUnreachableError
from petsage.database.engine import create_engine, resolve_database_url
from petsage.database.migrate import current_revision, head_revision, upgrade_to_head
from petsage.database.preflight import describe_failure, verify_database
from petsage.database.sqlite_threads import dispose_engine
from petsage.settings import ConfigurationError, Settings

EXIT_PENDING = 1

app = typer.Typer(
    name="db",
    help="Database migrations: upgrade, current, check, revision.",
    no_args_is_help=True,
)


@app.command()
def upgrade() -> None:
    """Apply every pending migration."""
    settings = settings_or_exit()
    before = run_or_exit(settings, _current)
    run_or_exit(settings, upgrade_to_head)
    if before == head_revision():
        typer.echo(f"database already at head {head_revision()}")
    else:
        typer.echo(f"database upgraded from {before or 'empty'} to head {head_revision()}")


@app.command()
def current() -> None:
    """Print the revision the database is at."""
    settings = settings_or_exit()
    revision = run_or_exit(settings, _current)
    if revision == head_revision():
        typer.echo(f"{revision} (head)")
        return
    typer.echo(f"{revision or 'empty'} (pending: head is {head_revision()})")
    raise typer.Exit(EXIT_PENDING)


@app.command()
def check() -> None:
    """Exit 0 when the database is at the head, 1 when migrations are pending."""
    settings = settings_or_exit()
    revision = run_or_exit(settings, _current)
    if revision == head_revision():
        typer.echo(f"database is at head {revision}")
        return
    typer.echo(
        f"database has pending migrations: at {revision or 'empty'}, head is "
        f"{head_revision()}; run `petsage db upgrade`"
    )
    raise typer.Exit(EXIT_PENDING)


@app.command()
def revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the migration does.")],
    database_url: Annotated[
        str | None,
        typer.Option(
            help="Compare with this database, which must be at the head (default: a "
            "temporary SQLite database migrated to the head)."
        ),
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(help="Project directory holding src/petsage (default: this install's)."),
    ] = None,
) -> None:
    """Write the next migration: what the models have that the migrations do not."""
    # Imported here: every `petsage` command (serve too) loads this module, and only this
    # command needs Alembic's autogenerate and the features' models.
    from alembic.util import CommandError  # noqa: PLC0415

    from petsage.blueprint.generator import GeneratorError, locate_project  # noqa: PLC0415
    from petsage.cli.revision import write_revision  # noqa: PLC0415
    from petsage.migrations import target_metadata  # noqa: PLC0415

    settings = settings_or_exit(database_url=database_url)
    try:
        outcome = write_revision(
            locate_project(root),
            message,
            target_metadata(),
            settings,
            compare_on_temporary_sqlite=database_url is None,
        )
    except (GeneratorError, CommandError, ConfigurationError, DatabaseUnreachableError) as exc:
        fail(str(exc))
    except (OSError, TimeoutError, SQLAlchemyError) as exc:
        fail(f"database error: {describe_failure(exc, resolve_database_url(settings), settings)}")
    if outcome.path is None:
        typer.echo(f"no changes: the models match the migrations at {outcome.down_revision}")
        return
    typer.echo(
        f"wrote {outcome.path} (revision {outcome.revision}, revises {outcome.down_revision})"
    )
    for operation in outcome.operations:
        typer.echo(f"  {operation}")
    typer.echo("read it (autogenerate misses renames and CHECK changes), then `petsage db upgrade`")


async def _current(settings: Settings) -> str | None:
    await verify_database(settings)
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    try:
        return await current_revision(engine)
    finally:
        await dispose_engine(engine)
