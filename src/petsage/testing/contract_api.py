"""The resource under contract as a client sees it: its collections, bodies, and answers.

A body is built from the create model's rules (examples, defaults, types), so a resource that
gains a field needs no test edit. A reference is filled with the id of a row created first
through the referred resource's own POST route, found in `/openapi.json`: the route whose
answer has the referred table's columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy import Index, Table, UniqueConstraint

from petsage.resources.row import owner_column
from petsage.testing.field_rules import FieldRule, resolve, schema_rules
from petsage.testing.field_values import NoValidValueError, valid_value


@dataclass(frozen=True)
class Collection:
    """Where rows of `table` are created, and the rules of what that takes."""

    path: str
    rules: tuple[FieldRule, ...]
    table: Table

    def references(self) -> dict[str, Table]:
        """Each field holding a foreign key, and the table it refers to."""
        return {
            column.key: foreign.column.table
            for column in self.table.columns
            for foreign in column.foreign_keys
        }

    def unique_fields(self) -> frozenset[str]:
        return unique_columns(self.table)


def unique_columns(table: Table) -> frozenset[str]:
    """The columns whose value alone no two rows may share; in an owned table, no two rows of
    one owner (a set of the owner and one column)."""
    found = {column.key for column in table.columns if column.unique}
    sets: list[UniqueConstraint | Index]
    sets = [each for each in table.constraints if isinstance(each, UniqueConstraint)]
    sets += [each for each in table.indexes if isinstance(each, Index) and each.unique]
    owner = owner_column(table)
    for each in sets:
        columns = [column for column in each.columns if column is not owner]
        if len(columns) == 1:
            found.add(columns[0].key)
    return frozenset(found)


def collection_in_openapi(openapi: dict[str, Any], table: Table) -> Collection:
    """The collection creating rows of `table`: a POST whose 201 answer holds an `id`, a
    `version` and only columns of the table, and the rules of its request body."""
    schemas: dict[str, Any] = openapi.get("components", {}).get("schemas", {})
    columns = set(table.columns.keys())
    for path, operations in openapi.get("paths", {}).items():
        post = operations.get("post", {})
        answer = json_schema(post.get("responses", {}).get("201", {}))
        body = json_schema(post.get("requestBody", {}))
        if answer is None or body is None:
            continue
        fields = set(resolve(answer, schemas).get("properties", {}))
        if {"id", "version"} <= fields <= columns:
            return Collection(path, tuple(schema_rules(resolve(body, schemas), schemas)), table)
    raise LookupError(f"no route in /openapi.json creates rows of the table {table.name!r}")


def json_schema(part: dict[str, Any]) -> dict[str, Any] | None:
    found: dict[str, Any] | None = part.get("content", {}).get("application/json", {}).get("schema")
    return found


@dataclass
class ResourceApi:
    """One test's view of the resource: bodies, rows created, and the answers' checks."""

    client: TestClient
    own: Collection
    collections: dict[str, Collection]  # by table name, the own one included
    _referred: dict[str, int] = field(default_factory=dict)
    _rows_made: int = 0

    @property
    def path(self) -> str:
        return self.own.path

    def body(self, collection: Collection | None = None) -> dict[str, Any]:
        """A valid body for `collection` (the resource's own by default), distinct from every
        other body of this test where the field allows. Every unique field gets a value no
        other row of the test holds (or, when nullable and out of values, none at all)."""
        target = collection or self.own
        self._rows_made += 1
        references = target.references()
        unique = target.unique_fields()
        built: dict[str, Any] = {}
        for rule in target.rules:
            if rule.name in references:
                if rule.required:
                    built[rule.name] = self.referred_id(references[rule.name])
                continue  # an optional reference is left out, so no extra rows appear
            if rule.name in unique:
                built[rule.name] = unique_value(rule, self._rows_made)
            else:
                built[rule.name] = varied_value(rule, self._rows_made)
        return built

    def referred_id(self, table: Table, *, fresh: bool = False) -> int:
        """The id of a row of `table`, created through its own route (once per test)."""
        if fresh or table.name not in self._referred:
            collection = self.collections[table.name]
            answer = self.client.post(collection.path, json=self.body(collection))
            assert answer.status_code == 201, answer.text
            self._referred[table.name] = answer.json()["id"]
        return self._referred[table.name]

    def create(self, **values: Any) -> dict[str, Any]:
        """A new row of the resource, `values` over a valid body; its JSON answer."""
        answer = self.client.post(self.path, json={**self.body(), **values})
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def item(self, id: int) -> str:
        return f"{self.path}/{id}"

    def total(self) -> int:
        answer = self.client.get(self.path, params={"limit": 1})
        assert answer.status_code == 200, answer.text
        return int(answer.json()["total"])


def varied_value(rule: FieldRule, variant: int) -> Any:
    """`rule`'s value number `variant` (its example first), or its first when it has fewer."""
    try:
        return valid_value(rule, variant)
    except NoValidValueError:
        return valid_value(rule, 0)


def unique_value(rule: FieldRule, variant: int) -> Any:
    """`rule`'s value number `variant`; never a value another variant has, since no two rows
    may share it: null where the field runs out of values and allows null."""
    try:
        return valid_value(rule, variant)
    except NoValidValueError:
        if rule.nullable:
            return None
        raise


def ordered_values(rule: FieldRule, count: int = 3) -> list[Any]:
    """Up to `count` distinct values in ascending order (examples left aside: they need not
    sort before the values built after them)."""
    plain = replace(rule, example=None)
    values: list[Any] = []
    for variant in range(count):
        try:
            values.append(valid_value(plain, variant))
        except NoValidValueError:
            break
    return values or [valid_value(rule)]


def problem_locations(answer: httpx.Response) -> list[list[Any]]:
    """The `location` of each problem of a 422 in the project's error shape."""
    assert answer.status_code == 422, f"{answer.status_code}: {answer.text}"
    error = answer.json()["error"]
    assert error["status"] == 422, error
    return [problem["location"] for problem in error["problems"]]


def names(answer: httpx.Response, where: str, name: str) -> bool:
    """Whether a 422 names `name` in `where` (`body`, `query`, `path`) among its problems."""
    return any(location[:2] == [where, name] for location in problem_locations(answer))
