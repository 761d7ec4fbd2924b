"""The resource contract on the kit's example resource: the cases its models and table imply,
on SQLite and PostgreSQL, as every generated resource runs them."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from petsage.main import AppOptions, assemble_app
from petsage.settings import Settings
from petsage.testing.databases import upgrade_with_tables
from petsage.testing.resource_contract import ResourceContract
from tests.resources.example_pets import feature
from tests.resources.example_pets.models import ExamplePetCreate, ExamplePetUpdate
from tests.resources.example_pets.orm import ExampleBase
from tests.resources.example_pets.service import example_pets


class TestExamplePets(ResourceContract):
    resource = example_pets
    path = "/example-pets"
    create_model = ExamplePetCreate
    update_model = ExamplePetUpdate
    tag = "Example Pet"

    @classmethod
    def prepare_database(cls, settings: Settings) -> None:
        # The example table belongs to these tests, not to the migrations.
        asyncio.run(upgrade_with_tables(settings, ExampleBase.metadata))

    @classmethod
    def build_app(cls, settings: Settings) -> FastAPI:
        return assemble_app(settings, AppOptions(features=(feature,), observability=False))
