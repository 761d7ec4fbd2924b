"""The contract's item cases: reading with an `ETag`, `If-None-Match`, `If-Match` on PATCH and
DELETE, unique values, 404 and the id's bounds, and the routes in `/openapi.json`."""

from __future__ import annotations

from typing import Any

import pytest

from petsage.resources import ID_MAX
from petsage.testing.contract_api import ResourceApi, names, ordered_values
from petsage.testing.contract_base import ContractBase
from petsage.testing.field_values import same_value

# Each route and the statuses its OpenAPI operation must document.
DOCUMENTED = {
    ("", "get"): {"200", "422"},
    ("", "post"): {"201", "422"},
    ("/{id}", "get"): {"200", "304", "404"},
    ("/{id}", "patch"): {"200", "404", "412", "422"},
    ("/{id}", "delete"): {"204", "404", "412"},
}


class ItemContract(ContractBase):
    @classmethod
    def item_cases(cls) -> dict[str, list[Any]]:
        return {
            "unique_field": cls.unique_fields(),
            "referring_field": sorted(cls.referring_fields()),
        }

    def test_create_answers_location_and_etag(self, api: ResourceApi) -> None:
        answer = api.client.post(api.path, json=api.body())
        assert answer.status_code == 201, answer.text
        created = answer.json()
        assert answer.headers["location"].endswith(api.item(created["id"]))
        read = api.client.get(answer.headers["location"])
        assert read.status_code == 200, read.text
        assert self.same_item(read.json(), created), (read.json(), created)
        assert read.headers["etag"] == answer.headers["etag"]

    def test_if_none_match_answers_304_while_current(self, api: ResourceApi) -> None:
        created = api.create()
        tag = api.client.get(api.item(created["id"])).headers["etag"]
        same = api.client.get(api.item(created["id"]), headers={"If-None-Match": tag})
        assert (same.status_code, same.content, same.headers["etag"]) == (304, b"", tag)
        weak = api.client.get(api.item(created["id"]), headers={"If-None-Match": f"W/{tag}"})
        assert weak.status_code == 304
        self.change(api, created)
        changed = api.client.get(api.item(created["id"]), headers={"If-None-Match": tag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != tag

    def test_stale_if_match_refuses_patch_and_changes_nothing(self, api: ResourceApi) -> None:
        created = api.create()
        stale = api.client.get(api.item(created["id"])).headers["etag"]
        current = self.change(api, created)
        refused = api.client.patch(
            api.item(created["id"]), json=self.changes(created), headers={"If-Match": stale}
        )
        assert refused.status_code == 412, refused.text
        assert refused.json()["error"]["code"] == "precondition_failed"
        read = api.client.get(api.item(created["id"]))
        assert read.headers["etag"] == current[1]
        assert self.same_item(read.json(), current[0]), (read.json(), current[0])

    def test_stale_if_match_refuses_delete(self, api: ResourceApi) -> None:
        created = api.create()
        stale = api.client.get(api.item(created["id"])).headers["etag"]
        current = self.change(api, created)
        refused = api.client.delete(api.item(created["id"]), headers={"If-Match": stale})
        assert refused.status_code == 412, refused.text
        read = api.client.get(api.item(created["id"]))
        assert read.headers["etag"] == current[1]
        assert self.same_item(read.json(), current[0]), (read.json(), current[0])

    def test_current_if_match_is_honoured(self, api: ResourceApi) -> None:
        created = api.create()
        tag = api.client.get(api.item(created["id"])).headers["etag"]
        patched = api.client.patch(
            api.item(created["id"]), json=self.changes(created), headers={"If-Match": tag}
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["version"] > created["version"]
        newer = patched.headers["etag"]
        assert newer != tag
        deleted = api.client.delete(api.item(created["id"]), headers={"If-Match": newer})
        assert deleted.status_code == 204, deleted.text
        assert api.client.get(api.item(created["id"])).status_code == 404
        assert api.total() == 0

    def test_missing_item_is_404(self, api: ResourceApi) -> None:
        missing = api.create()["id"] + 1000
        for method, body in (("GET", None), ("PATCH", {}), ("DELETE", None)):
            answer = api.client.request(method, api.item(missing), json=body)
            assert answer.status_code == 404, (method, answer.text)
            error = answer.json()["error"]
            assert (error["status"], error["code"]) == (404, "not_found"), error
            assert f"no {self.resource.noun} has id {missing}" in error["message"]
            assert (error["resource"], error["id"]) == (self.resource.noun, missing), error

    def test_id_out_of_range_is_refused(self, api: ResourceApi) -> None:
        for id in (0, ID_MAX + 1):
            assert names(api.client.get(api.item(id)), "path", "id")

    def test_unique_field_conflict(self, api: ResourceApi, unique_field: str) -> None:
        """A second row with the same value: 409 on POST and PATCH, and nothing stored."""
        first = api.create()
        taken = first[unique_field]
        clash = api.client.post(api.path, json={**api.body(), unique_field: taken})
        assert clash.status_code == 409, clash.text
        error = clash.json()["error"]
        assert error["code"] == "conflict", error
        # SQLite does not say which constraint refused a row: the kit may then name every
        # unique field the body held. The clashing one is always among them.
        assert unique_field in error["fields"], error
        assert set(error["fields"]) <= set(self.unique_fields()), error
        assert unique_field in error["message"]
        second = api.create()
        patched = api.client.patch(api.item(second["id"]), json={unique_field: taken})
        assert patched.status_code == 409, patched.text
        assert self.same_item(api.client.get(api.item(second["id"])).json(), second)
        assert api.total() == 2

    def test_deleting_the_referred_row(self, api: ResourceApi, referring_field: str) -> None:
        """ON DELETE CASCADE: the referred row's DELETE deletes the rows referring to it too.
        Else (NO ACTION): it is a 409 while they refer to it, and both rows stay."""
        target = self.referred_tables()[referring_field]
        parent = api.collections[target.name]
        paths = api.client.get("/openapi.json").json()["paths"]
        if "delete" not in paths.get(parent.path + "/{id}", {}):
            pytest.skip(f"{parent.path} has no DELETE route")
        parent_id = api.referred_id(target, fresh=True)
        child = api.create(**{referring_field: parent_id})
        foreign = next(iter(self.resource.shape.columns[referring_field].foreign_keys))
        answer = api.client.delete(f"{parent.path}/{parent_id}")
        if (foreign.ondelete or "").upper() == "CASCADE":
            assert answer.status_code == 204, answer.text
            assert api.client.get(api.item(child["id"])).status_code == 404
        else:
            assert answer.status_code == 409, answer.text
            assert api.client.get(api.item(child["id"])).status_code == 200
            assert api.client.get(f"{parent.path}/{parent_id}").status_code == 200

    def test_routes_in_openapi(self, api: ResourceApi) -> None:
        """Each route documented with its statuses, under one tag (the class's, if named)."""
        paths = api.client.get("/openapi.json").json()["paths"]
        tags: set[tuple[str, ...]] = set()
        for (suffix, method), statuses in DOCUMENTED.items():
            operation = paths[api.path + suffix][method]
            assert statuses <= set(operation["responses"]), (suffix, method)
            tags.add(tuple(operation.get("tags", ())))
        expected = {(self.tag,)} if self.tag is not None else tags
        assert tags == expected
        assert len(next(iter(tags))) == 1

    def changes(self, created: dict[str, Any]) -> dict[str, Any]:
        """A PATCH body that changes the row: the first field with another valid value."""
        referred = self.referring_fields()
        for name, rule in self.update_rules().items():
            if name in referred:
                continue
            for value in ordered_values(rule):
                if not same_value(rule, value, created.get(name)):
                    return {name: value}
        raise AssertionError("no field of the update model can be changed")

    def change(self, api: ResourceApi, created: dict[str, Any]) -> tuple[Any, str]:
        """PATCH the row without `If-Match`; its new body and `ETag`."""
        answer = api.client.patch(api.item(created["id"]), json=self.changes(created))
        assert answer.status_code == 200, answer.text
        return answer.json(), answer.headers["etag"]
