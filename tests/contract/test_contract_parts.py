"""Parts of the contract its example classes cannot show: a reference whose table's module is
imported only after pytest collects, and the migration round trip on a real migration."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import BaseModel, Field
from sqlalchemy import ForeignKey, MetaData, String, Table
from sqlalchemy.exc import NoReferencedTableError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from petsage.resources import Resource, ResourcePatch, ResourcePublic, ResourceRow, listed
from petsage.settings import Settings
from petsage.testing.contract_migration import MigrationContract, migration_round_trip
from petsage.testing.resource_contract import ResourceContract


class LateBase(DeclarativeBase):
    metadata = MetaData()


class Leash(ResourceRow, LateBase):
    # Refers to a table no module has defined yet, as a generated feature's model refers to
    # another feature's table before discovery imports that feature.
    __tablename__ = "late_leashes"

    owner_id: Mapped[int] = mapped_column(ForeignKey("late_owners.id"), info=listed(filter=True))


class LeashCreate(BaseModel):
    owner_id: int = Field(ge=1)


class LeashUpdate(ResourcePatch):
    owner_id: int | None = Field(default=None, ge=1)


class LeashPublic(LeashCreate, ResourcePublic):
    """One leash."""


def test_cases_are_derived_before_the_referred_table_exists() -> None:
    class LeashContract(ResourceContract):
        resource = Resource(Leash, LeashPublic, noun="leash")
        path = "/late-leashes"
        create_model = LeashCreate
        update_model = LeashUpdate

    with pytest.raises(NoReferencedTableError):
        LeashContract.referred_tables()  # what collection used to resolve, and failed on
    cases: dict[str, list[Any]] = LeashContract.generated_cases()
    ids = {case.id for case in cases["create_case"]}
    assert {"owner_id-existing_row", "owner_id-absent_row"} <= ids
    assert cases["filter_parameter"] == ["owner_id"]

    class LateOwner(ResourceRow, LateBase):  # the other feature, imported when the app is built
        __tablename__ = "late_owners"
        name: Mapped[str] = mapped_column(String(20))

    assert LeashContract.referred_tables() == {"owner_id": LateOwner.__table__}


class TestMigrationCase(MigrationContract):
    """The contract's migration case on the project's first migration, on both databases."""

    revision = "0001"
    down_revision = "base"

    @classmethod
    def table(cls) -> Table:
        return Table("health_events", MetaData())

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        for argument, cases in self.migration_cases().items():
            metafunc.parametrize(argument, cases)


def test_migration_round_trip_refuses_a_table_the_revision_does_not_make(
    database_settings: Settings,
) -> None:
    with pytest.raises(AssertionError, match="status_incidents"):
        asyncio.run(migration_round_trip(database_settings, "status_incidents", "0001", "base"))
