"""`petsage demo seed`: the real command on SQLite and PostgreSQL, and what a server then sees.

The refusal and `--force` run on a few days of data (each activity is two statements through
the features' `Resource`s); the year, once, behind the one server of the module. A real process
seeds that year (exit 0, the JSON on stdout) and refuses an owner with pets on PostgreSQL (exit
2, one line); the other steps run the same command in this process (`invoke_petsage`), sparing
an interpreter start and every import each.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from petsage.cli.demo_data import DAYS, plan
from petsage.database.engine import create_engine
from petsage.database.migrate import head_revision
from petsage.features.activity_tracker.orm import Activity
from petsage.features.pet_profile.orm import PetProfile
from petsage.settings import Settings
from petsage.testing.tokens import AccessTokens
from tests.support.in_process import invoke_petsage
from tests.support.server import RunningServer, petsage_server, run_petsage

pytestmark = pytest.mark.slow

READ = ("pet_profile:read", "activity_tracker:read")


def test_the_plan_is_the_same_for_a_seed_and_a_day() -> None:
    now = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)

    dog, cat = plan(now)

    assert plan(now) == (dog, cat)
    assert plan(now, seed=7) != (dog, cat)
    assert (dog.profile.species, dog.profile.daily_activity_goal_minutes) == ("dog", 60)
    assert (cat.profile.species, cat.profile.daily_activity_goal_minutes) == ("cat", 20)
    for pet in (dog, cat):
        started = [entry.started_at for entry in pet.activities]
        assert min(started).date() == now.date() - timedelta(days=DAYS - 1)
        assert max(started) <= now
    walk_days = {entry.started_at.date() for entry in dog.activities if entry.kind == "walk"}
    assert len(walk_days) > 0.9 * DAYS
    assert {entry.kind for entry in dog.activities} == {"walk", "run", "play"}
    assert {entry.kind for entry in cat.activities} <= {"play", "training"}


Petsage = Callable[..., subprocess.CompletedProcess[str]]


def seed(run: Petsage, env: dict[str, str], cwd: Path, *args: str) -> Any:
    result = run("demo", "seed", "--owner", "alice", *args, env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def counts(settings: Settings, owner: str) -> tuple[int, int]:
    async def count() -> tuple[int, int]:
        engine = create_engine(settings, pool_size=1, max_overflow=0)
        try:
            async with engine.connect() as connection:
                pets = await connection.scalar(
                    select(func.count()).where(PetProfile.owner_id == owner)
                )
                entries = await connection.scalar(
                    select(func.count()).where(Activity.owner_id == owner)
                )
                return int(pets or 0), int(entries or 0)
        finally:
            await engine.dispose()

    return asyncio.run(count())


def test_seed_refuses_an_owner_with_pets_unless_forced(
    database_url: str, database_settings: Settings, tmp_path: Path
) -> None:
    env = {"PETSAGE_DATABASE_URL": database_url, "PETSAGE_DATA_DIR": str(tmp_path / "var")}
    postgres = database_url.startswith("postgresql")
    if postgres:
        # As `petsage serve`: PostgreSQL is migrated by its job, not by every command.
        behind = invoke_petsage("demo", "seed", "--owner", "alice", env=env, cwd=tmp_path)
        assert (behind.returncode, behind.stderr.strip()) == (
            1,
            f"petsage: database has pending migrations: at empty, head is {head_revision()}; "
            "run `petsage db upgrade`",
        )
        assert invoke_petsage("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    # The refusal as a shell sees it from one real process; its logic is the same on SQLite.
    refuse = run_petsage if postgres else invoke_petsage

    first = seed(invoke_petsage, env, tmp_path, "--days", "3", "--json")
    refused = refuse("demo", "seed", "--owner", "alice", "--days", "3", env=env, cwd=tmp_path)
    forced = seed(invoke_petsage, env, tmp_path, "--days", "3", "--force", "--json")

    assert refused.returncode == 2
    assert refused.stdout == ""
    [line] = refused.stderr.splitlines()
    assert "--owner alice" in line
    assert "--force" in line
    assert [pet["name"] for pet in first["pets"]] == ["Rex", "Misty"]
    assert date.fromisoformat(first["first_day"]) == date.fromisoformat(first["last_day"]) - (
        timedelta(days=2)
    )
    assert [pet["id"] for pet in forced["pets"]] != [pet["id"] for pet in first["pets"]]
    assert counts(database_settings, "alice") == (4, first["activities"] + forced["activities"])
    assert first["activities"] > 0


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Any, Path]]:
    """One server on SQLite whose database holds alice's demo year."""
    tmp_path = tmp_path_factory.mktemp("demo")
    with petsage_server(tmp_path) as server:
        env = {"PETSAGE_DATA_DIR": str(tmp_path / "var")}
        yield server, seed(run_petsage, env, tmp_path, "--json"), tmp_path / "var"


def test_the_server_sees_the_seeded_year(seeded: tuple[RunningServer, Any, Path]) -> None:
    server, result, data_dir = seeded
    tokens = AccessTokens(data_dir)
    dog, cat = result["pets"]
    window = {"from": result["first_day"], "to": result["last_day"]}

    with httpx.Client(base_url=server.base_url, headers=tokens.headers("alice", *READ)) as http:
        pets = http.get("/pet-profiles").json()
        listed = http.get("/activities", params={"pet_id": dog["id"], "limit": 1}).json()
        summary = http.get(f"/pet-profiles/{dog['id']}/activity-summary", params=window).json()
        weekly = http.get(
            f"/pet-profiles/{cat['id']}/activity-summary", params={**window, "granularity": "week"}
        ).json()
        insights = http.get(f"/pet-profiles/{dog['id']}/insights")
    others = httpx.get(server.base_url + "/pet-profiles", headers=tokens.headers("bob", *READ))

    assert result["activities"] == dog["activities"] + cat["activities"]
    assert (pets["total"], [pet["name"] for pet in pets["items"]]) == (2, ["Rex", "Misty"])
    assert listed["total"] == dog["activities"]
    assert len(summary["buckets"]) == DAYS
    assert sum(bucket["sessions"] for bucket in summary["buckets"]) == dog["activities"]
    assert sum(bucket["minutes"] for bucket in summary["buckets"]) == dog["minutes"]
    assert sum(bucket["minutes"] for bucket in weekly["buckets"]) == cat["minutes"]
    met = sum(bool(bucket["goal_met"]) for bucket in summary["buckets"])
    assert DAYS // 4 < met < DAYS  # a plausible year: the goal met on some days, not on all
    assert insights.status_code == 200
    assert {each["kind"] for each in insights.json()["insights"]} >= {"goal_streak"}
    assert (others.status_code, others.json()["total"]) == (200, 0)
