"""Value rules a resource's models state in a field's Annotated type: `NotFuture` (a date or a
point in time that has not happened yet is refused) and `PartialDate` (a day, or only a year).

Both mark the field's JSON Schema (`x-petsage-not-future`, `format: partial-date`), so
`/openapi.json` tells clients and `petsage.testing`'s contract derives its cases from them.
A refusal is pydantic's, so a request gets the platform's usual 422 naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

# The latest zone on earth (UTC+14, the Line Islands): a day is in the future only once it
# has begun nowhere, so no owner, wherever they are, is refused their today.
LATEST_ZONE = timedelta(hours=14)
SLACK_MAX = 86_400
NOT_FUTURE_KEY = "x-petsage-not-future"
PARTIAL_DATE_FORMAT = "partial-date"
PARTIAL_DATE_LENGTH = 10
# Four-digit years, zero-padded months and days: ISO text order is then time order, and a
# year sorts before the days of that year (`2019` < `2019-01-01`).
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$"
_PARTIAL_DATE = re.compile(PARTIAL_DATE_PATTERN)


def latest_today() -> date:
    """Today's date where it is latest: the last day that has begun anywhere on earth."""
    return (datetime.now(UTC) + LATEST_ZONE).date()


def partial_date_problem(text: str) -> str | None:
    """Why `text` is not a partial date (a day `2019-05-04` or a year `2019`), None if it is."""
    if _PARTIAL_DATE.fullmatch(text) is None:
        return "a day (2019-05-04) or a year (2019) is expected"
    if len(text) == 4:
        return None if int(text) >= 1 else "a year is 0001 to 9999"
    try:
        date.fromisoformat(text)
    except ValueError:
        return "not a day of the calendar"
    return None


def partial_date_first_day(text: str) -> date:
    """The first day a partial date can mean: a year's 1 January, a day itself."""
    return date(int(text), 1, 1) if len(text) == 4 else date.fromisoformat(text)


def _checked_partial_date(text: str) -> str:
    problem = partial_date_problem(text)
    if problem is not None:
        raise PydanticCustomError(
            "partial_date", "Input should be a partial date: {problem}", {"problem": problem}
        )
    return text


@dataclass(frozen=True, slots=True)
class _PartialDateFormat:
    """Names the format in the JSON Schema (pydantic has no `format` constraint)."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found["format"] = PARTIAL_DATE_FORMAT
        return found


# Answered as given, stored as text (`PartialDateText`, String(10)).
PartialDate = Annotated[
    str,
    StringConstraints(pattern=PARTIAL_DATE_PATTERN),
    AfterValidator(_checked_partial_date),
    _PartialDateFormat(),
]


@dataclass(frozen=True, slots=True)
class NotFuture:
    """Refuses a date after today (in the latest zone on earth), a partial date whose year or
    day is after it, or a point in time after now (UTC) plus `slack_seconds`, for a client
    whose clock runs fast."""

    slack_seconds: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.slack_seconds <= SLACK_MAX:
            raise ValueError(f"slack_seconds: 0 to {SLACK_MAX}, not {self.slack_seconds}")

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found[NOT_FUTURE_KEY] = {"slack_seconds": self.slack_seconds}
        return found

    def check(self, value: Any) -> Any:
        limit = self.limit(value)
        if limit is not None and _later(value, limit):
            raise PydanticCustomError(
                "not_future",
                "Input should not be in the future (after {limit})",
                {"limit": limit.isoformat()},
            )
        return value

    def limit(self, value: Any) -> date | datetime | None:
        """The latest value of `value`'s kind allowed now."""
        if isinstance(value, datetime):
            return datetime.now(UTC) + timedelta(seconds=self.slack_seconds)
        if isinstance(value, date | str):
            return latest_today()
        return None


def _later(value: date | datetime | str, limit: date | datetime) -> bool:
    if isinstance(value, str):  # a partial date: a year is later once its 1 January is
        return partial_date_first_day(value) > limit
    return value > limit


def without_not_future(annotation: Any) -> Any:
    """`annotation` without its `NotFuture` rules (in unions too): a list filter may ask for
    rows up to a day still to come."""
    if get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        kept = [item for item in metadata if not isinstance(item, NotFuture)]
        inner = without_not_future(inner)
        return Annotated[(inner, *kept)] if kept else inner
    if get_origin(annotation) in (Union, UnionType):
        return Union[tuple(without_not_future(arg) for arg in get_args(annotation))]  # noqa: UP007
    return annotation
