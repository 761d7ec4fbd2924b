"""The demo data of `petsage demo seed`: a year of plausible activity for two pets.

It needs both pet features, so it lives in the command line layer, above them (a feature never
imports another). The plan is pure and deterministic for a seed and a `now`, so tests can
check it; `seed_demo` writes it through the features' `Resource`s, as the API would, so every
rule they hold applies (bounds, references, owners).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.features.activity_tracker.models import ActivityCreate
from petsage.features.activity_tracker.service import activities
from petsage.features.pet_profile.models import PetProfileCreate
from petsage.features.pet_profile.orm import PetProfile
from petsage.features.pet_profile.service import pet_profiles
from petsage.resources import Caller

DAYS = 365
MAX_DAYS = 366
DEFAULT_SEED = 2026


@dataclass(frozen=True)
class PlannedActivity:
    kind: str
    started_at: datetime
    duration_minutes: int
    distance_km: Decimal | None
    intensity: str


@dataclass(frozen=True)
class PlannedPet:
    profile: PetProfileCreate
    activities: tuple[PlannedActivity, ...]


@dataclass(frozen=True)
class SeededPet:
    id: int
    name: str
    species: str
    activities: int
    minutes: int


@dataclass(frozen=True)
class SeedResult:
    owner: str
    first_day: date
    last_day: date
    pets: tuple[SeededPet, ...]

    @property
    def activities(self) -> int:
        return sum(pet.activities for pet in self.pets)


DOG = PetProfileCreate(
    name="Rex",
    species="dog",
    breed="Border Collie",
    sex="male",
    neutered=True,
    birth_date="2019-05-04",
    weight_kg=Decimal("19.400"),
    daily_activity_goal_minutes=60,
    notes="Demo data: walks most days, sometimes a run or a game of fetch.",
)
CAT = PetProfileCreate(
    name="Misty",
    species="cat",
    breed="British Shorthair",
    sex="female",
    neutered=True,
    birth_date="2021",
    weight_kg=Decimal("4.200"),
    daily_activity_goal_minutes=20,
    notes="Demo data: short play sessions, most evenings.",
)


def plan(now: datetime, seed: int = DEFAULT_SEED, days: int = DAYS) -> tuple[PlannedPet, ...]:
    """Both pets and their activities over the `days` UTC days ending on `now`'s date; an
    activity planned later today than `now` is left out (the tracker refuses the future)."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not a secret)
    first = now.date() - timedelta(days=days - 1)
    dates = [first + timedelta(days=n) for n in range(days)]
    dog = [entry for day in dates for entry in _dog_day(rng, day) if entry.started_at <= now]
    cat = [entry for day in dates for entry in _cat_day(rng, day) if entry.started_at <= now]
    return PlannedPet(DOG, tuple(dog)), PlannedPet(CAT, tuple(cat))


def _dog_day(rng: random.Random, day: date) -> list[PlannedActivity]:
    # A morning walk on most days, an evening one on many; now and then a run or some play.
    planned = []
    if rng.random() < 0.92:
        minutes = rng.randint(25, 50)
        planned.append(
            _at(day, 7, rng, "walk", minutes, km=_km(minutes, 5.0, rng), intensity="moderate")
        )
    if rng.random() < 0.7:
        minutes = rng.randint(15, 35)
        planned.append(
            _at(day, 18, rng, "walk", minutes, km=_km(minutes, 4.5, rng), intensity="low")
        )
    if rng.random() < 0.12:
        minutes = rng.randint(20, 40)
        planned.append(
            _at(day, 9, rng, "run", minutes, km=_km(minutes, 10.0, rng), intensity="high")
        )
    if rng.random() < 0.3:
        planned.append(_at(day, 16, rng, "play", rng.randint(10, 30), intensity="high"))
    return planned


def _cat_day(rng: random.Random, day: date) -> list[PlannedActivity]:
    # Play in the evening most days, a second short bout on some; a little clicker training.
    planned = []
    if rng.random() < 0.85:
        planned.append(_at(day, 19, rng, "play", rng.randint(8, 20), intensity="moderate"))
    if rng.random() < 0.4:
        planned.append(_at(day, 8, rng, "play", rng.randint(5, 12), intensity="low"))
    if rng.random() < 0.05:
        planned.append(_at(day, 12, rng, "training", rng.randint(5, 10), intensity="low"))
    return planned


def _at(
    day: date,
    hour: int,
    rng: random.Random,
    kind: str,
    minutes: int,
    *,
    km: Decimal | None = None,
    intensity: str,
) -> PlannedActivity:
    started = datetime.combine(day, time(hour, rng.randrange(0, 60, 5)), tzinfo=UTC)
    return PlannedActivity(kind, started, minutes, km, intensity)


def _km(minutes: int, km_per_hour: float, rng: random.Random) -> Decimal:
    speed = km_per_hour * rng.uniform(0.85, 1.15)
    return Decimal(f"{minutes * speed / 60:.2f}")


async def pets_of(session: AsyncSession, owner: str) -> int:
    """How many pets `owner` has in the database."""
    count = await session.scalar(
        select(func.count()).select_from(PetProfile).where(PetProfile.owner_id == owner)
    )
    return int(count or 0)


async def seed_demo(
    session: AsyncSession, owner: str, now: datetime, seed: int = DEFAULT_SEED, days: int = DAYS
) -> SeedResult:
    """Create `plan(now, seed, days)`'s pets and activities for `owner` in `session`'s
    transaction."""
    caller = Caller(owner)
    seeded = []
    for pet in plan(now, seed, days):
        profile = await pet_profiles.create(session, pet.profile, caller=caller)
        for entry in pet.activities:
            # Validated as a request body is: the kinds and bounds are the model's.
            data = ActivityCreate.model_validate({"pet_id": profile.id, **asdict(entry)})
            await activities.create(session, data, caller=caller)
        minutes = sum(entry.duration_minutes for entry in pet.activities)
        seeded.append(
            SeededPet(profile.id, profile.name, profile.species, len(pet.activities), minutes)
        )
    first_day = now.date() - timedelta(days=days - 1)
    return SeedResult(owner, first_day, now.date(), tuple(seeded))
