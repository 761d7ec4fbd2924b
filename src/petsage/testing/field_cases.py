"""The cases a field's rules imply: a valid value, each boundary, each way to break them.

Pure functions over `FieldRule`s (read from the request models' JSON Schema), evaluated when
pytest collects, so each case is a test of its own: `test_create_field[weight_kg-above_max]`.
An accepted case says what the response must show; a refused one expects 422 naming the field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from petsage.testing.field_rules import FieldRule
from petsage.testing.field_values import (
    decimal_step,
    highest_decimal,
    highest_integer,
    lowest_decimal,
    lowest_integer,
    valid_value,
)
from petsage.testing.not_future_cases import not_future_cases

# Left out of the body altogether (distinct from sending null).
MISSING: Final = "<missing>"
# A reference: the contract sends the id of a row it creates first.
EXISTING_ROW: Final = "<existing row>"
# What an accepted case shows by default: the value sent.
SENT: Final = "<sent>"
# A reference to a row that does not exist (the largest id PostgreSQL's INTEGER holds).
ABSENT_ROW_ID = 2**31 - 1
INTEGER_COLUMN_MAX = 2**31 - 1
WRONG_TYPE: dict[str, str] = {"not": "a value"}


@dataclass(frozen=True)
class FieldCase:
    """One value for one field, whether it must be accepted, and what is then shown."""

    field: str
    label: str
    value: Any
    accepted: bool
    shown: Any = SENT  # what the response holds when the case is accepted

    @property
    def id(self) -> str:
        return f"{self.field}-{self.label}"

    @property
    def expected(self) -> Any:
        return self.value if self.shown == SENT else self.shown


def create_cases(rule: FieldRule, *, reference: bool = False) -> list[FieldCase]:
    """What a POST must accept and refuse for this field."""
    cases = value_cases(rule, reference=reference)
    if rule.required:
        cases.append(FieldCase(rule.name, "missing", MISSING, accepted=False))
    else:
        cases.append(FieldCase(rule.name, "left_out", MISSING, True, shown=rule.default))
    return cases


def update_cases(rule: FieldRule, *, reference: bool = False) -> list[FieldCase]:
    """What a PATCH must accept and refuse for this field (left out means unchanged)."""
    return value_cases(rule, reference=reference)


def value_cases(rule: FieldRule, *, reference: bool) -> list[FieldCase]:
    name = rule.name
    cases: list[FieldCase] = []
    if reference:
        cases.append(FieldCase(name, "existing_row", EXISTING_ROW, accepted=True))
        cases.append(FieldCase(name, "absent_row", ABSENT_ROW_ID, accepted=False))
    else:
        cases.append(FieldCase(name, "valid", valid_value(rule), accepted=True))
        cases.extend(FieldCase(name, label, value, True) for label, value in boundaries(rule))
    cases.extend(FieldCase(name, label, value, False) for label, value in invalid_values(rule))
    cases.extend(
        FieldCase(name, label, value, accepted=not value.past)
        for label, value in not_future_cases(rule)
    )
    cases.append(FieldCase(name, "null", None, accepted=rule.nullable))
    return cases


def boundaries(rule: FieldRule) -> list[tuple[str, Any]]:
    """Values at the edge of what the rules allow, each of which must be accepted."""
    kind = rule.kind
    found: list[tuple[str, Any]] = []
    if kind == "string" and rule.pattern is None:
        if rule.min_length:
            found.append(("at_min_length", "a" * rule.min_length))
        if rule.max_length is not None:
            found.append(("at_max_length", "a" * rule.max_length))
            # Characters, not bytes: a VARCHAR(n) must hold n two-byte characters too.
            found.append(("at_max_length_accented", "é" * rule.max_length))
    elif kind == "integer":
        low, high = lowest_integer(rule), highest_integer(rule)
        found += [("at_min", low)] if low is not None else []
        found += [("at_max", high)] if high is not None else []
    elif kind == "decimal":
        least, most = lowest_decimal(rule), highest_decimal(rule)
        found += [("at_min", float(least))] if least is not None else []
        found += [("at_max", float(most))] if most is not None else []
    elif kind == "number":
        found += float_boundaries(rule)
    elif kind == "enum":
        found += [(f"value_{label(value)}", value) for value in rule.values]
    elif kind == "boolean":
        found += [("true", True), ("false", False)]
    elif kind == "date":
        found.append(("leap_day", "2024-02-29"))
    elif kind == "date-time":
        found.append(("with_offset", "2020-01-15T12:30:00+02:00"))
    elif kind == "partial-date":
        found += [("year_only", "2019"), ("leap_day", "2024-02-29"), ("first_year", "0001")]
        found += [] if rule.not_future is not None else [("last_day", "9999-12-31")]
    return found


def float_boundaries(rule: FieldRule) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if rule.minimum is not None:
        found.append(("at_min", float(rule.minimum)))
    if rule.exclusive_minimum is not None:
        found.append(("just_above_min", math.nextafter(float(rule.exclusive_minimum), math.inf)))
    if rule.maximum is not None:
        found.append(("at_max", float(rule.maximum)))
    if rule.exclusive_maximum is not None:
        found.append(("just_below_max", math.nextafter(float(rule.exclusive_maximum), -math.inf)))
    return found


def invalid_values(rule: FieldRule) -> list[tuple[str, Any]]:
    """Values that break one rule each; every one must get 422 naming the field."""
    found: list[tuple[str, Any]] = [("wrong_type", WRONG_TYPE)]
    found += INVALID_BY_KIND.get(rule.kind, ())
    if rule.kind in {"string", "uri", "email"}:
        found += length_breaches(rule)
    if rule.kind == "string" and rule.pattern is not None:
        found += pattern_breach(rule)
    if rule.kind == "integer":
        found += integer_breaches(rule)
    if rule.kind == "decimal":
        found += decimal_breaches(rule)
    if rule.kind == "number":
        found += float_breaches(rule)
    if rule.kind == "enum":
        found += enum_breaches(rule)
    return found


INVALID_BY_KIND: dict[str, list[tuple[str, Any]]] = {
    "integer": [("fraction", 1.5), ("not_a_number", "many")],
    "decimal": [("not_a_number", "many")],
    "number": [("not_a_number", "many")],
    "boolean": [("not_a_boolean", "maybe")],
    "date": [("impossible_date", "2021-02-30"), ("not_a_date", "yesterday")],
    "date-time": [("impossible_date", "2021-02-30T10:00:00Z"), ("not_a_datetime", "soon")],
    "email": [("not_an_email", "not-an-email"), ("no_domain", "pet@")],
    "uri": [("not_a_url", "not a url")],
    "uuid": [("not_a_uuid", "not-a-uuid")],
    "partial-date": [
        *[("impossible_date", "2019-02-30"), ("two_digit_year", "19")],
        *[("unpadded_day", "2019-5-4"), ("year_zero", "0000"), ("not_a_date", "yesterday")],
    ],
}


def length_breaches(rule: FieldRule) -> list[tuple[str, Any]]:
    prefix = "https://example.com/" if rule.kind == "uri" else ""
    found: list[tuple[str, Any]] = []
    if rule.min_length:
        found.append(("below_min_length", "a" * (rule.min_length - 1)))
    if rule.max_length is not None:
        found.append(("above_max_length", prefix + "a" * (rule.max_length + 1 - len(prefix))))
    return found


def pattern_breach(rule: FieldRule) -> list[tuple[str, Any]]:
    """A value of an allowed length that the pattern refuses, if one is easily found."""
    assert rule.pattern is not None
    valid = str(valid_value(rule))
    for candidate in (valid[:-1] + "!", "!" + valid[1:], "!" * len(valid), valid + "!", ""):
        fits = (rule.min_length or 0) <= len(candidate) <= (rule.max_length or len(candidate))
        if fits and re.search(rule.pattern, candidate) is None:
            return [("not_matching_pattern", candidate)]
    return []


def integer_breaches(rule: FieldRule) -> list[tuple[str, Any]]:
    low, high = lowest_integer(rule), highest_integer(rule)
    found: list[tuple[str, Any]] = []
    # Unbounded, the model would pass to the database a number its INTEGER cannot hold.
    found.append(("below_min", low - 1) if low is not None else ("below_int32", -(2**31) - 1))
    found.append(("above_max", high + 1) if high is not None else ("above_int32", 2**31))
    return found


def decimal_breaches(rule: FieldRule) -> list[tuple[str, Any]]:
    low, high, step = lowest_decimal(rule), highest_decimal(rule), decimal_step(rule)
    found: list[tuple[str, Any]] = []
    if low is not None:
        found.append(("below_min", float(low - step)))
    if high is not None:
        found.append(("above_max", float(high + step)))
    if rule.decimal_places is not None:
        inside = low if low is not None else Decimal(1)
        found.append(("too_many_places", float(inside + step / 10)))
    if rule.max_digits is not None and rule.decimal_places is not None and high is None:
        found.append(
            ("too_many_digits", float(Decimal(10) ** (rule.max_digits - rule.decimal_places)))
        )
    return found


def float_breaches(rule: FieldRule) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if rule.minimum is not None:
        found.append(("below_min", math.nextafter(float(rule.minimum), -math.inf)))
    if rule.exclusive_minimum is not None:
        found.append(("at_exclusive_min", float(rule.exclusive_minimum)))
    if rule.maximum is not None:
        found.append(("above_max", math.nextafter(float(rule.maximum), math.inf)))
    if rule.exclusive_maximum is not None:
        found.append(("at_exclusive_max", float(rule.exclusive_maximum)))
    return found


def enum_breaches(rule: FieldRule) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [("not_a_value", "zz_not_a_value")]
    first = rule.values[0] if rule.values else None
    if isinstance(first, str) and first.upper() not in rule.values and first.upper() != first:
        found.append(("wrong_case", first.upper()))
    return found


def label(value: Any) -> str:
    """A value as a test id part: `small_mammal`, `true`, `3`."""
    return re.sub(r"[^0-9A-Za-z_]+", "_", str(value).lower()).strip("_") or "empty"
