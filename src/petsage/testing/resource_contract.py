"""The resource contract: what every resource built on `petsage.resources` must do over HTTP.

Subclass it in a test module and name the resource::

    class TestPetProfile(ResourceContract):
        resource = pet_profiles
        path = "/pet-profiles"
        create_model = PetProfileCreate
        update_model = PetProfileUpdate
        tag = "Pet Profile"
        revision = "0042"          # the migration creating its table
        down_revision = "0041"     # the one before it ("base" for the first)

The cases come from the models' JSON Schema and the table's `listed` marks when pytest
collects (`pytest_generate_tests`), each a test of its own:
`test_create_field[weight_kg-above_max-sqlite]`, `test_filter[weight_kg_gte-postgres]`,
`test_sort[birth_date-desc-sqlite]`, `test_route_without_a_token[PATCH-item-sqlite]`. The
class runs on SQLite and PostgreSQL, one app per
database for the whole class (`contract_app`), its tables emptied before each test; the
migration round trip runs on a fresh database of its own. A protected resource is called with
a development-issuer token carrying every scope its routes (and those of the resources it
refers to) name; the access cases (`AccessContract`) try the others. Override
`prepare_database` and `build_app` for a resource that migrations or feature discovery do not
bring.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from petsage.database.migrate import upgrade_to_head
from petsage.main import create_app
from petsage.settings import Settings
from petsage.testing.contract_access import (
    OWNER,
    AccessContract,
    AccessRule,
    access_rule,
    with_identity,
)
from petsage.testing.contract_api import (
    Collection,
    ResourceApi,
    collection_in_openapi,
    names,
)
from petsage.testing.contract_app import (
    ContractApp,
    class_database,
    contract_settings,
    running_contract_app,
)
from petsage.testing.contract_fields import FieldContract
from petsage.testing.contract_items import ItemContract
from petsage.testing.contract_lists import ListContract
from petsage.testing.contract_migration import MigrationContract
from petsage.testing.databases import DATABASE_KINDS


class ResourceContract(
    FieldContract, ListContract, ItemContract, MigrationContract, AccessContract
):
    """The contract; a subclass sets `resource`, `path`, `create_model`, `update_model` (and
    `tag`, to check the OpenAPI tag by name; `revision` and `down_revision`, to check the
    migration that creates its table)."""

    @classmethod
    def prepare_database(cls, settings: Settings) -> None:
        """Bring the database to where the resource's table exists: the migrations."""
        asyncio.run(upgrade_to_head(settings))

    @classmethod
    def build_app(cls, settings: Settings) -> FastAPI:
        """The app serving the resource: PetSage with every feature found."""
        return create_app(settings)

    @classmethod
    def generated_cases(cls) -> dict[str, list[Any]]:
        return {
            **cls.field_cases(),
            **cls.list_cases(),
            **cls.item_cases(),
            **cls.migration_cases(),
            **cls.access_cases(),
        }

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Each case its own test, derived from the models and the table's marks."""
        for argument, cases in type(self).generated_cases().items():
            if argument in metafunc.fixturenames:
                ids = [case_id(case) for case in cases]
                metafunc.parametrize(argument, cases, ids=ids)

    @pytest.fixture(scope="class", params=DATABASE_KINDS)
    @classmethod
    def contract_app(
        cls, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[ContractApp]:
        """One app on one fresh database for the whole class, per database kind."""
        contract = cls
        with class_database(request, str(request.param)) as url:
            settings = contract_settings(tmp_path_factory.mktemp("contract") / "var", url)
            with running_contract_app(
                settings,
                prepare=contract.prepare_database,
                build=lambda settings: with_identity(contract.build_app(settings), settings),
                tables=[contract.table()],
            ) as running:
                running.collections = contract.collections(running)
                running.tables = [each.table for each in running.collections.values()]
                running.access = access_rule(running.client.get("/openapi.json").json(), settings)
                paths = [each.path for each in running.collections.values()]
                running.client.headers.update(running.access.headers(OWNER, paths))
                yield running

    @classmethod
    def collections(cls, running: ContractApp) -> dict[str, Collection]:
        """The resource's own collection and, through its references, every one it needs."""
        own = Collection(cls.path, tuple(cls.create_rules().values()), cls.table())
        found = {own.table.name: own}
        openapi: dict[str, Any] = running.client.get("/openapi.json").json()
        waiting = list(own.references().values())
        while waiting:
            table = waiting.pop()
            if table.name not in found:
                found[table.name] = collection_in_openapi(openapi, table)
                waiting.extend(found[table.name].references().values())
        return found

    @pytest.fixture
    def access(self, contract_app: ContractApp) -> AccessRule:
        """Who may call the resource, and tokens to call it with."""
        assert contract_app.access is not None
        return contract_app.access

    @pytest.fixture
    def api(self, contract_app: ContractApp) -> ResourceApi:
        """The resource's API with its tables empty."""
        contract_app.empty_tables()
        collections = contract_app.collections
        return ResourceApi(contract_app.client, collections[self.table().name], collections)

    def test_unknown_body_field_is_refused(self, api: ResourceApi) -> None:
        created = api.create()
        posted = api.client.post(api.path, json={**api.body(), "zz_unknown": 1})
        assert names(posted, "body", "zz_unknown")
        patched = api.client.patch(api.item(created["id"]), json={"zz_unknown": 1})
        assert names(patched, "body", "zz_unknown")
        assert api.total() == 1


def case_id(case: Any) -> str:
    found = getattr(case, "id", None)
    return str(found) if found is not None else str(case)
