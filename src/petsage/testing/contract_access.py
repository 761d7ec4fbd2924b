"""The contract's access cases (issue 18): who may call the resource, and whose rows they see.

The rule is read from the live `/openapi.json`, each route's security requirement: a protected
route answers 401 without a token and 403 without its scope; an open one (`auth: none`)
answers without a token. For a resource whose rows belong to their owners (`OwnedRow`),
another owner's row is 404 on GET, PATCH and DELETE and absent from their lists, the admin
scope reaches every row (each answer's `owner_id` says whose; a body never sets it), a unique
value is unique per owner, and a reference to another owner's row is refused as a missing one.

Tokens come from the app's development issuer (`petsage.testing.tokens`); the contract's own
client sends `OWNER`'s, with every scope of the resources it touches.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Table

from petsage.resources.row import owner_column
from petsage.settings import Settings
from petsage.testing.contract_api import Collection, ResourceApi, names, problem_locations
from petsage.testing.contract_base import ContractBase
from petsage.testing.tokens import AccessTokens, ensure_identity

OWNER, OTHER_OWNER = "contract-owner", "contract-other-owner"
NO_TOKEN = {"authorization": ""}
SUCCESS = {"GET": 200, "POST": 201, "PATCH": 200, "DELETE": 204}


@dataclass(frozen=True)
class Route:
    method: str
    suffix: str  # "" or "/{id}"

    @property
    def id(self) -> str:
        return f"{self.method}{self.suffix.replace('/{id}', '-item') or '-list'}"


ROUTES = [Route("GET", ""), Route("POST", ""), Route("GET", "/{id}")]
ROUTES += [Route("PATCH", "/{id}"), Route("DELETE", "/{id}")]


@dataclass
class AccessRule:
    """The scopes each route of each collection names in OpenAPI (None: open), and tokens."""

    tokens: AccessTokens
    scopes: dict[tuple[str, str], tuple[str, ...] | None] = field(default_factory=dict)

    def of(self, path: str, route: Route) -> tuple[str, ...] | None:
        return self.scopes[(route.method, path + route.suffix)]

    def every_scope(self, paths: list[str]) -> list[str]:
        """Every scope a route under `paths` names."""
        found = {
            scope
            for (_, path), scopes in self.scopes.items()
            if any(path in (each, f"{each}/{{id}}") for each in paths)
            for scope in scopes or ()
        }
        return sorted(found)

    def headers(self, subject: str, paths: list[str], *extra: str) -> dict[str, str]:
        return self.tokens.headers(subject, *self.every_scope(paths), *extra)


@contextmanager
def as_caller(client: TestClient, headers: dict[str, str]) -> Iterator[None]:
    """The client's requests carry `headers` (another subject's token) until the block ends."""
    saved = {name: client.headers.get(name) for name in headers}
    client.headers.update(headers)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                del client.headers[name]
            else:
                client.headers[name] = value


def with_identity(app: FastAPI, settings: Settings) -> FastAPI:
    """The app, trusting the development issuer of its data directory."""
    ensure_identity(app, settings.data_dir)
    return app


def access_rule(openapi: dict[str, Any], settings: Settings) -> AccessRule:
    rule = AccessRule(AccessTokens(settings.data_dir))
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            requirements = operation.get("security") or []
            needed = [
                scope for each in requirements for scopes in each.values() for scope in scopes
            ]
            open_route = not requirements or {} in requirements
            rule.scopes[(method.upper(), path)] = None if open_route else tuple(needed)
    return rule


class AccessContract(ContractBase):
    @classmethod
    def access_cases(cls) -> dict[str, list[Any]]:
        return {"route": ROUTES, "referring_field": sorted(cls.referring_fields())}

    def paths(self, api: ResourceApi) -> list[str]:
        return [collection.path for collection in api.collections.values()]

    def call(self, api: ResourceApi, route: Route, headers: dict[str, str]) -> Any:
        body = api.body() if route.method == "POST" else {} if route.method == "PATCH" else None
        url = api.item(api.create()["id"]) if route.suffix else api.path
        return api.client.request(route.method, url, json=body, headers=headers)

    def test_route_without_a_token(
        self, api: ResourceApi, access: AccessRule, route: Route
    ) -> None:
        """401 with `WWW-Authenticate: Bearer` on a protected route; an open one answers."""
        answer = self.call(api, route, NO_TOKEN)
        if access.of(api.path, route) is None:
            assert answer.status_code == SUCCESS[route.method], answer.text
            return
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.json()["error"]["status"] == 401

    def test_route_without_its_scope(
        self, api: ResourceApi, access: AccessRule, route: Route
    ) -> None:
        """403 insufficient_scope, naming the scope, for a token with every other scope."""
        needed = access.of(api.path, route)
        if not needed:
            pytest.skip("an open route: no scope to lack")
        others = [scope for scope in access.every_scope(self.paths(api)) if scope not in needed]
        answer = self.call(api, route, access.tokens.headers(OWNER, *others))
        assert answer.status_code == 403, answer.text
        challenge = answer.headers["www-authenticate"]
        assert 'error="insufficient_scope"' in challenge
        assert all(scope in challenge for scope in needed), challenge

    def test_another_owners_row_is_not_found(self, api: ResourceApi, access: AccessRule) -> None:
        """404 on GET, PATCH and DELETE, as for a missing id; absent from their list."""
        self.skip_unless_owned()
        created = api.create()
        other = access.headers(OTHER_OWNER, self.paths(api))
        for method, body in (("GET", None), ("PATCH", {}), ("DELETE", None)):
            answer = api.client.request(method, api.item(created["id"]), json=body, headers=other)
            assert answer.status_code == 404, (method, answer.text)
            assert answer.json()["error"]["code"] == "not_found"
        listed = api.client.get(api.path, headers=other).json()
        assert (listed["items"], listed["total"]) == ([], 0)
        read = api.client.get(api.item(created["id"]))
        assert read.status_code == 200
        assert self.same_item(read.json(), created), (read.json(), created)

    def test_admin_scope_reaches_every_row(self, api: ResourceApi, access: AccessRule) -> None:
        """Every owner's rows, each saying whose it is (`owner_id`)."""
        self.skip_unless_owned()
        created = api.create()
        admin_scope = self.admin_scope(api, access)
        admin = access.headers(OTHER_OWNER, self.paths(api), admin_scope)
        listed = api.client.get(api.path, headers=admin).json()
        assert [item["id"] for item in listed["items"]] == [created["id"]]
        assert [item.get("owner_id") for item in listed["items"]] == [OWNER], listed
        read = api.client.get(api.item(created["id"]), headers=admin)
        assert read.status_code == 200, read.text
        assert read.json().get("owner_id") == OWNER, read.text

    def test_the_owner_is_the_callers_never_the_bodys(self, api: ResourceApi) -> None:
        """The answer says the token's subject owns the row; an `owner_id` in a POST or PATCH
        body is refused (422 naming it), and nothing changes hands."""
        self.skip_unless_owned()
        created = api.create()
        assert created.get("owner_id") == OWNER, created
        posted = api.client.post(api.path, json={**api.body(), "owner_id": OTHER_OWNER})
        assert names(posted, "body", "owner_id"), posted.text
        patched = api.client.patch(api.item(created["id"]), json={"owner_id": OTHER_OWNER})
        assert names(patched, "body", "owner_id"), patched.text
        assert api.client.get(api.item(created["id"])).json()["owner_id"] == OWNER

    def test_unique_values_are_unique_per_owner(
        self, api: ResourceApi, access: AccessRule, unique_field: str
    ) -> None:
        """Another owner may hold a value one owner holds (201: no 409 tells them it is
        taken); the same owner twice is 409, naming the field."""
        self.skip_unless_owned()
        taken = api.create()[unique_field]
        # The other owner's rows, and the rows they refer to, made with their own token.
        theirs = ResourceApi(api.client, api.own, api.collections, _rows_made=api._rows_made)
        with as_caller(api.client, access.headers(OTHER_OWNER, self.paths(api))):
            first = api.client.post(api.path, json={**theirs.body(), unique_field: taken})
            again = api.client.post(api.path, json={**theirs.body(), unique_field: taken})
        api._rows_made = theirs._rows_made
        assert first.status_code == 201, first.text
        assert first.json()[unique_field] == taken
        assert again.status_code == 409, again.text
        assert unique_field in again.json()["error"]["fields"]

    def test_reference_to_another_owners_row(
        self, api: ResourceApi, access: AccessRule, referring_field: str
    ) -> None:
        """Refused as a missing row (422 reference_not_found), on POST and PATCH."""
        target = self.referred_tables()[referring_field]
        if owner_column(target) is None or not self.resource.owned:
            pytest.skip(f"{target.name}'s rows belong to nobody")
        parent = self.collection_of(api, target)
        other = access.headers(OTHER_OWNER, self.paths(api))
        theirs = api.client.post(parent.path, json=api.body(parent), headers=other)
        assert theirs.status_code == 201, theirs.text
        refused = api.client.post(
            api.path, json={**api.body(), referring_field: theirs.json()["id"]}
        )
        assert ["body", referring_field] in problem_locations(refused)
        assert refused.json()["error"]["problems"][0]["type"] == "reference_not_found"
        mine = api.create()
        patched = api.client.patch(
            api.item(mine["id"]), json={referring_field: theirs.json()["id"]}
        )
        assert ["body", referring_field] in problem_locations(patched)

    def skip_unless_owned(self) -> None:
        if not self.resource.owned:
            pytest.skip("its rows belong to nobody (owned: false)")

    def admin_scope(self, api: ResourceApi, access: AccessRule) -> str:
        needed = access.of(api.path, ROUTES[0]) or ()
        if not needed:
            pytest.skip("an open resource has no admin scope")
        return f"{needed[0].split(':', 1)[0]}:admin"

    @staticmethod
    def collection_of(api: ResourceApi, table: Table) -> Collection:
        return api.collections[table.name]
