"""Access to a protected, owned resource over HTTP (issue 18): the example pets ask for
`example_pets:read` or `example_pets:write`; their rows belong to the token's subject that
created them; another owner's row is 404, never 403; `example_pets:admin` reaches every row."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.cli.feature_summary import summarize
from petsage.resources import Access, resource_router
from tests.resources.conftest import ADMIN, OWNER, READ, WRITE, Served
from tests.resources.example_pets import feature
from tests.resources.example_pets.models import ExamplePetCreate, ExamplePetUpdate
from tests.resources.example_pets.orm import ExamplePet
from tests.resources.example_pets.service import example_pets
from tests.resources.pets import PATH, create, problems

OTHER = "bob"
# (method, path) of the five routes; `{id}` is filled with a row of the owner's.
ROUTES = [("GET", PATH), ("POST", PATH), ("GET", "{item}"), ("PATCH", "{item}")]
ROUTES.append(("DELETE", "{item}"))
BODIES = {"POST": {"name": "Rex", "species": "dog"}, "PATCH": {"name": "Max"}}
NO_TOKEN = {"authorization": ""}


def call(api: TestClient, method: str, path: str, item: int, headers: dict[str, str]) -> Any:
    url = path.format(item=f"{PATH}/{item}")
    return api.request(method, url, json=BODIES.get(method), headers=headers)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_answers_401_without_a_token(api: TestClient, method: str, path: str) -> None:
    answer = call(api, method, path, create(api)["id"], NO_TOKEN)

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.json()["error"]["status"] == 401


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_answers_403_without_its_scope(
    api: TestClient, served: Served, method: str, path: str
) -> None:
    needed = READ if method == "GET" else WRITE
    other_scope = WRITE if needed == READ else READ

    answer = call(api, method, path, create(api)["id"], served.tokens.headers(OWNER, other_scope))

    assert answer.status_code == 403
    assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]
    assert needed in answer.headers["www-authenticate"]


def owner_of(served: Served, id: int) -> str:
    async def read(session: AsyncSession) -> str:
        owner = await session.scalar(select(ExamplePet.owner_id).where(ExamplePet.id == id))
        assert owner is not None
        return owner

    return served.run(read)


def test_the_owner_is_the_tokens_subject_never_the_body(api: TestClient, served: Served) -> None:
    pet = create(api)

    assert owner_of(served, pet["id"]) == OWNER
    smuggled = api.post(PATH, json={"name": "Rex", "species": "dog", "owner_id": OTHER})
    assert problems(smuggled) == [(["body", "owner_id"], "extra_forbidden")]
    changed = api.patch(f"{PATH}/{pet['id']}", json={"owner_id": OTHER})
    assert problems(changed) == [(["body", "owner_id"], "extra_forbidden")]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_another_owners_row_is_404_as_a_missing_one(
    api: TestClient, served: Served, method: str
) -> None:
    pet = create(api)
    bob = served.tokens.headers(OTHER, READ, WRITE)
    missing = pet["id"] + 1000

    answer = call(api, method, "{item}", pet["id"], bob)
    absent = call(api, method, "{item}", missing, bob)

    assert (answer.status_code, absent.status_code) == (404, 404)
    assert answer.json() == {
        "error": {**absent.json()["error"], "message": f"no example pet has id {pet['id']}"}
        | {"id": pet["id"]}
    }
    assert api.get(f"{PATH}/{pet['id']}").json() == pet


def test_a_list_holds_only_the_callers_rows(api: TestClient, served: Served) -> None:
    mine = create(api, name="Rex", species="dog")
    bob = served.tokens.headers(OTHER, READ, WRITE)
    theirs = api.post(PATH, json={"name": "Tom", "species": "dog"}, headers=bob).json()

    listed = api.get(PATH, params={"species": "dog"}).json()
    their_list = api.get(PATH, params={"species": "dog"}, headers=bob).json()

    assert ([item["id"] for item in listed["items"]], listed["total"]) == ([mine["id"]], 1)
    assert [item["id"] for item in their_list["items"]] == [theirs["id"]]


def test_the_admin_scope_reaches_every_row(api: TestClient, served: Served) -> None:
    mine = create(api, name="Rex")
    admin = served.tokens.headers(OTHER, READ, WRITE, ADMIN)
    theirs = api.post(PATH, json={"name": "Tom", "species": "cat"}, headers=admin).json()

    listed = api.get(PATH, headers=admin).json()
    changed = api.patch(f"{PATH}/{mine['id']}", json={"name": "Max"}, headers=admin)

    assert {item["id"] for item in listed["items"]} == {mine["id"], theirs["id"]}
    assert changed.status_code == 200
    assert owner_of(served, mine["id"]) == OWNER
    assert owner_of(served, theirs["id"]) == OTHER
    assert [item["id"] for item in api.get(PATH).json()["items"]] == [mine["id"]]


def test_a_ref_to_another_owners_row_is_refused_as_missing(api: TestClient, served: Served) -> None:
    mother = create(api, name="Lady")
    bob = served.tokens.headers(OTHER, READ, WRITE)
    body = {"name": "Pup", "species": "dog", "mother_id": mother["id"]}

    refused = api.post(PATH, json=body, headers=bob)
    own_pup = api.post(PATH, json={**body, "mother_id": None}, headers=bob).json()
    patched = api.patch(f"{PATH}/{own_pup['id']}", json={"mother_id": mother["id"]}, headers=bob)

    for answer in (refused, patched):
        assert problems(answer) == [(["body", "mother_id"], "reference_not_found")]
        assert answer.json()["error"]["problems"][0]["message"] == (
            f"no example pet has id {mother['id']}"
        )
    assert create(api, name="Pup", mother_id=mother["id"])["mother_id"] == mother["id"]


def test_openapi_shows_each_routes_scope(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]

    found = {
        (method.upper(), path): operation["security"]
        for path in (PATH, f"{PATH}/{{id}}")
        for method, operation in paths[path].items()
    }
    assert found == {
        ("GET", PATH): [{"AccessToken": [READ]}],
        ("POST", PATH): [{"AccessToken": [WRITE]}],
        ("GET", f"{PATH}/{{id}}"): [{"AccessToken": [READ]}],
        ("PATCH", f"{PATH}/{{id}}"): [{"AccessToken": [WRITE]}],
        ("DELETE", f"{PATH}/{{id}}"): [{"AccessToken": [WRITE]}],
    }


def test_feature_show_says_the_access_rule() -> None:
    # As generated, the feature declaring its table (the example's lives apart from `Base`).
    summary = summarize(replace(feature, models=(ExamplePet,)))

    assert {(e.method, e.scopes) for e in summary.endpoints} == {
        ("GET", (READ,)),
        ("POST", (WRITE,)),
        ("PATCH", (WRITE,)),
        ("DELETE", (WRITE,)),
    }
    assert summary.access.startswith("an access token with the scope each endpoint names")
    assert f"{ADMIN} reaches every row" in summary.access


def test_an_owned_resource_cannot_be_open_nor_created_for_nobody(served: Served) -> None:
    with pytest.raises(ValueError, match="cannot have them"):
        resource_router(
            example_pets,
            create=ExamplePetCreate,
            update=ExamplePetUpdate,
            prefix="/open-pets",
            tag="Open Pet",
            one="an open pet",
            plural="open pets",
            access=Access.none(),
        )

    async def anonymous(session: AsyncSession) -> Any:
        return await example_pets.create(session, ExamplePetCreate(name="Rex", species="dog"))

    with pytest.raises(ValueError, match="belongs to someone"):
        served.run(anonymous)
