"""The resource contract on not-future dates and points in time (with a slack) and partial
dates, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from petsage.main import AppOptions, assemble_app
from petsage.settings import Settings
from petsage.testing.contract_api import ResourceApi
from petsage.testing.databases import upgrade_with_tables
from petsage.testing.resource_contract import ResourceContract
from tests.contract.walks import WALKS, WalkCreate, WalkTables, WalkUpdate, feature, walks


class TestWalks(ResourceContract):
    resource = walks
    path = WALKS
    create_model = WalkCreate
    update_model = WalkUpdate
    tag = "Contract Walk"

    @classmethod
    def prepare_database(cls, settings: Settings) -> None:
        asyncio.run(upgrade_with_tables(settings, WalkTables.metadata))

    @classmethod
    def build_app(cls, settings: Settings) -> FastAPI:
        return assemble_app(settings, AppOptions(features=(feature,), observability=False))

    def test_a_filter_may_name_a_day_still_to_come(self, api: ResourceApi) -> None:
        """The not-future rule is the stored values', not the list's: `walked_on_lte` may be
        a day to come, and a partial date's filter takes a year."""
        created = api.create()
        params = {"walked_on_lte": "2999-12-31", "started_at_lte": "2999-12-31T00:00:00Z"}
        answer = api.client.get(api.path, params={**params, "born_lte": "9999"})

        assert answer.status_code == 200, answer.text
        assert [item["id"] for item in answer.json()["items"]] == [created["id"]]
