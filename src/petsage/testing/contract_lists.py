"""The contract's list cases: every declared filter, every sort order, paging, and the
parameters a list refuses."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from petsage.resources import ID_MAX, LIMIT_MAX
from petsage.resources.query import SORT_PARAMETER
from petsage.testing.contract_api import ResourceApi, names, ordered_values
from petsage.testing.contract_base import ContractBase
from petsage.testing.field_rules import FieldRule
from petsage.testing.field_values import order_key

# Kinds whose every text is a valid filter value: a bad value cannot be sent for them.
TEXT_KINDS = {"string"}
ROWS_PER_PAGE = 2
PAGED_ROWS = 5


@dataclass(frozen=True)
class SortOrder:
    field: str
    descending: bool

    @property
    def id(self) -> str:
        return f"{self.field}-{'desc' if self.descending else 'asc'}"

    @property
    def parameter(self) -> str:
        return f"-{self.field}" if self.descending else self.field


@dataclass(frozen=True)
class BadParameter:
    name: str
    value: Any
    label: str

    @property
    def id(self) -> str:
        return f"{self.name}-{self.label}"


PAGE_BREACHES = [
    BadParameter("limit", 0, "zero"),
    BadParameter("limit", LIMIT_MAX + 1, "above_max"),
    BadParameter("limit", "many", "not_a_number"),
    BadParameter("offset", -1, "negative"),
    BadParameter("offset", ID_MAX + 1, "above_max"),
]


class ListContract(ContractBase):
    @classmethod
    def list_cases(cls) -> dict[str, list[Any]]:
        shape = cls.resource.shape
        rules = cls.public_rules()
        return {
            "filter_parameter": [each.parameter for each in shape.filters],
            "bad_filter": [
                BadParameter(each.parameter, "zz-not-a-value", "not_a_value")
                for each in shape.filters
                if rules[each.field].kind not in TEXT_KINDS
            ],
            "sort_order": [
                SortOrder(name, descending)
                for name in sorted(shape.sortable)
                for descending in (False, True)
            ],
            "bad_page": PAGE_BREACHES,
        }

    def test_filter(self, api: ResourceApi, filter_parameter: str) -> None:
        """Rows with ascending values (the middle one twice, and a null where allowed): the
        filter answers exactly the rows its comparison holds for, and counts them."""
        each = next(f for f in self.resource.shape.filters if f.parameter == filter_parameter)
        rows = self.rows_with_values(api, each.field)
        ranks = sorted({rank for rank, _ in rows.values() if rank is not None})
        probe = ranks[len(ranks) // 2]
        expected = {
            id
            for id, (rank, _) in rows.items()
            if rank is not None and holds(each.comparison, rank, probe)
        }
        probe_value = next(value for index, value in rows.values() if index == probe)
        answer = api.client.get(
            api.path, params={filter_parameter: query_text(probe_value), "limit": LIMIT_MAX}
        )
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert {item["id"] for item in page["items"]} == expected
        assert page["total"] == len(expected)

    def test_filter_refuses_a_bad_value(self, api: ResourceApi, bad_filter: BadParameter) -> None:
        answer = api.client.get(api.path, params={bad_filter.name: bad_filter.value})
        assert names(answer, "query", bad_filter.name), answer.text

    def test_sort(self, api: ResourceApi, sort_order: SortOrder) -> None:
        """The order asked, ties broken by ascending id, nulls last (first when descending)."""
        self.rows_with_values(api, sort_order.field)
        answer = api.client.get(api.path, params={"sort": sort_order.parameter, "limit": LIMIT_MAX})
        assert answer.status_code == 200, answer.text
        items = answer.json()["items"]
        rule = self.public_rules()[sort_order.field]
        by_id = sorted(items, key=lambda item: item["id"])
        # Stable sorts (reversed ones too): equal values keep ascending ids.
        expected = sorted(
            by_id,
            key=lambda item: null_last_key(rule, item[sort_order.field]),
            reverse=sort_order.descending,
        )
        assert [item["id"] for item in items] == [item["id"] for item in expected]

    def test_unsorted_list_comes_in_the_default_order(self, api: ResourceApi) -> None:
        """Without `?sort=`, the resource's own order (`Resource(..., order=...)`, else `id`),
        as the `sort` parameter's OpenAPI description says."""
        shape = self.resource.shape
        self.rows_with_values(api, shape.default_sort[0].field)
        answer = api.client.get(api.path, params={"limit": LIMIT_MAX})
        assert answer.status_code == 200, answer.text
        items = answer.json()["items"]
        rules = self.public_rules()
        expected = sorted(items, key=lambda item: item["id"])
        # Stable sorts, the last key first: each earlier key decides among the later's ties.
        for key in reversed(shape.default_sort):
            rule = rules.get(key.field)
            expected.sort(key=partial(sort_value, rule, key.field), reverse=key.descending)
        assert [item["id"] for item in items] == [item["id"] for item in expected]
        operation = api.client.get("/openapi.json").json()["paths"][api.path]["get"]
        sort = next(each for each in operation["parameters"] if each["name"] == SORT_PARAMETER)
        assert f"Default: `{shape.default_order}`." in sort["description"]

    def test_unknown_sort_key_is_refused(self, api: ResourceApi) -> None:
        answer = api.client.get(api.path, params={"sort": "zz_unknown"})
        assert names(answer, "query", "sort"), answer.text

    def test_unknown_query_parameter_is_refused(self, api: ResourceApi) -> None:
        """`?specie=dog` must not answer every row: each unknown parameter is named."""
        known = self.resource.shape.parameters
        near_misses = [each.parameter[:-1] for each in self.resource.shape.filters]
        unknown = [name for name in ["zz_unknown", *near_misses] if name not in known]
        for name in unknown:
            answer = api.client.get(api.path, params={name: "1"})
            assert names(answer, "query", name), answer.text

    def test_paging(self, api: ResourceApi) -> None:
        """Pages in the list's order that neither overlap nor skip, each with the total."""
        made = [api.create()["id"] for _ in range(PAGED_ROWS)]
        seen: list[int] = []
        for offset in range(0, PAGED_ROWS + ROWS_PER_PAGE, ROWS_PER_PAGE):
            answer = api.client.get(api.path, params={"limit": ROWS_PER_PAGE, "offset": offset})
            assert answer.status_code == 200, answer.text
            page = answer.json()
            assert (page["total"], page["limit"], page["offset"]) == (
                PAGED_ROWS,
                ROWS_PER_PAGE,
                offset,
            )
            assert len(page["items"]) == max(0, min(ROWS_PER_PAGE, PAGED_ROWS - offset))
            seen += [item["id"] for item in page["items"]]
        whole = api.client.get(api.path, params={"limit": LIMIT_MAX}).json()["items"]
        assert seen == [item["id"] for item in whole]
        assert sorted(seen) == sorted(made)

    def test_page_bounds(self, api: ResourceApi, bad_page: BadParameter) -> None:
        answer = api.client.get(api.path, params={bad_page.name: bad_page.value})
        assert names(answer, "query", bad_page.name), answer.text

    def rows_with_values(self, api: ResourceApi, field: str) -> dict[int, tuple[int | None, Any]]:
        """Rows whose `field` takes ascending values, the middle one twice (once for a unique
        field), plus a null row where the field allows it; by id, each value's rank (None for
        null) and value."""
        rule = self.create_rules().get(field)
        if rule is None:  # not set by clients (`id`, `created_at`): rows as they come
            return {api.create()["id"]: (None, None) for _ in range(3)}
        values = self.values_for(api, rule)
        ranks = [*range(len(values))]
        if field not in self.unique_fields():
            ranks.append(len(values) // 2)
        rows = {api.create(**{field: values[rank]})["id"]: (rank, values[rank]) for rank in ranks}
        if rule.nullable:
            rows[api.create(**{field: None})["id"]] = (None, None)
        return rows

    def values_for(self, api: ResourceApi, rule: FieldRule) -> list[Any]:
        """Ascending values of the field; for a reference, ids of rows made for it."""
        referred = self.referred_tables().get(rule.name)
        if referred is None:
            return ordered_values(rule)
        return [api.referred_id(referred, fresh=True) for _ in range(3)]


def holds(comparison: str, rank: int, probe: int) -> bool:
    """Whether a row of value rank `rank` matches a filter on the value of rank `probe`."""
    if comparison == "gte":
        return rank >= probe
    if comparison == "lte":
        return rank <= probe
    return rank == probe


def query_text(value: Any) -> str:
    """A value as a query parameter: JSON's `true`, not Python's `True`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sort_value(rule: FieldRule | None, field: str, item: dict[str, Any]) -> Any:
    """What an item sorts by on `field`: as `null_last_key` for a field with a rule, else the
    value itself (`id`)."""
    return item[field] if rule is None else null_last_key(rule, item[field])


def null_last_key(rule: FieldRule, value: Any) -> tuple[int, Any]:
    return (1, 0) if value is None else (0, order_key(rule, value))
