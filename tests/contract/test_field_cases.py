"""The contract's case derivation: pure functions from a model's JSON Schema to cases.

Each accepted case is checked against the model itself (Pydantic must accept it) and each
refused one too (Pydantic, or the kit for references and nulls, must refuse it), so a wrong
case is found here rather than as a puzzling contract failure.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

import pytest
from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, HttpUrl, ValidationError

from petsage.resources import NotFuture, PartialDate
from petsage.testing.field_cases import (
    EXISTING_ROW,
    MISSING,
    FieldCase,
    create_cases,
    update_cases,
)
from petsage.testing.field_rules import FieldRule, field_rules
from petsage.testing.field_values import NoValidValueError, same_value, valid_value
from petsage.testing.not_future_cases import sent_value
from petsage.testing.pattern_text import text_matching


class Colour(StrEnum):
    black = "black"
    tabby = "tabby"
    ginger = "ginger"


class EveryKind(BaseModel):
    """One field of every kind a feature request can declare."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=20, examples=["Rex"])
    notes: str | None = None
    species: Literal["dog", "cat", "small_mammal"]
    colour: Colour | None = None
    chip: str | None = Field(default=None, pattern=r"^[0-9]{15}$")
    age: int = Field(default=1, ge=0, lt=40)
    count: int | None = None
    weight_kg: Decimal | None = Field(
        default=None, max_digits=5, decimal_places=2, ge=Decimal("0.01"), le=500
    )
    height: float | None = Field(default=None, gt=0, le=3)
    neutered: bool = False
    birth_date: date | None = None
    seen_at: AwareDatetime | None = None
    email: EmailStr | None = None
    site: HttpUrl | None = None
    token: UUID | None = None
    owner_id: int = Field(ge=1, le=2**31 - 1)
    born: PartialDate | None = None
    walked_on: Annotated[date, NotFuture()] | None = None
    started_at: Annotated[AwareDatetime, NotFuture(slack_seconds=300)] | None = None
    first_seen: Annotated[PartialDate, NotFuture()] | None = None


RULES = {rule.name: rule for rule in field_rules(EveryKind)}
BASE: dict[str, Any] = {name: valid_value(rule) for name, rule in RULES.items()}
CREATE_CASES = [
    case
    for rule in RULES.values()
    for case in create_cases(rule, reference=rule.name == "owner_id")
]


def test_rules_read_each_kind_and_constraint() -> None:
    kinds = {name: rule.kind for name, rule in RULES.items()}
    assert kinds == {
        "name": "string",
        "notes": "string",
        "species": "enum",
        "colour": "enum",
        "chip": "string",
        "age": "integer",
        "count": "integer",
        "weight_kg": "decimal",
        "height": "number",
        "neutered": "boolean",
        "birth_date": "date",
        "seen_at": "date-time",
        "email": "email",
        "site": "uri",
        "token": "uuid",
        "owner_id": "integer",
        "born": "partial-date",
        "walked_on": "date",
        "started_at": "date-time",
        "first_seen": "partial-date",
    }
    weight = RULES["weight_kg"]
    assert (weight.minimum, weight.maximum) == (Decimal("0.01"), Decimal(500))
    assert (weight.max_digits, weight.decimal_places, weight.nullable) == (5, 2, True)
    assert RULES["age"].exclusive_maximum == 40
    assert RULES["colour"].values == ("black", "tabby", "ginger")
    assert (RULES["name"].required, RULES["name"].example, RULES["name"].nullable) == (
        True,
        "Rex",
        False,
    )
    assert RULES["neutered"].default is False
    not_future = {name: rule.not_future for name, rule in RULES.items() if rule.not_future}
    assert not_future == {"started_at": 300}
    assert (RULES["walked_on"].not_future, RULES["born"].not_future) == (0, None)


def body_with(case: FieldCase, sent: Any) -> dict[str, Any]:
    body = {**BASE, "owner_id": 7}
    if case.value == MISSING:
        del body[case.field]
    elif case.value != EXISTING_ROW:
        body[case.field] = sent
    return body


@pytest.mark.parametrize(
    "case", [case for case in CREATE_CASES if case.accepted], ids=lambda case: case.id
)
def test_the_model_accepts_each_accepted_case(case: FieldCase) -> None:
    sent = sent_value(case.value)
    stored = EveryKind.model_validate(body_with(case, sent)).model_dump(mode="json")
    expected = 7 if case.value == EXISTING_ROW else case.expected
    expected = sent if expected is case.value else expected
    assert same_value(RULES[case.field], expected, stored[case.field])


# Not refused by this model: a row that does not exist is the kit's to refuse, and `count` is
# left unbounded on purpose, to show the contract then demands what PostgreSQL's INTEGER needs
# (a resource whose model lets 2**31 through answers 500 there, and fails the contract).
NOT_THE_MODELS = {"owner_id-absent_row", "count-below_int32", "count-above_int32"}


@pytest.mark.parametrize(
    "case",
    [case for case in CREATE_CASES if not case.accepted and case.id not in NOT_THE_MODELS],
    ids=lambda case: case.id,
)
def test_the_model_refuses_each_refused_case(case: FieldCase) -> None:
    with pytest.raises(ValidationError) as refused:
        EveryKind.model_validate(body_with(case, sent_value(case.value)))
    assert {error["loc"][0] for error in refused.value.errors()} == {case.field}


def test_each_field_gets_its_boundaries_and_breaches() -> None:
    ids = {case.id for case in CREATE_CASES}
    expected = {
        "name-at_min_length",
        "name-at_max_length",
        "name-below_min_length",
        "name-above_max_length",
        "name-missing",
        "notes-left_out",
        "species-value_small_mammal",
        "species-not_a_value",
        "colour-wrong_case",
        "chip-not_matching_pattern",
        "age-at_min",
        "age-at_max",
        "age-below_min",
        "age-above_max",
        "count-above_int32",
        "count-below_int32",
        "weight_kg-at_min",
        "weight_kg-above_max",
        "weight_kg-too_many_places",
        "height-just_above_min",
        "height-at_exclusive_min",
        "height-above_max",
        "neutered-not_a_boolean",
        "birth_date-impossible_date",
        "seen_at-with_offset",
        "email-not_an_email",
        "site-not_a_url",
        "token-not_a_uuid",
        "owner_id-existing_row",
        "owner_id-absent_row",
        "owner_id-null",
        "born-year_only",
        "born-first_year",
        "born-last_day",
        "born-impossible_date",
        "born-two_digit_year",
        "born-unpadded_day",
        "born-year_zero",
        "walked_on-inside_limit",
        "walked_on-past_limit",
        "started_at-inside_limit",
        "started_at-past_limit",
        "first_seen-inside_limit",
        "first_seen-year_inside_limit",
        "first_seen-past_limit",
        "first_seen-year_past_limit",
    }
    assert expected <= ids
    assert len(ids) == len(CREATE_CASES), "each case id is unique"


def test_null_is_accepted_exactly_where_the_field_is_nullable() -> None:
    nulls = {case.field: case.accepted for case in CREATE_CASES if case.label == "null"}
    assert nulls == {name: rule.nullable for name, rule in RULES.items()}


def test_a_patch_has_no_missing_case() -> None:
    labels = {case.label for rule in RULES.values() for case in update_cases(rule)}
    assert "missing" not in labels
    assert "left_out" not in labels


@pytest.mark.parametrize(
    "kind", ["string", "integer", "decimal", "date", "date-time", "enum", "partial-date"]
)
def test_variants_are_distinct_and_ascending(kind: str) -> None:
    rule = next(rule for rule in RULES.values() if rule.kind == kind and rule.example is None)
    values = [valid_value(rule, variant) for variant in range(3)]
    keys = [Decimal(str(v)) if kind == "decimal" else v for v in values]
    assert keys == sorted(keys)
    assert len(set(map(str, values))) == 3


def test_a_field_with_too_few_values_says_so() -> None:
    with pytest.raises(NoValidValueError, match="neutered"):
        valid_value(RULES["neutered"], 2)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"^[0-9]{15}$", ["000000000000000", "000000000000001"]),
        (r"^[A-Z][a-z]+$", ["Aa", "Bb"]),
        (r"^\d{3}-\d{4}$", ["000-0000", "001-0001"]),
        (r"^(dog|cat)s?$", ["dog", "dog"]),
        (r"^[^0-9]+$", ["a", "b"]),
    ],
)
def test_pattern_text_matches_its_pattern(pattern: str, expected: list[str]) -> None:
    found = [text_matching(pattern, variant) for variant in range(2)]
    assert found == expected
    assert all(re.search(pattern, text or "") for text in found)


def test_pattern_text_gives_a_unique_field_as_many_values_as_it_can_hold() -> None:
    texts = [text_matching(r"^[0-9]{15}$", variant) for variant in range(1000)]
    assert len(set(texts)) == 1000
    assert texts == sorted(texts)


def test_pattern_text_gives_up_on_back_references() -> None:
    assert text_matching(r"^(a)\1$") is None


def test_a_pattern_field_without_a_usable_example_asks_for_one() -> None:
    rule = FieldRule(name="code", kind="string", pattern=r"^(a)\1$")
    with pytest.raises(NoValidValueError, match="example"):
        valid_value(rule)


def test_same_value_compares_as_the_kind_does() -> None:
    assert same_value(RULES["weight_kg"], 0.5, "0.50")
    assert same_value(RULES["seen_at"], "2020-01-15T12:30:00+02:00", "2020-01-15T10:30:00Z")
    assert not same_value(RULES["name"], "Rex", None)
    assert datetime.fromisoformat("2020-01-15T10:30:00Z").tzinfo is not None


def test_no_limit_case_without_a_not_future_rule_and_no_far_future_boundary_with_one() -> None:
    ids = {case.id for case in CREATE_CASES}
    assert not {f"{name}-past_limit" for name in ("born", "birth_date", "seen_at")} & ids
    assert "first_seen-last_day" not in ids


def test_a_partial_dates_values_start_with_a_year_that_sorts_before_its_days() -> None:
    rule = RULES["born"]
    assert [valid_value(rule, variant) for variant in range(3)] == [
        "2020",
        "2020-01-15",
        "2020-01-16",
    ]
