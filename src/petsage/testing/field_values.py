"""Values a field accepts: its example, or one built from its kind and rules.

`valid_value(rule, variant)` gives, for variants 0, 1, 2..., distinct values in ascending
order (so filters and sorts can be checked on them), each accepted by the field's rules. The
contract builds a whole request body from these, so a resource that gains a required field
with an example (or a plain type) needs no test edit.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from petsage.testing.field_rules import FieldRule
from petsage.testing.pattern_text import text_matching

FIRST_DATE = date(2020, 1, 15)
FIRST_INSTANT = datetime.fromisoformat("2020-01-15T10:30:00+00:00")
PLAIN_TEXT_LENGTH = 5


class NoValidValueError(Exception):
    """A field whose rules this module cannot satisfy: give it an example."""


def valid_value(rule: FieldRule, variant: int = 0) -> Any:
    """A value `rule` accepts; variant 0 is the field's example when it has one."""
    if variant == 0 and rule.example is not None:
        return rule.example
    builder = BUILDERS.get(rule.kind)
    if builder is None:
        raise NoValidValueError(f"field {rule.name!r}: no value for kind {rule.kind!r}")
    return builder(rule, variant)


def plain_text(rule: FieldRule, variant: int) -> str:
    if rule.pattern is not None:
        text = text_matching(rule.pattern, variant)
        if text is None or not fits_length(rule, text):
            raise NoValidValueError(f"field {rule.name!r}: give it an example matching its pattern")
        return text
    low = rule.min_length or 1
    high = rule.max_length if rule.max_length is not None else PLAIN_TEXT_LENGTH
    length = max(low, min(PLAIN_TEXT_LENGTH, high))
    # Letters only: PostgreSQL's collation and SQLite's byte order agree on them.
    return chr(ord("a") + variant % 26) * length


def fits_length(rule: FieldRule, text: str) -> bool:
    return (rule.min_length or 0) <= len(text) <= (rule.max_length or len(text))


def lowest_integer(rule: FieldRule) -> int | None:
    if rule.minimum is not None:
        return math.ceil(rule.minimum)
    if rule.exclusive_minimum is not None:
        return math.floor(rule.exclusive_minimum) + 1
    return None


def highest_integer(rule: FieldRule) -> int | None:
    if rule.maximum is not None:
        return math.floor(rule.maximum)
    if rule.exclusive_maximum is not None:
        return math.ceil(rule.exclusive_maximum) - 1
    return None


def integer(rule: FieldRule, variant: int) -> int:
    low, high = lowest_integer(rule), highest_integer(rule)
    start = low if low is not None else (min(1, high - 2) if high is not None else 1)
    value = start + variant
    if high is not None and value > high:
        raise NoValidValueError(f"field {rule.name!r}: fewer than {variant + 1} values allowed")
    return value


def decimal_step(rule: FieldRule) -> Decimal:
    """The smallest change the field can hold (one unit of its last decimal place)."""
    return Decimal(1).scaleb(-(rule.decimal_places if rule.decimal_places is not None else 2))


def lowest_decimal(rule: FieldRule) -> Decimal | None:
    if rule.minimum is not None:
        return rule.minimum
    if rule.exclusive_minimum is not None:
        return rule.exclusive_minimum + decimal_step(rule)
    return None


def highest_decimal(rule: FieldRule) -> Decimal | None:
    if rule.maximum is not None:
        return rule.maximum
    if rule.exclusive_maximum is not None:
        return rule.exclusive_maximum - decimal_step(rule)
    return None


def decimal(rule: FieldRule, variant: int) -> float:
    """Sent as a JSON number, as clients do."""
    low, high = lowest_decimal(rule), highest_decimal(rule)
    return float(stepped(rule, low, high, decimal_step(rule), variant))


def floating(rule: FieldRule, variant: int) -> float:
    quarter = Decimal("0.25")
    low = rule.minimum
    if low is None and rule.exclusive_minimum is not None:
        low = rule.exclusive_minimum + quarter
    high = rule.maximum
    if high is None and rule.exclusive_maximum is not None:
        high = rule.exclusive_maximum - quarter
    return float(stepped(rule, low, high, quarter, variant))


def stepped(
    rule: FieldRule, low: Decimal | None, high: Decimal | None, fine: Decimal, variant: int
) -> Decimal:
    """`low` plus `variant` units, or plus `variant` fine steps where units leave the range."""
    start = low if low is not None else Decimal(1)
    if low is None and high is not None:
        start = min(start, high - 2 * fine)
    for step in (Decimal(1), fine):
        value = start + step * variant
        if high is None or value <= high:
            return value
    raise NoValidValueError(f"field {rule.name!r}: fewer than {variant + 1} values allowed")


def enum_value(rule: FieldRule, variant: int) -> Any:
    ordered = sorted(rule.values, key=sort_key)
    # Prefer plain lowercase words: both databases order them alike.
    plain = [value for value in ordered if re.fullmatch("[a-z]+", str(value))]
    choices = plain if len(plain) > variant else ordered
    if variant >= len(choices):
        raise NoValidValueError(f"field {rule.name!r}: fewer than {variant + 1} values allowed")
    return choices[variant]


def sort_key(value: Any) -> tuple[str, str]:
    return (type(value).__name__, str(value))


def partial_date(variant: int) -> str:
    """A year first, then days of it: `2020` < `2020-01-15` < `2020-01-16` in ISO text order,
    the order the kit filters and sorts them by."""
    if variant == 0:
        return str(FIRST_DATE.year)
    return (FIRST_DATE + timedelta(days=variant - 1)).isoformat()


def boolean(rule: FieldRule, variant: int) -> bool:
    if variant > 1:
        raise NoValidValueError(f"field {rule.name!r}: a boolean has two values")
    return variant == 1


BUILDERS: dict[str, Any] = {
    "string": plain_text,
    "integer": integer,
    "decimal": decimal,
    "number": floating,
    "boolean": boolean,
    "enum": enum_value,
    "date": lambda rule, variant: (FIRST_DATE + timedelta(days=variant)).isoformat(),
    "date-time": lambda rule, variant: (
        (FIRST_INSTANT + timedelta(hours=variant)).isoformat().replace("+00:00", "Z")
    ),
    "partial-date": lambda rule, variant: partial_date(variant),
    "email": lambda rule, variant: f"pet{variant}@example.com",
    "uri": lambda rule, variant: f"https://example.com/pets/{variant}",
    "uuid": lambda rule, variant: f"6f1c0e2a-8d3b-4c5e-9a7f-0b1d2e3f4a{variant:02d}",
}


def same_value(rule: FieldRule, sent: Any, shown: Any) -> bool:
    """Whether the response shows what was sent, as the field's kind compares values."""
    if sent is None or shown is None:
        return sent is None and shown is None
    if rule.kind == "decimal":
        return Decimal(str(sent)) == Decimal(str(shown))
    if rule.kind == "number":
        return float(sent) == float(shown)
    if rule.kind == "date-time":
        return datetime.fromisoformat(str(sent)) == datetime.fromisoformat(str(shown))
    if rule.kind == "uuid":
        return str(sent).lower() == str(shown).lower()
    return bool(sent == shown)


def order_key(rule: FieldRule, shown: Any) -> Any:
    """How the database orders a shown value (None sorts as the database places it)."""
    if rule.kind in {"decimal", "number"}:
        return Decimal(str(shown))
    if rule.kind == "date-time":
        return datetime.fromisoformat(str(shown))
    return shown
