"""The kit's items over HTTP: create, read, change, delete; ETags and If-Match; references,
unique values and the error shapes. Two service-level cases at the end reach what HTTP alone
cannot arrange: a write racing another, and a PATCH model that lets null through."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.resources import ETagMatch, PreconditionFailed, ResourcePatch
from petsage.resources.errors import NullRefused
from tests.resources.conftest import Served
from tests.resources.example_pets.models import ExamplePetUpdate
from tests.resources.example_pets.orm import ExamplePet
from tests.resources.example_pets.service import example_pets
from tests.resources.pets import PATH, create, problems

CHIP = "276098106543210"


def item(api: TestClient, id: int) -> dict[str, Any]:
    answer = api.get(f"{PATH}/{id}")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_create_answers_the_item_its_location_and_etag(api: TestClient) -> None:
    answer = api.post(PATH, json={"name": "Rex", "species": "dog", "weight_g": 4200})

    assert answer.status_code == 201
    created = answer.json()
    assert answer.headers["location"] == f"{PATH}/{created['id']}"
    assert created["version"] == 1
    assert created["created_at"] == created["updated_at"]
    read = api.get(answer.headers["location"])
    assert read.json() == created
    assert read.headers["etag"] == answer.headers["etag"]


def test_if_none_match_answers_304_without_a_body(api: TestClient) -> None:
    tag = api.get(f"{PATH}/{create(api)['id']}").headers["etag"]
    url = f"{PATH}/{create(api, name='Tom')['id'] - 1}"

    for held in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        answer = api.get(url, headers={"if-none-match": held})
        assert (answer.status_code, answer.content, answer.headers["etag"]) == (304, b"", tag)
    assert api.get(url, headers={"if-none-match": '"1.0"'}).status_code == 200


def test_patch_changes_only_the_fields_sent(api: TestClient) -> None:
    pet = create(api, birth_date="2020-02-02", weight_g=3000, chip_code=CHIP)

    answer = api.patch(f"{PATH}/{pet['id']}", json={"name": "Max", "weight_g": None})

    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert changed == item(api, pet["id"])
    assert (changed["name"], changed["weight_g"], changed["version"]) == ("Max", None, 2)
    assert (changed["birth_date"], changed["chip_code"]) == ("2020-02-02", CHIP)
    assert changed["updated_at"] > pet["updated_at"]
    assert answer.headers["etag"] == api.get(f"{PATH}/{pet['id']}").headers["etag"]


def test_a_patch_changing_nothing_keeps_the_version(api: TestClient) -> None:
    pet = create(api)

    assert api.patch(f"{PATH}/{pet['id']}", json={"name": "Rex"}).json() == pet
    assert api.patch(f"{PATH}/{pet['id']}", json={}).json() == pet


@pytest.mark.parametrize("field", ["name", "species"])
def test_patch_refuses_null_for_a_field_that_cannot_be_empty(api: TestClient, field: str) -> None:
    pet = create(api)

    answer = api.patch(f"{PATH}/{pet['id']}", json={field: None, "weight_g": 10})

    assert [location for location, _ in problems(answer)] == [["body", field]]
    assert item(api, pet["id"]) == pet


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_a_stale_if_match_is_412_and_changes_nothing(api: TestClient, method: str) -> None:
    pet = create(api)
    url = f"{PATH}/{pet['id']}"
    stale = api.get(url).headers["etag"]
    current = api.patch(url, json={"weight_g": 100}).json()

    for held in (stale, f"W/{api.get(url).headers['etag']}", '"garbage'):
        answer = api.request(
            method,
            url,
            json={"name": "Max"} if method == "PATCH" else None,
            headers={"if-match": held},
        )
        assert answer.status_code == 412, answer.text
        assert answer.json()["error"]["code"] == "precondition_failed"
        assert item(api, pet["id"]) == current


@pytest.mark.parametrize("held", ["current", "*"])
def test_a_matching_if_match_lets_the_write_through(api: TestClient, held: str) -> None:
    url = f"{PATH}/{create(api)['id']}"
    tag = api.get(url).headers["etag"] if held == "current" else "*"

    changed = api.patch(url, json={"name": "Max"}, headers={"if-match": tag})
    assert changed.status_code == 200
    tag = changed.headers["etag"] if held == "current" else "*"

    assert api.delete(url, headers={"if-match": tag}).status_code == 204
    assert api.get(url).status_code == 404
    assert api.patch(url, json={}, headers={"if-match": "*"}).status_code == 404


def test_missing_items_are_404_in_the_error_shape(api: TestClient) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        answer = api.request(method, f"{PATH}/7", json={} if method == "PATCH" else None)
        assert answer.status_code == 404
        assert answer.json() == {
            "error": {
                "status": 404,
                "code": "not_found",
                "message": "no example pet has id 7",
                "resource": "example pet",
                "id": 7,
            }
        }


@pytest.mark.parametrize("id", [0, 2**31])
def test_ids_outside_the_integer_column_are_422(api: TestClient, id: int) -> None:
    assert problems(api.get(f"{PATH}/{id}"))[0][0] == ["path", "id"]


def test_a_reference_to_a_missing_row_is_422_naming_the_field(api: TestClient) -> None:
    mother = create(api, name="Mum")
    answer = api.post(PATH, json={"name": "Pup", "species": "dog", "mother_id": mother["id"] + 9})

    assert problems(answer) == [(["body", "mother_id"], "reference_not_found")]
    message = answer.json()["error"]["problems"][0]["message"]
    assert message == f"no example pet has id {mother['id'] + 9}"

    pup = create(api, name="Pup", mother_id=mother["id"])
    missing = api.patch(f"{PATH}/{pup['id']}", json={"mother_id": mother["id"] + 9})
    assert problems(missing) == [(["body", "mother_id"], "reference_not_found")]
    assert item(api, pup["id"]) == pup


def test_a_referred_to_row_cannot_be_deleted(api: TestClient) -> None:
    mother = create(api, name="Mum")
    create(api, name="Pup", mother_id=mother["id"])

    answer = api.delete(f"{PATH}/{mother['id']}")

    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "conflict")
    assert item(api, mother["id"]) == mother


def test_a_taken_unique_value_is_409_naming_the_field(api: TestClient) -> None:
    create(api, chip_code=CHIP)
    other = create(api, name="Tom", species="cat")

    for answer in (
        api.post(PATH, json={"name": "Max", "species": "dog", "chip_code": CHIP}),
        api.patch(f"{PATH}/{other['id']}", json={"chip_code": CHIP}),
    ):
        assert answer.status_code == 409, answer.text
        assert answer.json()["error"]["code"] == "conflict"
        assert answer.json()["error"]["fields"] == ["chip_code"]
    assert api.get(PATH).json()["total"] == 2
    assert item(api, other["id"]) == other


def test_the_item_routes_document_their_errors(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]

    access = {"401", "403", "503"}
    assert set(paths[f"{PATH}/{{id}}"]["get"]["responses"]) == {"200", "304", "404", "422"} | access
    assert {"404", "409", "412"} <= set(paths[f"{PATH}/{{id}}"]["patch"]["responses"])
    assert {"409", "422"} <= set(paths[PATH]["post"]["responses"])


def test_a_write_racing_another_is_412(api: TestClient, served: Served) -> None:
    pet = create(api)

    async def race(session: AsyncSession) -> Any:
        # Read at version 1 and held, as the kit holds it between its read and its UPDATE.
        held = await session.get(ExamplePet, pet["id"])
        async with served.sessions.begin() as other:
            await example_pets.update(other, pet["id"], ExamplePetUpdate(weight_g=1))
        changed = await example_pets.update(session, pet["id"], ExamplePetUpdate(name="Max"))
        return held, changed

    with pytest.raises(PreconditionFailed):
        served.run(race)
    assert (item(api, pet["id"])["name"], item(api, pet["id"])["version"]) == ("Rex", 2)


class LaxUpdate(ResourcePatch):
    """A PATCH model that forgot to refuse null for a NOT NULL column."""

    name: str | None = Field(default=None)


def test_the_kit_refuses_null_for_a_not_null_column_itself(api: TestClient, served: Served) -> None:
    pet = create(api)

    async def patch(session: AsyncSession) -> Any:
        any_version = ETagMatch.parse("*")
        return await example_pets.update(
            session, pet["id"], LaxUpdate(name=None), if_match=any_version
        )

    with pytest.raises(NullRefused):
        served.run(patch)
    assert item(api, pet["id"]) == pet
