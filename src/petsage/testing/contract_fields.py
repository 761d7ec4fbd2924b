"""The contract's field cases: each value of each field, through POST and through PATCH."""

from __future__ import annotations

from typing import Any

from petsage.testing.contract_api import ResourceApi, names
from petsage.testing.contract_base import ContractBase
from petsage.testing.field_cases import (
    EXISTING_ROW,
    MISSING,
    SENT,
    FieldCase,
    create_cases,
    update_cases,
)
from petsage.testing.field_values import same_value
from petsage.testing.not_future_cases import sent_value


class FieldContract(ContractBase):
    @classmethod
    def field_cases(cls) -> dict[str, list[Any]]:
        referred = cls.referring_fields()
        return {
            "create_case": [
                case
                for rule in cls.create_rules().values()
                for case in create_cases(rule, reference=rule.name in referred)
            ],
            "update_case": [
                case
                for rule in cls.update_rules().values()
                for case in update_cases(rule, reference=rule.name in referred)
            ],
        }

    def test_create_field(self, api: ResourceApi, create_case: FieldCase) -> None:
        """POST with one field set to the case's value: 201 showing it, or 422 naming it."""
        case, rule = create_case, self.create_rules()[create_case.field]
        body = api.body()
        sent = self.value_to_send(api, case)
        if sent == MISSING:
            body.pop(case.field, None)
        else:
            body[case.field] = sent
        # The tables start empty; only a reference to the resource's own table makes rows of
        # it before the POST (a GET saved on every other case).
        own = self.table().name
        self_referring = any(table.name == own for table in api.own.references().values())
        before = api.total() if self_referring else 0
        answer = api.client.post(api.path, json=body)
        if not case.accepted:
            assert names(answer, "body", case.field), answer.text
            assert api.total() == before, "a refused POST stores nothing"
            return
        assert answer.status_code == 201, answer.text
        created = answer.json()
        expected = sent if case.shown == SENT else case.shown
        assert same_value(rule, expected, created[case.field]), created
        assert answer.headers["location"].endswith(api.item(created["id"]))
        read = api.client.get(api.item(created["id"]))
        assert same_value(rule, expected, read.json()[case.field]), read.json()

    def test_update_field(self, api: ResourceApi, update_case: FieldCase) -> None:
        """PATCH one field: 200 showing it (null clears a nullable one), or 422 naming it and
        nothing changed."""
        case, rule = update_case, self.update_rules()[update_case.field]
        created = api.create()
        sent = self.value_to_send(api, case)
        answer = api.client.patch(api.item(created["id"]), json={case.field: sent})
        read = api.client.get(api.item(created["id"]))
        if not case.accepted:
            assert names(answer, "body", case.field), answer.text
            assert self.same_item(read.json(), created), "a refused PATCH changes nothing"
            assert read.json()["version"] == created["version"]
            return
        assert answer.status_code == 200, answer.text
        expected = sent if case.shown == SENT else case.shown
        assert same_value(rule, expected, answer.json()[case.field]), answer.json()
        assert same_value(rule, expected, read.json()[case.field]), read.json()
        assert answer.headers["etag"] == read.headers["etag"]

    def value_to_send(self, api: ResourceApi, case: FieldCase) -> Any:
        """The case's value; for a reference, the id of a row created for it; next to a
        not-future limit, worked out now."""
        if case.value == EXISTING_ROW:
            return api.referred_id(self.referred_tables()[case.field], fresh=True)
        return sent_value(case.value)
