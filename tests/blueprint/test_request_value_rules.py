"""Feature requests' value rules: `not_future` (and a datetime's `future_slack_seconds`), the
`partial_date` type and a `text` field's `max_length`. Checked with one line naming the key,
rendered into models.py, orm.py and the migration, on the command line, and held to the kit's
own statement of the rules (`petsage.resources.values`). In process.

The rendered rules at work over HTTP, on both databases: tests/contract/test_walks_contract.py
runs the contract on a resource with these types, and scripts/walkthrough.sh generates one.
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from petsage.blueprint.generator import GeneratorError, feature_spec, parse_request, render_feature
from petsage.blueprint.generator.field_grammar import parse_fields
from petsage.blueprint.generator.request import request_schema
from petsage.blueprint.generator.value_rules import (
    LATEST_ZONE,
    PARTIAL_DATE_LENGTH,
    PARTIAL_DATE_PATTERN,
    not_future,
    partial_date,
)
from petsage.database.columns import PartialDateText
from petsage.resources import NotFuture, PartialDate
from petsage.resources import values as kit

from .golden_files import REVISION

TOMORROW = (datetime.now(UTC) + LATEST_ZONE + timedelta(days=1)).date()
FIELDS: dict[str, Any] = {
    "born": {"type": "partial_date", "optional": True, "not_future": True, "sort": True},
    "first_seen": {"type": "partial_date", "filter": True, "example": 2019},
    "walked_on": {"type": "date", "not_future": True, "example": date(2026, 1, 15)},
    "started_at": {
        "type": "datetime",
        "not_future": True,
        "future_slack_seconds": 300,
        "filter": True,
        "example": "2026-03-29T07:30:00Z",
    },
    "notes": {"type": "text", "max_length": 2000, "optional": True},
}


def resource(**fields: Any) -> dict[str, Any]:
    return {"feature": "walk", "resource": True, "fields": fields}


def rendered(request: dict[str, Any]) -> dict[str, str]:
    spec = feature_spec(parse_request(request), features=frozenset({"walk"}), tables={})
    result = render_feature(spec, revision=REVISION)
    files = {str(generated.path): generated.content for generated in result.feature_files}
    assert result.migration is not None
    return {**files, "migration": result.migration.content}


@pytest.mark.parametrize(
    ("field", "line"),
    [
        (
            {"type": "int", "not_future": True},
            "fields.x.not_future: a int field does not take it (only date, datetime, partial_date)",
        ),
        (
            {"type": "date", "future_slack_seconds": 5},
            "fields.x.future_slack_seconds: a date field does not take it (only datetime)",
        ),
        (
            {"type": "partial_date", "future_slack_seconds": 5},
            "fields.x.future_slack_seconds: a partial_date field does not take it (only datetime)",
        ),
        (
            {"type": "datetime", "future_slack_seconds": 5},
            "fields.x.future_slack_seconds: only with not_future: true",
        ),
        (
            {"type": "datetime", "not_future": True, "future_slack_seconds": 86_401},
            "fields.x.future_slack_seconds: Input should be less than or equal to 86400",
        ),
        (
            {"type": "datetime", "not_future": True, "future_slack_seconds": -1},
            "fields.x.future_slack_seconds: Input should be greater than or equal to 0",
        ),
        (
            {"type": "date", "not_future": True, "example": TOMORROW},
            f"fields.x.example: {TOMORROW} breaks the field's rules: Value error, in the future",
        ),
        (
            {"type": "datetime", "not_future": True, "example": "2999-01-01T00:00:00Z"},
            "fields.x.example: 2999-01-01T00:00:00Z breaks the field's rules: Value error, in the",
        ),
        (
            {"type": "partial_date", "not_future": True, "default": "2999"},
            "fields.x.default: 2999 breaks the field's rules: Value error, in the future",
        ),
        (
            {"type": "partial_date", "example": "2019-02-30"},
            "fields.x.example: 2019-02-30 breaks the field's rules: Value error, not a day of",
        ),
        (
            {"type": "partial_date", "example": 19},
            "fields.x.example: 19 breaks the field's rules: Value error, a day (2019-05-04) or",
        ),
        (
            {"type": "partial_date", "example": "0000"},
            "fields.x.example: 0000 breaks the field's rules: Value error, a year is 0001 to 9999",
        ),
        ({"type": "text", "max_length": 0}, "fields.x.max_length: Input should be greater than"),
        (
            {"type": "text", "min_length": 30, "max_length": 20},
            "fields.x.min_length: 30 is above 20",
        ),
        (
            {"type": "text", "max_length": 5, "example": "Too long"},
            "fields.x.example: Too long breaks the field's rules: String should have at most 5",
        ),
        (
            {"type": "partial_date", "pattern": "x"},
            "fields.x.pattern: a partial_date field does not take it (only str)",
        ),
        ({"type": "partial_date", "colour": "x"}, "fields.x.colour: unknown key"),
    ],
)
def test_a_bad_rule_is_refused_with_one_line_naming_the_key(
    field: dict[str, Any], line: str
) -> None:
    with pytest.raises(GeneratorError) as refused:
        feature_spec(parse_request(resource(x=field)), features=frozenset({"walk"}), tables={})

    assert str(refused.value).startswith(line), str(refused.value)
    assert "\n" not in str(refused.value)


def test_the_rules_render_into_the_fields_types() -> None:
    files = rendered(resource(**FIELDS))
    models, orm, migration = files["models.py"], files["orm.py"], files["migration"]

    kit_import = models.split("from petsage.resources import ", 1)[1].split("\n\n", 1)[0]
    assert {"NotFuture", "PartialDate"} <= set(kit_import.strip("()\n").replace(",", " ").split())
    assert "Born = Annotated[PartialDate, NotFuture()]\n" in models
    assert 'FirstSeen = Annotated[PartialDate, Field(examples=["2019"])]\n' in models
    assert 'WalkedOn = Annotated[date, NotFuture(), Field(examples=["2026-01-15"])]\n' in models
    assert "    NotFuture(slack_seconds=300),\n" in models
    assert "Notes = Annotated[str, Field(min_length=1, max_length=2000)]\n" in models
    assert "    born: Born | None = None\n" in models
    assert "    first_seen: FirstSeen\n" in models
    assert "from petsage.database.columns import PartialDateText, UTCDateTime\n" in orm
    assert "    born: Mapped[str | None] = mapped_column(PartialDateText(), index=True," in orm
    assert "    first_seen: Mapped[str] = mapped_column(PartialDateText(), index=True," in orm
    # A text's bound is the model's: the column stays TEXT, no CHECK to migrate when it moves.
    assert "    notes: Mapped[str | None] = mapped_column(Text())\n" in orm
    assert 'sa.Column("born", sa.String(length=10), nullable=True),' in migration
    assert 'sa.Column("notes", sa.Text(), nullable=True),' in migration
    assert "CheckConstraint" not in orm


def test_the_rendered_models_state_the_kits_rules(tmp_path: Path) -> None:
    """models.py imported as it is: its types refuse what the kit's rules refuse."""
    source = tmp_path / "walk_models.py"
    source.write_text(rendered(resource(**FIELDS))["models.py"], encoding="utf-8")
    spec = importlib.util.spec_from_file_location("walk_models", source)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    create: type[BaseModel] = module.WalkCreate
    body = {"first_seen": "2019", "walked_on": "2026-01-15", "started_at": "2026-03-29T07:30:00Z"}
    now = datetime.now(UTC)

    assert create.model_validate({**body, "born": "2019", "notes": "é" * 2000})
    assert create.model_validate({**body, "started_at": (now + timedelta(seconds=240)).isoformat()})
    for field, value in [
        ("born", f"{TOMORROW.year + 1}"),
        ("born", "2019-02-30"),
        ("first_seen", "2019-5-4"),
        ("walked_on", TOMORROW.isoformat()),
        ("started_at", (now + timedelta(seconds=360)).isoformat()),
        ("notes", "a" * 2001),
    ]:
        with pytest.raises(ValidationError) as refused:
            create.model_validate({**body, field: value})
        assert [error["loc"] for error in refused.value.errors()] == [(field,)]
    schema = create.model_json_schema()["properties"]
    assert schema["started_at"][kit.NOT_FUTURE_KEY] == {"slack_seconds": 300}
    assert schema["first_seen"]["format"] == kit.PARTIAL_DATE_FORMAT


@pytest.mark.parametrize(
    "text",
    ["2019", "0001", "9999-12-31", "2024-02-29", "2019-02-30", "19", "2019-5-4", "0000", "2019-"],
)
def test_the_generators_partial_date_is_the_kits(text: str) -> None:
    try:
        partial_date(text)
        generator_problem = None
    except ValueError as exc:
        generator_problem = str(exc)

    assert generator_problem == kit.partial_date_problem(text)


def test_the_generators_limits_are_the_kits() -> None:
    assert (PARTIAL_DATE_PATTERN, LATEST_ZONE) == (kit.PARTIAL_DATE_PATTERN, kit.LATEST_ZONE)
    assert PARTIAL_DATE_LENGTH == PartialDateText().impl_instance.length == 10
    today = kit.latest_today()
    for value, refused in [
        (today, False),
        (today + timedelta(days=1), True),
        (str(today.year), False),
        (str(today.year + 1), True),
    ]:
        kit_refuses = _refuses(lambda v: NotFuture().check(v), value)
        assert _refuses(not_future(0), value) is kit_refuses is refused, value


def _refuses(check: Any, value: Any) -> bool:
    try:
        check(value)
    except ValueError:  # pydantic's errors are ValueErrors too
        return True
    return False


def test_the_kits_partial_date_type_is_what_models_py_imports() -> None:
    class Probe(BaseModel):
        born: PartialDate

    assert Probe(born="2019").born == "2019"


@pytest.mark.parametrize(
    ("word", "field"),
    [
        (
            "born:partial_date?:not_future:sort",
            {"type": "partial_date", "optional": True, "not_future": True, "sort": True},
        ),
        (
            "started_at:datetime:not_future:future_slack_seconds=300",
            {"type": "datetime", "not_future": True, "future_slack_seconds": 300},
        ),
        ("notes:text(2000)?", {"type": "text", "max_length": 2000, "optional": True}),
        ("notes:text:2000", {"type": "text", "max_length": 2000}),
    ],
)
def test_field_words(word: str, field: dict[str, Any]) -> None:
    name = word.split(":", 1)[0]
    assert parse_fields([word]) == {name: field}


def test_the_request_schema_knows_the_new_type_and_keys() -> None:
    schema = request_schema()
    fields = schema["$defs"]
    assert fields["PartialDateField"]["properties"]["type"]["const"] == "partial_date"
    assert "not_future" in fields["DateField"]["properties"]
    assert fields["DatetimeField"]["properties"]["future_slack_seconds"]["anyOf"][0] == {
        "maximum": 86400,
        "minimum": 0,
        "type": "integer",
    }
    assert "max_length" in fields["TextField"]["properties"]
