"""The kit's value rules (`petsage.resources.values`: `NotFuture`, `PartialDate`) as the
generator checks a request's own `default` and `example` against them.

The kit sits above the blueprint, so they are stated here again; tests/blueprint holds both
statements to the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

# The latest zone on earth: a day is in the future once it has begun nowhere (UTC+14).
LATEST_ZONE = timedelta(hours=14)
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$"
PARTIAL_DATE_LENGTH = 10
_PARTIAL_DATE = re.compile(PARTIAL_DATE_PATTERN)


def partial_date(text: str) -> str:
    """`text` if it is a day (2019-05-04) or a year (2019, 0001 to 9999), else ValueError."""
    if _PARTIAL_DATE.fullmatch(text) is None:
        raise ValueError("a day (2019-05-04) or a year (2019) is expected")
    if len(text) == 4:
        if int(text) < 1:
            raise ValueError("a year is 0001 to 9999")
        return text
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a day of the calendar") from None
    return text


def not_future(slack_seconds: int) -> Callable[[Any], Any]:
    """A check refusing a day after today in UTC+14 (a partial date: its first day), or a
    point in time after now (UTC) plus `slack_seconds`."""

    def check(value: Any) -> Any:
        now = datetime.now(UTC)
        if isinstance(value, datetime):
            limit: date = now + timedelta(seconds=slack_seconds)
            later = value > limit
        else:
            limit = (now + LATEST_ZONE).date()
            first = value if isinstance(value, date) else _first_day(str(value))
            later = first > limit
        if later:
            raise ValueError(f"in the future (after {limit.isoformat()})")
        return value

    return check


def _first_day(text: str) -> date:
    return date(int(text), 1, 1) if len(text) == 4 else date.fromisoformat(text)
