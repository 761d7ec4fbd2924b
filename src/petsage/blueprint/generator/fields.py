"""The fields of a feature request, typed: one model per field type, told apart by `type`.

Structure only (keys, value types, bounds a key can hold on its own); the rules that compare
keys or look at the project (min <= max, a default that obeys its field, a `ref` to a feature
that exists) are in `request_rules.py`, which names the offending key in one line.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

# PostgreSQL's INTEGER, the column an `int` field gets: the models refuse what it cannot hold.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
STR_MAX = 10_000
# A text field's max_length: a bound the model checks (the column stays TEXT).
TEXT_MAX = 1_000_000
# A not-future datetime's slack: a client's clock may run up to a day fast.
SLACK_MAX = 86_400
# Free text rendered inside double-quoted literals on one line of generated code.
ONE_LINE_PATTERN = r'^[^"\\\x00-\x1f\x7f]*$'
OneLine = Annotated[str, StringConstraints(min_length=1, max_length=72, pattern=ONE_LINE_PATTERN)]
EnumValue = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[^'\"\\\s]+$")]
FeatureName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")]


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from exc
    return pattern


Pattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=60, pattern=r'^[^"\x00-\x1f\x7f]*$'),
    AfterValidator(_compiles),
]


class FieldOptions(BaseModel):
    """The options every field type takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    optional: bool = Field(default=False, description="Nullable, and may be left out.")
    unique: bool = Field(default=False, description="No two rows may hold the same value.")
    index: bool = Field(default=False, description="An index on the column.")
    filter: bool = Field(default=False, description="`?name=value` (and _gte/_lte if ordered).")
    sort: bool = Field(default=False, description="`?sort=name` or `?sort=-name`.")
    description: OneLine | None = Field(default=None, description="For OpenAPI.")


class StrField(FieldOptions):
    type: Literal["str"]
    max_length: int = Field(default=255, ge=1, le=STR_MAX)
    min_length: int = Field(default=1, ge=0, le=STR_MAX, description="1: no empty string.")
    pattern: Pattern | None = Field(default=None, description="A regular expression to match.")
    default: OneLine | None = None
    example: OneLine | None = None


class TextField(FieldOptions):
    type: Literal["text"]
    min_length: int = Field(default=1, ge=0)
    max_length: int | None = Field(
        default=None, ge=1, le=TEXT_MAX, description="At most this many characters (none)."
    )
    default: OneLine | None = None
    example: OneLine | None = None


class IntField(FieldOptions):
    type: Literal["int"]
    min: int | None = Field(default=None, ge=INT_MIN, le=INT_MAX)
    max: int | None = Field(default=None, ge=INT_MIN, le=INT_MAX)
    default: int | None = Field(default=None, ge=INT_MIN, le=INT_MAX)
    example: int | None = Field(default=None, ge=INT_MIN, le=INT_MAX)


class DecimalField(FieldOptions):
    type: Literal["decimal"]
    digits: int = Field(default=10, ge=1, le=38, description="Significant digits in all.")
    places: int = Field(default=2, ge=0, le=38, description="Digits after the point.")
    min: Decimal | None = Field(default=None, allow_inf_nan=False)
    max: Decimal | None = Field(default=None, allow_inf_nan=False)
    default: Decimal | None = Field(default=None, allow_inf_nan=False)
    example: Decimal | None = Field(default=None, allow_inf_nan=False)


class FloatField(FieldOptions):
    type: Literal["float"]
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)
    default: float | None = Field(default=None, allow_inf_nan=False)
    example: float | None = Field(default=None, allow_inf_nan=False)


class BoolField(FieldOptions):
    type: Literal["bool"]
    default: bool | None = None
    example: bool | None = None


NOT_FUTURE_DESCRIPTION = (
    "Refuse a value in the future (422): for a day, after today anywhere on earth (UTC+14)."
)


class DateField(FieldOptions):
    type: Literal["date"]
    not_future: bool = Field(default=False, description=NOT_FUTURE_DESCRIPTION)
    default: date | None = None
    example: date | None = None


class DatetimeField(FieldOptions):
    """A point in time, timezone-aware, stored and answered in UTC."""

    type: Literal["datetime"]
    not_future: bool = Field(
        default=False, description="Refuse a value after now (UTC) plus future_slack_seconds."
    )
    future_slack_seconds: int | None = Field(
        default=None,
        ge=0,
        le=SLACK_MAX,
        description="With not_future: how far ahead of the server's clock a value may be, for "
        "a client whose clock runs fast (0).",
    )
    example: OneLine | None = Field(default=None, description="ISO 8601 with an offset.")


def _partial_date_text(value: Any) -> Any:
    """YAML reads `2019-05-04` as a date and `2019` as a number: both mean their text."""
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


PartialDateText = Annotated[OneLine, BeforeValidator(_partial_date_text)]


class PartialDateField(FieldOptions):
    """A day (2019-05-04) or only a year (2019), stored as its text; filters and sorts compare
    the text, which is time order with a year before its days (2019 < 2019-01-01)."""

    type: Literal["partial_date"]
    not_future: bool = Field(default=False, description=NOT_FUTURE_DESCRIPTION)
    default: PartialDateText | None = None
    example: PartialDateText | None = None


class EnumField(FieldOptions):
    type: Literal["enum"]
    values: list[EnumValue] = Field(min_length=1, max_length=100)
    default: EnumValue | None = None
    example: EnumValue | None = None


class EmailField(FieldOptions):
    type: Literal["email"]
    default: OneLine | None = None
    example: OneLine | None = None


class UrlField(FieldOptions):
    """An http(s) URL, stored as text."""

    type: Literal["url"]
    default: OneLine | None = None
    example: OneLine | None = None


class UuidField(FieldOptions):
    type: Literal["uuid"]
    example: OneLine | None = None


class RefField(FieldOptions):
    """The id of a row of another feature's table (or of this one's): a foreign key."""

    type: Literal["ref"]
    feature: FeatureName = Field(description="The feature whose row this field points at.")
    on_delete: Literal["cascade", "restrict"] = Field(
        default="restrict",
        description="When that row is deleted: delete this one too, or refuse to delete it "
        "while this one refers to it (SQL's NO ACTION).",
    )
    example: int | None = Field(default=None, ge=1, le=INT_MAX)


AnyField = (
    StrField
    | TextField
    | IntField
    | DecimalField
    | FloatField
    | BoolField
    | DateField
    | DatetimeField
    | PartialDateField
    | EnumField
    | EmailField
    | UrlField
    | UuidField
    | RefField
)
FieldSpec = Annotated[AnyField, Field(discriminator="type")]
FIELD_TYPES = (
    *("str", "text", "int", "decimal", "float", "bool", "date", "datetime"),
    *("partial_date", "enum", "email", "url", "uuid", "ref"),
)
# Types whose values have an order: a filter on them also gets `_gte` and `_lte`, and sorting
# by them means something.
ORDERED = frozenset({"int", "decimal", "float", "date", "datetime", "partial_date"})
FILTERABLE = ORDERED | {"str", "bool", "enum", "email", "uuid", "ref"}
SORTABLE = ORDERED | {"str", "enum", "email"}


def spec_default(spec: AnyField) -> Any:
    """The field's `default`, None when it has none (or its type takes none)."""
    return getattr(spec, "default", None)


def takers(key: str) -> list[str]:
    """The field types that take the option `key`, in FIELD_TYPES order."""
    by_type = {
        get_args(model.model_fields["type"].annotation)[0]: model for model in get_args(AnyField)
    }
    return [kind for kind in FIELD_TYPES if key in by_type[kind].model_fields]
