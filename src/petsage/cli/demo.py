"""`petsage demo seed --owner alice`: a year of demo activity for two pets, for trying the app.

It takes the database as `petsage serve` does: it checks the data settings, migrates when
serve would (the embedded SQLite always, PostgreSQL with `PETSAGE_DB_MIGRATE_ON_START`), and
otherwise refuses a database behind the head with exit 1, as `petsage db check`. Everything is
written in one transaction: a failure leaves nothing behind. An owner who already has pets is
refused (exit 2) unless `--force`, which adds the demo pets beside theirs and deletes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from petsage.cli.config import EXIT_CONFIGURATION, fail, settings_or_exit
from petsage.cli.db import EXIT_PENDING
from petsage.cli.db_step import run_or_exit
from petsage.settings import Settings

if TYPE_CHECKING:
    from petsage.cli.demo_data import SeedResult

app = typer.Typer(name="demo", help="Demo data for trying the app.", no_args_is_help=True)


@dataclass(frozen=True)
class Refused:
    """The seed did not start: `message` says why, `code` is the exit code."""

    message: str
    code: int


@app.command()
def seed(
    owner: Annotated[str, typer.Option(help="The subject (a token's `sub`) who owns the pets.")],
    force: Annotated[
        bool, typer.Option(help="Seed even when the owner has pets (adds, deletes nothing).")
    ] = False,
    seed: Annotated[int, typer.Option(help="The random seed: the same data for the same day.")] = (
        2026
    ),
    days: Annotated[
        int, typer.Option(min=1, max=366, help="How many days, ending today (UTC).")
    ] = 365,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Fill a year (or `--days`) of plausible activity, ending today (UTC), for a dog and a cat
    of `owner`."""
    if not owner.strip():
        fail("invalid --owner: it cannot be empty")
    settings = settings_or_exit()

    async def step(settings: Settings) -> SeedResult | Refused:
        return await _seed(settings, owner, force=force, seed=seed, days=days)

    outcome = run_or_exit(settings, step)
    if isinstance(outcome, Refused):
        fail(outcome.message, outcome.code)
    typer.echo(json.dumps(_as_dict(outcome)) if as_json else _as_line(outcome))


async def _seed(
    settings: Settings, owner: str, *, force: bool, seed: int, days: int
) -> SeedResult | Refused:
    # Imported here: every `petsage` command loads this module, only this one needs the features.
    from petsage.cli.demo_data import pets_of, seed_demo  # noqa: PLC0415
    from petsage.database.engine import create_engine  # noqa: PLC0415
    from petsage.database.migrate import (  # noqa: PLC0415
        current_revision,
        head_revision,
        upgrade_to_head,
    )
    from petsage.database.preflight import (  # noqa: PLC0415
        should_migrate_on_start,
        verify_database,
    )
    from petsage.database.session import Database  # noqa: PLC0415

    url = await verify_database(settings)
    if should_migrate_on_start(settings, url):
        await upgrade_to_head(settings)
    database = Database(create_engine(settings, pool_size=1, max_overflow=0))
    try:
        revision = await current_revision(database.engine)
        if revision != head_revision():
            return Refused(
                f"database has pending migrations: at {revision or 'empty'}, head is "
                f"{head_revision()}; run `petsage db upgrade`",
                EXIT_PENDING,
            )
        async with database.session() as session:
            existing = await pets_of(session, owner)
            if existing and not force:
                return Refused(
                    f"--owner {owner} already has {existing} pet{'s' if existing > 1 else ''} in "
                    "this database: refused; "
                    "pass --force to add the demo pets beside them (nothing is deleted)",
                    EXIT_CONFIGURATION,
                )
            return await seed_demo(session, owner, datetime.now(UTC), seed, days)
    finally:
        await database.dispose()


def _as_dict(result: SeedResult) -> dict[str, object]:
    return {
        "owner": result.owner,
        "first_day": result.first_day.isoformat(),
        "last_day": result.last_day.isoformat(),
        "activities": result.activities,
        "pets": [
            {
                "id": pet.id,
                "name": pet.name,
                "species": pet.species,
                "activities": pet.activities,
                "minutes": pet.minutes,
            }
            for pet in result.pets
        ],
    }


def _as_line(result: SeedResult) -> str:
    pets = "; ".join(
        f"{pet.name} the {pet.species} (id {pet.id}): {pet.activities} activities"
        for pet in result.pets
    )
    return (
        f"seeded {len(result.pets)} pets and {result.activities} activities for "
        f"{result.owner}, {result.first_day} to {result.last_day} (UTC): {pets}"
    )
