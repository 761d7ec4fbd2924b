"""Feature requests: the golden files, the checks that name the key, the `--field` grammar,
`petsage feature schema`, and a request with a `ref`. In process (no subprocess, no project
copy) except where the command line itself is what is tested."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Column, String
from sqlalchemy.orm import DeclarativeBase

from petsage.blueprint.generator import (
    GeneratorError,
    feature_spec,
    load_request,
    parse_request,
    render_feature,
)
from petsage.blueprint.generator.field_grammar import parse_fields
from petsage.blueprint.generator.request_rules import OWNER_COLUMN
from petsage.resources.row import OWNER_COLUMN as KIT_OWNER_COLUMN
from petsage.resources.row import OWNER_MAX, OwnedRow

from .conftest import petsage, tree_digest
from .golden_files import GOLDEN, REQUEST, REVISION, expected_files, render_request
from .test_feature_new import assert_refused

PROJECT_FEATURES = frozenset({"smoke_test", "pet_profile"})


def test_the_issue_request_renders_the_golden_files_byte_for_byte() -> None:
    rendered = render_request(REQUEST)

    assert sorted(rendered) == sorted(expected_files())
    for name, content in expected_files().items():
        assert rendered[name] == content, f"{name} differs: python -m tests.blueprint.golden_files"


def test_a_ref_makes_a_foreign_key_an_index_and_a_requirement() -> None:
    files = render_request(GOLDEN / "vet_visit.yaml", features=PROJECT_FEATURES)

    assert 'requires=("pet_profile",),' in files["__init__.py"]
    assert 'ForeignKey("pet_profiles.id", ondelete="CASCADE")' in files["orm.py"]
    assert 'ondelete="CASCADE",' in files["versions/0042_vet_visit.py"]
    assert 'op.create_index(op.f("ix_vet_visits_pet_id")' in files["versions/0042_vet_visit.py"]
    assert "Requirements: a pet profile to attach the visit to" in files["__init__.py"]


def test_a_ref_to_its_own_table_requires_nothing_and_restrict_is_no_action() -> None:
    request = resource(parent_id={"type": "ref", "feature": "vet_visit", "on_delete": "restrict"})
    spec = feature_spec(parse_request(request), features=PROJECT_FEATURES, tables={})

    files = {str(f.path): f.content for f in render_feature(spec, revision=REVISION).feature_files}

    assert "requires=" not in files["__init__.py"]
    assert 'mapped_column(ForeignKey("vet_visits.id"), index=True)' in files["orm.py"]


@pytest.mark.parametrize(
    ("access", "router_line", "row_base", "owner_column"),
    [
        ({}, 'access=Access.scopes("vet_visit"),', "OwnedRow", True),
        ({"owned": False}, 'access=Access.scopes("vet_visit"),', "ResourceRow", False),
        ({"auth": "none"}, "access=Access.none(),", "ResourceRow", False),
    ],
    ids=["default-protected-owned", "protected-shared", "open"],
)
def test_the_access_keys_choose_the_rule_and_the_owner_column(
    access: dict[str, Any], router_line: str, row_base: str, owner_column: bool
) -> None:
    request = {**resource(reason={"type": "str", "max_length": 20}), **access}
    spec = feature_spec(parse_request(request), features=PROJECT_FEATURES, tables={})
    rendered = render_feature(spec, revision=REVISION)
    files = {str(f.path): f.content for f in rendered.feature_files}
    assert rendered.migration is not None

    assert router_line in files["router.py"]
    assert f"class VetVisit({row_base}, Base):" in files["orm.py"]
    owner = 'sa.Column("owner_id", sa.String(length=255), nullable=False),'
    assert (owner in rendered.migration.content) is owner_column
    assert ('op.f("ix_vet_visits_owner_id")' in rendered.migration.content) is owner_column


def owner_column(*, indexed: bool) -> Column[Any]:
    """The owner column `OwnedRow` gives a table, with `owner_indexed = indexed`."""

    class Rows(DeclarativeBase):
        pass

    class Row(OwnedRow, Rows):
        __tablename__ = "rows"
        owner_indexed = indexed

    column = Row.__table__.columns[OWNER_COLUMN]
    assert isinstance(column, Column)
    return column


def test_the_generators_owner_column_is_the_kits() -> None:
    column = owner_column(indexed=True)
    assert isinstance(column.type, String)
    assert (OWNER_COLUMN, OWNER_MAX) == (KIT_OWNER_COLUMN, column.type.length) == ("owner_id", 255)
    assert (column.nullable, column.index) == (False, True)
    # What a generated orm.py says when another index leads with owner_id.
    assert owner_column(indexed=False).index is False


def checked(request: dict[str, Any]) -> None:
    feature_spec(parse_request(request), features=PROJECT_FEATURES, tables={})


def resource(**fields: Any) -> dict[str, Any]:
    return {"feature": "vet_visit", "resource": True, "fields": fields}


@pytest.mark.parametrize(
    ("request_", "line"),
    [
        ({"feature": "x", "colour": "red"}, "colour: unknown key"),
        (resource(name={"type": "str", "colour": 1}), "fields.name.colour: unknown key"),
        (resource(name={"type": "string"}), "fields.name.type: unknown type 'string' (str, "),
        (resource(name={"max_length": 3}), "fields.name.type: missing (str, text, "),
        (resource(owner={"type": "ref", "feature": "owner"}), "fields.owner.feature: no feature"),
        (
            resource(weight_kg={"type": "decimal", "min": 600, "max": 500}),
            "fields.weight_kg.min: 600 is above max 500",
        ),
        (resource(age={"type": "int", "min": 2**31}), "fields.age.min: Input should be less"),
        (
            resource(weight={"type": "decimal", "digits": 3, "places": 4}),
            "fields.weight.places: 4 is above digits 3",
        ),
        (
            resource(weight={"type": "decimal", "digits": 4, "places": 2, "max": 100}),
            "fields.weight.max: 100 does not fit 4 digits, 2 places",
        ),
        (
            resource(name={"type": "str", "max_length": 3, "default": "Rexy"}),
            "fields.name.default: Rexy breaks the field's rules: String should have at most 3",
        ),
        (
            resource(kind={"type": "enum", "values": ["a", "b"], "default": "c"}),
            "fields.kind.default: 'c' is not one of the values",
        ),
        (resource(kind={"type": "enum", "values": ["a", "a"]}), "fields.kind.values: a value is"),
        (resource(notes={"type": "text", "filter": True}), "fields.notes.filter: a text field"),
        (resource(flag={"type": "bool", "sort": True}), "fields.flag.sort: a bool field cannot"),
        (resource(site={"type": "url", "example": "ftp://x"}), "fields.site.example: ftp://x"),
        (resource(id={"type": "int"}), "fields.id: 'id' is reserved"),
        (resource(order={"type": "int"}), "fields.order: 'order' is an SQL reserved word"),
        (resource(field={"type": "int"}), "fields.field: its type Field would shadow"),
        (resource(Name={"type": "str"}), "fields.Name: not a snake_case name"),
        ({"feature": "x", "fields": {"a": {"type": "int"}}}, "fields: only a resource has"),
        ({"feature": "x", "description": 'say "hi"'}, "description: must be one line"),
        ({**resource(), "auth": "none", "owned": True}, "owned: an open resource (auth: none)"),
        ({**resource(), "auth": "oauth"}, "auth: Input should be 'scopes' or 'none'"),
        ({"feature": "x", "auth": "none"}, "auth: only a resource has an access rule"),
        ({"feature": "x", "owned": True}, "owned: only a resource has an access rule"),
        (resource(owner_id={"type": "str"}), "fields.owner_id: reserved for the owner"),
    ],
)
def test_a_bad_request_is_refused_with_one_line_naming_the_key(
    request_: dict[str, Any], line: str
) -> None:
    with pytest.raises(GeneratorError) as refused:
        checked(request_)

    assert str(refused.value).startswith(line)
    assert "\n" not in str(refused.value)


def test_the_command_line_refuses_a_bad_file_with_exit_2_and_writes_nothing(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(REQUEST.read_text().replace("max: 500", "max: 500, colour: red"))
    before = tree_digest(GOLDEN.parents[2] / "src")

    result = petsage("feature", "new", "--from", str(bad), "--dry-run")

    assert_refused(result.exit_code, result.stdout, result.stderr, "fields.weight_kg.colour")
    assert tree_digest(GOLDEN.parents[2] / "src") == before


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["pet_profile", "--from", str(REQUEST)], "--from says everything: name"),
        (["--from", str(REQUEST), "--field", "a:int"], "--from says everything: --field"),
        ([], "give a feature NAME"),
        (["pet", "--field", "age"], "--field 'age': expected NAME:TYPE"),
        (["pet", "--field", "age:int:wide"], "--field 'age:int:wide': unknown option 'wide'"),
        (["pet", "--field", "w:decimal(5)"], "decimal(5) takes no such arguments"),
        (["pet", "--field", "a:int", "--field", "a:str"], "'a' is given twice"),
        (["pet", "--field", "a:int:5..1"], "fields.a.min: 5 is above max 1"),
        (["--from", "/no/such/file.yaml"], "cannot read /no/such/file.yaml"),
    ],
)
def test_bad_command_lines_are_refused_with_one_line(arguments: list[str], fragment: str) -> None:
    result = petsage("feature", "new", *arguments, "--dry-run")

    assert_refused(result.exit_code, result.stdout, result.stderr, fragment)


def test_the_field_grammar_says_what_the_issue_request_says() -> None:
    """The issue's request, field for field, on the command line."""
    words = [
        "name:str:100:example=Rex",
        "species:enum(dog,cat,rabbit,bird,reptile,fish,small_mammal,other):filter",
        "breed:str(100)?",
        "birth_date:date?:filter:sort",
        "weight_kg:decimal(5,2)?:0.01..500:sort",
        "microchip_id:str?:unique:pattern=^[0-9]{15}$",
        "neutered:bool:default=false:filter",
    ]
    from_file = yaml.safe_load(REQUEST.read_text())
    request = {key: from_file[key] for key in ("feature", "description", "requirements", "path")}

    from_words = parse_request({**request, "resource": True, "fields": parse_fields(words)})

    assert from_words == load_request(REQUEST)


@pytest.mark.parametrize(
    ("word", "field"),
    [
        ("a:int:-5..", {"type": "int", "min": -5}),
        ("a:float:..0.5", {"type": "float", "max": 0.5}),
        (
            "a:ref(pet_profile,cascade)",
            {"type": "ref", "feature": "pet_profile", "on_delete": "cascade"},
        ),
        (
            "a:text?:description=What it is",
            {"type": "text", "optional": True, "description": "What it is"},
        ),
        ("a:str:pattern=^a:b$", {"type": "str", "pattern": "^a:b$"}),
    ],
)
def test_field_words(word: str, field: dict[str, Any]) -> None:
    assert parse_fields([word]) == {"a": field}


def test_feature_schema_prints_the_request_files_json_schema() -> None:
    result = petsage("feature", "schema")

    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["additionalProperties"] is False
    keys = {"feature", "description", "requirements", "resource", "noun", "path", "auth", "owned"}
    assert keys | {"fields", "order", "indexes"} == set(schema["properties"])
    field = schema["properties"]["fields"]["additionalProperties"]
    assert field["discriminator"]["propertyName"] == "type"
    assert len(field["oneOf"]) == 14
