"""What every part of the resource contract reads from the subclass: the resource, its path,
its models, and the rules derived from them (once per class)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel
from sqlalchemy import Table

from petsage.resources import Resource
from petsage.testing.contract_api import unique_columns
from petsage.testing.field_rules import FieldRule, field_rules
from petsage.testing.field_values import same_value


class ContractBase:
    resource: ClassVar[Resource[Any, Any]]
    path: ClassVar[str]
    create_model: ClassVar[type[BaseModel]]
    update_model: ClassVar[type[BaseModel]]
    # The OpenAPI tag its routes carry; None: any one tag, the same on every route.
    tag: ClassVar[str | None] = None
    # The migration that creates the resource's table and the one before it ("base" when it
    # is the first); None: the migration round trip is not checked.
    revision: ClassVar[str | None] = None
    down_revision: ClassVar[str | None] = None

    @classmethod
    def table(cls) -> Table:
        found: Table = cls.resource.row.__table__
        return found

    @classmethod
    def create_rules(cls) -> dict[str, FieldRule]:
        return rules_of(cls.create_model)

    @classmethod
    def update_rules(cls) -> dict[str, FieldRule]:
        return rules_of(cls.update_model)

    @classmethod
    def public_rules(cls) -> dict[str, FieldRule]:
        return rules_of(cls.resource.public)

    @classmethod
    def same_item(cls, shown: dict[str, Any], expected: dict[str, Any]) -> bool:
        """Whether two answers show the same item, each value compared as its kind compares
        (a POST may echo `2.0` where a read shows the column's `2.00`)."""
        rules = cls.public_rules()
        return shown.keys() == expected.keys() and all(
            same_value(rules[name], expected[name], value)
            if name in rules
            else value == expected[name]
            for name, value in shown.items()
        )

    @classmethod
    def unique_fields(cls) -> list[str]:
        """The fields a client sets whose value no two rows may share."""
        return sorted(unique_columns(cls.table()) & cls.create_rules().keys())

    @classmethod
    def referring_fields(cls) -> frozenset[str]:
        """The fields holding a foreign key, read without resolving it: when pytest collects,
        the referred table's module (another feature's) may not be imported yet."""
        columns = cls.resource.shape.columns
        return frozenset(name for name, column in columns.items() if column.foreign_keys)

    @classmethod
    def referred_tables(cls) -> dict[str, Table]:
        """Each field holding a foreign key, and the table it refers to; only once the app is
        built (every feature imported), since resolving a foreign key needs its table."""
        return {
            name: foreign.column.table
            for name, column in cls.resource.shape.columns.items()
            for foreign in column.foreign_keys
        }


# Read once per model: pytest collects each test function of a class separately.
_RULES: dict[type[BaseModel], dict[str, FieldRule]] = {}


def rules_of(model: type[BaseModel]) -> dict[str, FieldRule]:
    if model not in _RULES:
        _RULES[model] = {rule.name: rule for rule in field_rules(model)}
    return _RULES[model]
