"""The resource contract on a resource with a reference to another resource's table, and a
field of every kind the kit's example pets leave out (decimal, float, date-time, email, URL,
UUID), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from petsage.main import AppOptions, assemble_app
from petsage.settings import Settings
from petsage.testing.databases import upgrade_with_tables
from petsage.testing.resource_contract import ResourceContract
from tests.contract.visits import VISITS, ContractBase, VisitCreate, VisitUpdate, feature, visits


class TestVisits(ResourceContract):
    resource = visits
    path = VISITS
    create_model = VisitCreate
    update_model = VisitUpdate
    tag = "Contract Visit"

    @classmethod
    def prepare_database(cls, settings: Settings) -> None:
        asyncio.run(upgrade_with_tables(settings, ContractBase.metadata))

    @classmethod
    def build_app(cls, settings: Settings) -> FastAPI:
        return assemble_app(settings, AppOptions(features=(feature,), observability=False))
