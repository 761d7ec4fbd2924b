"""The pet routes as a pet-care app meets them, over HTTP against a real `petsage serve`, on
SQLite and PostgreSQL (the generated contract suite runs the same rules in process, case by
case): owners apart, scopes, the fields' refusals, newest first, and a pet's activities going
with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .conftest import PETS, READ, WRITE, Api

# A real `petsage serve` per database, shared by the package's modules.
pytestmark = pytest.mark.slow

NOW = datetime.now(UTC)


def _problem_fields(answer: Any) -> list[str]:
    """The last part of each problem's location: the field or parameter named."""
    assert answer.status_code == 422, answer.text
    return [str(problem["location"][-1]) for problem in answer.json()["error"]["problems"]]


def test_another_owners_pet_and_its_activities_are_404(api: Api) -> None:
    alice, bob = api.owner(), api.owner()
    pet = api.pet(alice, goal=30)
    api.log(alice, pet, NOW - timedelta(hours=2), 30)
    as_bob = api.as_owner(bob)

    for path in (f"/pet-profiles/{pet}", f"/pet-profiles/{pet}/insights"):
        assert api.client.get(path, headers=as_bob).status_code == 404, path
    assert api.client.patch(f"/pet-profiles/{pet}", json={}, headers=as_bob).status_code == 404
    assert api.client.delete(f"/pet-profiles/{pet}", headers=as_bob).status_code == 404
    # Bob's list holds none of Alice's activities, even asked for her pet by id.
    listed = api.client.get("/activities", params={"pet_id": pet}, headers=as_bob)
    assert listed.json()["total"] == 0
    # Logging an activity for her pet is refused as for a pet that does not exist.
    body = {"pet_id": pet, "kind": "walk", "started_at": NOW.isoformat(), "duration_minutes": 5}
    refused = api.client.post("/activities", json=body, headers=as_bob)
    assert _problem_fields(refused) == ["pet_id"]
    assert refused.json()["error"]["problems"][0]["type"] == "reference_not_found"


def test_scopes(api: Api) -> None:
    owner = api.owner()
    pet = api.pet(owner)
    summary = f"/pet-profiles/{pet}/activity-summary"

    assert api.client.get("/activities").status_code == 401
    assert api.client.get(summary).status_code == 401
    read_only = api.as_owner(owner, READ, *PETS)
    body = {"pet_id": pet, "kind": "run", "started_at": NOW.isoformat(), "duration_minutes": 9}
    assert api.client.post("/activities", json=body, headers=read_only).status_code == 403
    pets_only = api.as_owner(owner, *PETS)
    assert api.client.get(summary, headers=pets_only).status_code == 403
    assert api.client.post("/activities", json=body, headers=api.as_owner(owner)).status_code == 201
    write_only = api.as_owner(owner, WRITE, "pet_profile:write")
    assert api.client.get("/pet-profiles", headers=write_only).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"birth_date": "2999"}, "birth_date"),
        ({"birth_date": "2019-02-30"}, "birth_date"),
        ({"microchip_id": "27609810623548"}, "microchip_id"),
        ({"microchip_id": "27609810623548X"}, "microchip_id"),
        ({"weight_kg": "0"}, "weight_kg"),
        ({"weight_kg": "500.001"}, "weight_kg"),
        ({"daily_activity_goal_minutes": 1441}, "daily_activity_goal_minutes"),
        ({"species": "dragon"}, "species"),
        ({"sex": "f"}, "sex"),
    ],
)
def test_a_bad_pet_field_is_a_422_naming_it(api: Api, body: dict[str, Any], field: str) -> None:
    owner = api.owner()
    answer = api.client.post(
        "/pet-profiles", json={"name": "Rex", "species": "dog", **body}, headers=api.as_owner(owner)
    )
    assert _problem_fields(answer) == [field]


def test_a_bad_activity_field_is_a_422_naming_it(api: Api) -> None:
    owner = api.owner()
    pet = api.pet(owner)
    good = {"pet_id": pet, "kind": "walk", "started_at": NOW.isoformat(), "duration_minutes": 30}
    cases: list[tuple[dict[str, Any], str]] = [
        # Six minutes ahead of now (not of NOW, read when the module was collected).
        ({"started_at": (datetime.now(UTC) + timedelta(minutes=6)).isoformat()}, "started_at"),
        ({"started_at": "2026-03-29T07:30:00"}, "started_at"),  # no offset
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 1441}, "duration_minutes"),
        ({"distance_km": "-0.1"}, "distance_km"),
        ({"intensity": "extreme"}, "intensity"),
        ({"kind": "fly"}, "kind"),
    ]
    for change, field in cases:
        answer = api.client.post(
            "/activities", json={**good, **change}, headers=api.as_owner(owner)
        )
        assert _problem_fields(answer) == [field], change
    # A phone's clock a little ahead is taken: 4 minutes ahead of the server's.
    ahead = {**good, "started_at": (datetime.now(UTC) + timedelta(minutes=4)).isoformat()}
    assert (
        api.client.post("/activities", json=ahead, headers=api.as_owner(owner)).status_code == 201
    )


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"tz": "Mars/Olympus_Mons"}, "tz"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to"),
        ({"granularity": "month"}, "granularity"),
    ],
)
def test_a_bad_summary_query_is_a_422_naming_it(
    api: Api, params: dict[str, str], parameter: str
) -> None:
    owner = api.owner()
    pet = api.pet(owner)
    answer = api.get(owner, f"/pet-profiles/{pet}/activity-summary", **params)
    assert parameter in _problem_fields(answer) or parameter in answer.text


def test_activities_come_newest_first_and_go_with_their_pet(api: Api) -> None:
    owner = api.owner()
    pet = api.pet(owner)
    for hours in (5, 1, 3):
        api.log(owner, pet, NOW - timedelta(hours=hours), hours)
    listed = api.get(owner, "/activities", pet_id=str(pet)).json()
    assert [item["duration_minutes"] for item in listed["items"]] == [1, 3, 5]

    assert api.client.delete(f"/pet-profiles/{pet}", headers=api.as_owner(owner)).status_code == 204
    assert api.get(owner, "/activities", pet_id=str(pet)).json()["total"] == 0
    assert api.get(owner, f"/pet-profiles/{pet}/activity-summary").status_code == 404
