"""The kit's lists over HTTP: paging, each kind of filter, sort orders, refused parameters."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from petsage.resources import ID_MAX, LIMIT_MAX, ListShape, Resource, SortKey
from tests.resources.example_pets.models import ExamplePetPublic
from tests.resources.example_pets.orm import ExamplePet
from tests.resources.pets import PATH, create, problems


def names(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["name"] for item in answer.json()["items"]]


def test_pages_split_the_list_in_creation_order_with_the_total(api: TestClient) -> None:
    made = [create(api, name=f"pet {n}")["id"] for n in range(5)]

    pages = [api.get(PATH, params={"limit": 2, "offset": offset}).json() for offset in (0, 2, 4)]

    assert [[item["id"] for item in page["items"]] for page in pages] == [
        made[0:2],
        made[2:4],
        made[4:],
    ]
    assert {(page["total"], page["limit"]) for page in pages} == {(5, 2)}
    assert [page["offset"] for page in pages] == [0, 2, 4]
    assert api.get(PATH).json()["limit"] == 20


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("limit", 0), ("limit", LIMIT_MAX + 1), ("offset", -1), ("offset", ID_MAX + 1)],
)
def test_page_bounds_are_refused(api: TestClient, parameter: str, value: int) -> None:
    assert problems(api.get(PATH, params={parameter: value}))[0][0] == ["query", parameter]


def test_equality_filter(api: TestClient) -> None:
    create(api, name="Rex", species="dog")
    create(api, name="Tom", species="cat")
    create(api, name="Fido", species="dog")

    answer = api.get(PATH, params={"species": "dog"})

    assert names(answer) == ["Rex", "Fido"]
    assert answer.json()["total"] == 2


def test_range_filters_on_dates_and_numbers(api: TestClient) -> None:
    create(api, name="old", birth_date="2015-03-01", weight_g=9000)
    create(api, name="middle", birth_date="2019-06-15", weight_g=4000)
    create(api, name="young", birth_date="2024-01-10", weight_g=1200)
    create(api, name="unknown")

    born = {"birth_date_gte": "2019-06-15", "birth_date_lte": "2024-01-09"}
    assert names(api.get(PATH, params=born)) == ["middle"]
    assert names(api.get(PATH, params={"birth_date": "2015-03-01"})) == ["old"]
    assert names(api.get(PATH, params={"weight_g_lte": 4000})) == ["middle", "young"]
    assert names(api.get(PATH, params={"weight_g_gte": 4000, "species": "dog"})) == [
        "old",
        "middle",
    ]


def test_filter_values_are_validated_by_the_field_type(api: TestClient) -> None:
    assert problems(api.get(PATH, params={"species": "fish"})) == [
        (["query", "species"], "literal_error")
    ]
    assert problems(api.get(PATH, params={"birth_date_gte": "soon"}))[0][0] == [
        "query",
        "birth_date_gte",
    ]


def test_sort_orders(api: TestClient) -> None:
    create(api, name="b", weight_g=300)
    create(api, name="a", weight_g=100)
    create(api, name="c")
    create(api, name="a", weight_g=200)

    assert names(api.get(PATH, params={"sort": "weight_g"})) == ["a", "a", "b", "c"]
    # Descending puts the unknown weights first on both databases (PostgreSQL's order).
    assert names(api.get(PATH, params={"sort": "-weight_g"})) == ["c", "b", "a", "a"]
    by_name = api.get(PATH, params={"sort": "name,-created_at"}).json()["items"]
    assert [(item["name"], item["weight_g"]) for item in by_name] == [
        ("a", 200),
        ("a", 100),
        ("b", 300),
        ("c", None),
    ]
    newest_first = api.get(PATH, params={"sort": "-id"}).json()["items"]
    assert [item["weight_g"] for item in newest_first] == [200, None, 100, 300]


def test_sort_ties_are_broken_by_id(api: TestClient) -> None:
    made = [create(api, name="same")["id"] for _ in range(3)]

    assert [item["id"] for item in api.get(PATH, params={"sort": "name"}).json()["items"]] == made


@pytest.mark.parametrize(
    ("sort", "kind"),
    [
        ("species", "unknown_sort_key"),  # a column, but not listed(sort=True)
        ("-nope", "unknown_sort_key"),
        ("name,-name", "repeated_sort_key"),
    ],
)
def test_bad_sort_keys_are_refused_by_name(api: TestClient, sort: str, kind: str) -> None:
    answer = api.get(PATH, params={"sort": sort})

    assert problems(answer) == [(["query", "sort"], kind)]
    message = answer.json()["error"]["problems"][0]["message"]
    assert sort.split(",", maxsplit=1)[0].lstrip("-") in message


def test_unknown_query_parameters_are_refused_by_name(api: TestClient) -> None:
    answer = api.get(PATH, params={"specie": "dog", "name": "Rex", "limit": 5})

    assert problems(answer) == [
        (["query", "specie"], "unknown_parameter"),
        (["query", "name"], "unknown_parameter"),  # a field, but not listed(filter=True)
    ]


def test_the_list_parameters_are_documented(api: TestClient) -> None:
    operation = api.get("/openapi.json").json()["paths"][PATH]["get"]
    parameters = {each["name"]: each for each in operation["parameters"]}

    assert set(parameters) == {
        "limit",
        "offset",
        "sort",
        "species",
        "birth_date",
        "birth_date_gte",
        "birth_date_lte",
        "weight_g",
        "weight_g_gte",
        "weight_g_lte",
    }
    assert "enum" in str(parameters["species"]["schema"])
    assert parameters["limit"]["schema"]["maximum"] == LIMIT_MAX
    assert set(operation["responses"]) == {"200", "401", "403", "422", "503"}


@pytest.mark.parametrize(
    ("order", "keys"),
    [
        (None, (SortKey("id"),)),
        ("-birth_date", (SortKey("birth_date", descending=True), SortKey("id"))),
        ("name,-weight_g", (SortKey("name"), SortKey("weight_g", True), SortKey("id"))),
        ("created_at,id", (SortKey("created_at"), SortKey("id"))),
    ],
)
def test_a_resources_order_is_its_lists_default(
    order: str | None, keys: tuple[SortKey, ...]
) -> None:
    shape = ListShape.of(ExamplePet, order=order)

    assert shape.sort_keys(None) == shape.sort_keys("") == keys
    assert shape.sort_keys("name") == (SortKey("name"), SortKey("id"))


@pytest.mark.parametrize(
    ("order", "fragment"),
    [("species", "cannot sort by `species`"), ("name,name", "`name` is named twice")],
)
def test_an_order_over_keys_a_list_cannot_sort_by_is_a_mistake(order: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=f"order '{order}': .*{fragment}"):
        Resource(ExamplePet, ExamplePetPublic, noun="example pet", order=order)


def test_the_list_route_and_its_sort_parameter_say_the_default_order(api: TestClient) -> None:
    operation = api.get("/openapi.json").json()["paths"][PATH]["get"]

    assert operation["description"].endswith("Without `sort`, in `id` order.")
    sort = next(each for each in operation["parameters"] if each["name"] == "sort")
    assert sort["description"].endswith("Ties are broken by `id`. Default: `id`.")
