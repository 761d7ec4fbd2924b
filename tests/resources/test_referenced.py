"""`Resource.referenced`: the row a reference points at, read by the referring resource without
importing the resource that owns it, with the owner check of the caller."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.resources import Caller, ResourceNotFound
from tests.resources.conftest import OWNER, Served
from tests.resources.example_pets.service import example_pets
from tests.resources.pets import create


def _read(served: Served, id: int, caller: Caller | None) -> dict[str, object]:
    async def work(session: AsyncSession) -> dict[str, object]:
        return dict(await example_pets.referenced(session, "mother_id", id, caller=caller))

    return served.run(work)


def test_the_owner_reads_the_row_referred_to(api: TestClient, served: Served) -> None:
    mother = create(api, name="Bella", weight_g=5100)

    found = _read(served, mother["id"], Caller(OWNER))

    assert found["id"] == mother["id"]
    assert (found["name"], found["weight_g"], found["owner_id"]) == ("Bella", 5100, OWNER)


def test_another_owners_row_is_as_missing_as_no_row(api: TestClient, served: Served) -> None:
    mother = create(api, name="Bella")

    for id in (mother["id"], mother["id"] + 1000, 2**40):
        with pytest.raises(ResourceNotFound) as refused:
            _read(served, id, Caller("bob"))
        assert (refused.value.status_code, refused.value.message) == (
            404,
            f"no example pet has id {id}",
        )


def test_every_row_is_reached_by_an_admin_and_by_the_feature_itself(
    api: TestClient, served: Served
) -> None:
    mother = create(api, name="Bella")

    assert _read(served, mother["id"], Caller("bob", every_row=True))["name"] == "Bella"
    assert _read(served, mother["id"], None)["name"] == "Bella"


def test_a_field_that_refers_to_nothing_is_a_programming_error(served: Served) -> None:
    async def work(session: AsyncSession) -> object:
        return await example_pets.referenced(session, "name", 1)

    with pytest.raises(ValueError, match="'name' is not a reference of the example pet"):
        served.run(work)
