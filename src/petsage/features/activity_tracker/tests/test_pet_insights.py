"""`GET /pet-profiles/{id}/insights` over HTTP against a real server, on SQLite and PostgreSQL.

The insights are as of the server's clock. So that no test straddles a local midnight, each
asks in a fixed-offset zone (`Etc/GMT-N`) where it is now about noon, and logs activities at
local noon of past days or an hour ago.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from .conftest import PETS, READ, Api

# A real `petsage serve` per database, shared by the package's modules.
pytestmark = pytest.mark.slow

GOAL = 30
DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def noon_zone() -> str:
    """A zone where it is between 11:00 and 13:00 now: `Etc/GMT-2` is UTC+2."""
    offset = 12 - datetime.now(UTC).hour
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


def _today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def _noon(day: date, zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(zone))


def _insights(api: Api, owner: str, pet: int, zone: str) -> dict[str, dict[str, Any]]:
    answer = api.get(owner, f"/pet-profiles/{pet}/insights", tz=zone)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["pet_id"], body["tz"], body["today"]) == (pet, zone, str(_today(zone)))
    kinds = [each["kind"] for each in body["insights"]]
    assert kinds[1:] == ["week_so_far", "last_activity"]
    return {each["kind"]: each for each in body["insights"]}


def test_the_streak_ends_yesterday_until_today_meets_the_goal(api: Api, noon_zone: str) -> None:
    owner = api.owner()
    pet = api.pet(owner, goal=GOAL, name="Bella")
    today = _today(noon_zone)
    # Met 5 and 3..1 days ago; 4 days ago only 10 of 30 minutes (two sessions of 20 are 40).
    for back, minutes in ((5, GOAL), (4, 10), (3, GOAL), (2, 20), (1, GOAL + 5)):
        api.log(owner, pet, _noon(today - back * DAY, noon_zone), minutes)
    api.log(owner, pet, _noon(today - 2 * DAY, noon_zone) + timedelta(hours=1), 20)

    before = _insights(api, owner, pet, noon_zone)["goal_streak"]
    api.log(owner, pet, datetime.now(UTC) - timedelta(minutes=GOAL + 1), GOAL)
    after = _insights(api, owner, pet, noon_zone)["goal_streak"]

    assert before["figures"] == {
        "days": 3,
        "goal_minutes": GOAL,
        "today_minutes": 0,
        "through": str(today - DAY),
    }
    assert before["statement"] == (
        f"Bella met the daily goal of {GOAL} minutes 3 days in a row, through yesterday."
    )
    assert after["figures"]["days"] == 4
    assert after["figures"]["through"] == str(today)
    assert after["statement"].endswith("4 days in a row, through today.")


def test_a_streak_longer_than_the_first_look_is_followed_back(api: Api, noon_zone: str) -> None:
    owner = api.owner()
    pet = api.pet(owner, goal=GOAL)
    today = _today(noon_zone)
    for back in range(1, 41):  # 40 days, beyond the first 35 looked at
        api.log(owner, pet, _noon(today - back * DAY, noon_zone), GOAL)
    api.log(owner, pet, _noon(today - 42 * DAY, noon_zone), GOAL)  # after a missed day

    streak = _insights(api, owner, pet, noon_zone)["goal_streak"]

    assert (streak["figures"]["days"], streak["figures"]["through"]) == (40, str(today - DAY))


def test_a_missed_yesterday_is_no_streak(api: Api, noon_zone: str) -> None:
    owner = api.owner()
    pet = api.pet(owner, goal=GOAL)
    today = _today(noon_zone)
    api.log(owner, pet, _noon(today - 2 * DAY, noon_zone), GOAL)
    api.log(owner, pet, datetime.now(UTC) - timedelta(hours=1), GOAL - 1)

    streak = _insights(api, owner, pet, noon_zone)["goal_streak"]

    assert streak["figures"] == {
        "days": 0,
        "goal_minutes": GOAL,
        "today_minutes": GOAL - 1,
        "through": None,
    }
    assert "no current streak" in streak["statement"]


def test_this_week_so_far_against_the_same_span_of_last_week(api: Api, noon_zone: str) -> None:
    owner = api.owner()
    pet = api.pet(owner)
    now = datetime.now(UTC)
    api.log(owner, pet, now - timedelta(hours=1), 45)
    api.log(owner, pet, now - timedelta(days=7, hours=1), 30)
    # Later in the day a week ago: after the span compared, so not counted.
    api.log(owner, pet, now - timedelta(days=7) + timedelta(minutes=30), 100)

    insights = _insights(api, owner, pet, noon_zone)

    monday = _today(noon_zone) - timedelta(days=_today(noon_zone).weekday())
    assert insights["week_so_far"]["figures"] == {
        "minutes": 45,
        "last_week_minutes": 30,
        "change_percent": 50.0,
        "since": str(monday),
    }
    assert insights["week_so_far"]["statement"] == (
        f"This week so far (since Monday {monday}): 45 minutes, against 30 in the same span "
        "of last week (+50%)."
    )
    assert insights["no_goal"]["figures"] == {}
    assert "no daily activity goal" in insights["no_goal"]["statement"]
    assert insights["last_activity"]["figures"] == {"days": 0, "on": str(_today(noon_zone))}


def test_days_since_the_last_activity(api: Api, noon_zone: str) -> None:
    owner = api.owner()
    pet = api.pet(owner, name="Tom")
    three_days_ago = _today(noon_zone) - 3 * DAY
    api.log(owner, pet, _noon(three_days_ago, noon_zone), 15)

    last = _insights(api, owner, pet, noon_zone)["last_activity"]

    assert last["figures"] == {"days": 3, "on": str(three_days_ago)}
    assert last["statement"] == f"3 days since Tom's last logged activity (on {three_days_ago})."


def test_a_pet_without_activities(api: Api, noon_zone: str) -> None:
    owner = api.owner()
    pet = api.pet(owner, goal=GOAL, name="Max")

    insights = _insights(api, owner, pet, noon_zone)

    assert insights["goal_streak"]["figures"]["days"] == 0
    assert insights["week_so_far"]["figures"]["change_percent"] is None
    assert "against none in the same span of last week" in insights["week_so_far"]["statement"]
    assert insights["last_activity"] == {
        "kind": "last_activity",
        "statement": "No activity has been logged for Max yet.",
        "figures": {"days": None, "on": None},
    }


def test_owner_isolation_scopes_and_zone(api: Api) -> None:
    owner = api.owner()
    pet = api.pet(owner)
    path = f"/pet-profiles/{pet}/insights"

    assert api.get(api.owner(), path).status_code == 404
    assert api.client.get(path).status_code == 401
    assert api.get(owner, path, *PETS).status_code == 403
    assert api.get(owner, path, READ).status_code == 200
    refused = api.get(owner, path, tz="Mars/Olympus_Mons")
    assert refused.status_code == 422
    assert [p["location"] for p in refused.json()["error"]["problems"]] == [["query", "tz"]]
