"""`GET /pet-profiles/{id}/activity-summary` over HTTP against a real server, on SQLite and
PostgreSQL: buckets by local day and ISO week checked against a hand-computed fixture across
Europe/Berlin's two DST Sundays of 2026, empty buckets as zeros, the defaults, every 422,
owner isolation and scopes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from .conftest import ADMIN, PETS, READ, Api

# A real `petsage serve` per database, shared by the package's modules.
pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")
GOAL = 60


def _at(month: int, day: int, hour: int, minute: int) -> datetime:
    """A Berlin wall-clock time of 2026 as the aware instant it is."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


# (Berlin wall time, minutes, km): 23:30 and 00:30 on each side of each change.
FIXTURE = [
    (_at(3, 28, 23, 30), 20, "1.5"),  # 22:30Z Saturday
    (_at(3, 29, 0, 30), 30, "2.25"),  # 23:30Z on Saturday in UTC, Sunday in Berlin
    (_at(3, 29, 23, 30), 40, None),  # 21:30Z Sunday (summer time since 02:00)
    (_at(3, 30, 0, 30), 50, "0.125"),  # 22:30Z on Sunday in UTC, Monday in Berlin
    (_at(10, 24, 23, 30), 25, None),  # 21:30Z Saturday (summer time)
    (_at(10, 25, 0, 30), 35, "3"),  # 22:30Z on Saturday in UTC, Sunday in Berlin
    (_at(10, 25, 23, 30), 45, None),  # 22:30Z Sunday (winter time since 03:00)
    (_at(10, 26, 0, 30), 60, "4.5"),  # 23:30Z on Sunday in UTC, Monday in Berlin
]


def _summary(api: Api, owner: str, pet: int, **params: str) -> dict[str, Any]:
    answer = api.get(owner, f"/pet-profiles/{pet}/activity-summary", **params)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _rows(summary: dict[str, Any]) -> list[tuple[str, int, int, str, int, bool | None]]:
    return [
        (b["start"], b["days"], b["minutes"], b["distance_km"], b["sessions"], b["goal_met"])
        for b in summary["buckets"]
    ]


@pytest.fixture(scope="module")
def dst_pet(api: Api) -> tuple[str, int]:
    owner = api.owner()
    pet = api.pet(owner, goal=GOAL)
    for at, minutes, km in FIXTURE:
        api.log(owner, pet, at, minutes, km)
    return owner, pet


def test_days_are_cut_by_berlin_clocks_across_both_changes(
    api: Api, dst_pet: tuple[str, int]
) -> None:
    owner, pet = dst_pet
    spring = _summary(
        api, owner, pet, **{"from": "2026-03-27", "to": "2026-03-31"}, tz="Europe/Berlin"
    )
    autumn = _summary(
        api, owner, pet, **{"from": "2026-10-24", "to": "2026-10-26"}, tz="Europe/Berlin"
    )

    assert _rows(spring) == [
        ("2026-03-27", 1, 0, "0.000", 0, False),
        ("2026-03-28", 1, 20, "1.500", 1, False),
        ("2026-03-29", 1, 70, "2.250", 2, True),
        ("2026-03-30", 1, 50, "0.125", 1, False),
        ("2026-03-31", 1, 0, "0.000", 0, False),
    ]
    assert _rows(autumn) == [
        ("2026-10-24", 1, 25, "0.000", 1, False),
        ("2026-10-25", 1, 80, "3.000", 2, True),
        ("2026-10-26", 1, 60, "4.500", 1, True),
    ]
    assert (spring["tz"], spring["first_day"], spring["last_day"]) == (
        "Europe/Berlin",
        "2026-03-27",
        "2026-03-31",
    )
    assert spring["daily_goal_minutes"] == GOAL
    assert {b["goal_minutes"] for b in spring["buckets"]} == {GOAL}


def test_in_utc_the_same_activities_fall_on_other_days(api: Api, dst_pet: tuple[str, int]) -> None:
    owner, pet = dst_pet

    spring = _summary(api, owner, pet, **{"from": "2026-03-28", "to": "2026-03-30"})

    assert spring["tz"] == "UTC"
    assert [(b["start"], b["minutes"]) for b in spring["buckets"]] == [
        ("2026-03-28", 50),
        ("2026-03-29", 90),
        ("2026-03-30", 0),
    ]


def test_weeks_run_monday_to_sunday_clipped_to_the_range(
    api: Api, dst_pet: tuple[str, int]
) -> None:
    owner, pet = dst_pet
    params = {"from": "2026-03-26", "to": "2026-04-07", "granularity": "week"}

    weeks = _summary(api, owner, pet, **params, tz="Europe/Berlin")

    # Thursday to Sunday (4 days, goal 240), a full week (420), Monday and Tuesday (120).
    assert [
        (b["start"], b["days"], b["minutes"], b["sessions"], b["goal_minutes"], b["goal_met"])
        for b in weeks["buckets"]
    ] == [
        ("2026-03-26", 4, 90, 3, 4 * GOAL, False),
        ("2026-03-30", 7, 50, 1, 7 * GOAL, False),
        ("2026-04-06", 2, 0, 0, 2 * GOAL, False),
    ]
    assert weeks["granularity"] == "week"


def test_a_pet_without_goal_has_null_goals_and_every_empty_bucket(api: Api) -> None:
    owner = api.owner()
    pet = api.pet(owner)

    year = _summary(api, owner, pet, **{"from": "2025-12-04", "to": "2026-12-04"})

    assert len(year["buckets"]) == 366
    assert year["daily_goal_minutes"] is None
    assert {(b["minutes"], b["distance_km"], b["sessions"]) for b in year["buckets"]} == {
        (0, "0.000", 0)
    }
    assert {(b["goal_minutes"], b["goal_met"]) for b in year["buckets"]} == {(None, None)}


def test_without_a_range_the_last_30_days_in_utc(api: Api) -> None:
    owner = api.owner()
    pet = api.pet(owner)
    before = datetime.now(UTC).date()

    summary = _summary(api, owner, pet)

    last = date.fromisoformat(summary["last_day"])
    assert last in {before, datetime.now(UTC).date()}
    assert summary["first_day"] == str(last - timedelta(days=29))
    assert (summary["granularity"], summary["tz"], len(summary["buckets"])) == ("day", "UTC", 30)


@pytest.mark.parametrize(
    ("params", "location", "kind"),
    [
        ({"tz": "Europe/Nowhere"}, ["query", "tz"], "time_zone_unknown"),
        ({"tz": "../../etc/passwd"}, ["query", "tz"], "time_zone_unknown"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, ["query", "to"], "range_reversed"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, ["query", "from"], "range_too_long"),
        ({"granularity": "month"}, ["query", "granularity"], "literal_error"),
        ({"from": "2026-02-30"}, ["query", "from"], "date_from_datetime_parsing"),
    ],
    ids=["unknown_zone", "path_as_zone", "reversed", "367_days", "granularity", "bad_date"],
)
def test_bad_parameters_are_422_naming_the_parameter(
    api: Api, params: dict[str, str], location: list[str], kind: str
) -> None:
    owner = api.owner()
    pet = api.pet(owner)

    answer = api.get(owner, f"/pet-profiles/{pet}/activity-summary", **params)

    assert answer.status_code == 422, answer.text
    problems = [(p["location"], p["type"]) for p in answer.json()["error"]["problems"]]
    assert problems == [(location, kind)]


def test_another_owners_pet_is_as_missing_as_no_pet(api: Api, dst_pet: tuple[str, int]) -> None:
    _, pet = dst_pet
    stranger = api.owner()

    for id in (pet, 2**31 - 1):
        answer = api.get(stranger, f"/pet-profiles/{id}/activity-summary")
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["message"] == f"no pet profile has id {id}"


def test_the_admin_scope_reaches_every_pet(api: Api, dst_pet: tuple[str, int]) -> None:
    _, pet = dst_pet
    params = {"from": "2026-03-29", "to": "2026-03-29", "tz": "Europe/Berlin"}

    answer = api.get(api.owner(), f"/pet-profiles/{pet}/activity-summary", READ, ADMIN, **params)

    assert answer.status_code == 200, answer.text
    assert answer.json()["buckets"][0]["minutes"] == 70


def test_a_token_and_the_read_scope_are_needed(api: Api, dst_pet: tuple[str, int]) -> None:
    owner, pet = dst_pet
    path = f"/pet-profiles/{pet}/activity-summary"

    assert api.client.get(path).status_code == 401
    assert api.get(owner, path, *PETS).status_code == 403
    assert api.get(owner, path, READ).status_code == 200
