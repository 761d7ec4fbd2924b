"""The cases of a not-future rule (`petsage.resources.NotFuture`, `x-petsage-not-future`): a
value just past its limit is refused, one just inside is accepted.

The limit moves with the clock, so a case holds a `NearLimit` and the contract works its
value out when it sends it (`sent_value`), not when pytest collects the cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from petsage.resources.values import latest_today
from petsage.testing.field_rules import FieldRule

# How far from its limit a point in time is put: far beyond the time a request takes. Inside
# a slack of more than this, the accepted value is itself ahead of now: the slack is tested.
# A date is put on the limit's day (accepted) or the day after (refused).
MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class NearLimit:
    """A value next to the limit of a not-future rule, worked out when it is sent."""

    kind: str  # date, date-time or partial-date
    slack_seconds: int
    past: bool  # just past the limit (refused), else just inside it (accepted)
    year_only: bool = False  # a partial date's year rather than its day

    def value(self) -> str:
        if self.kind == "date-time":
            limit = datetime.now(UTC) + timedelta(seconds=self.slack_seconds)
            moment = limit + MARGIN if self.past else limit - MARGIN
            return moment.isoformat().replace("+00:00", "Z")
        today = latest_today()
        if self.year_only:
            return f"{today.year + (1 if self.past else 0):04d}"
        return (today + timedelta(days=1 if self.past else 0)).isoformat()


def sent_value(value: Any) -> Any:
    """A case's value as sent: a `NearLimit`'s, worked out now; any other as it is."""
    return value.value() if isinstance(value, NearLimit) else value


def not_future_cases(rule: FieldRule) -> list[tuple[str, NearLimit]]:
    """(label, value) of the rule's limit cases; none when the field has no such rule. The
    `past_limit` ones must be refused, the `inside_limit` ones accepted."""
    if rule.not_future is None or rule.kind not in {"date", "date-time", "partial-date"}:
        return []
    found: list[tuple[str, NearLimit]] = []
    for past in (False, True):
        label = "past_limit" if past else "inside_limit"
        found.append((label, NearLimit(rule.kind, rule.not_future, past)))
        if rule.kind == "partial-date":
            found.append((f"year_{label}", NearLimit(rule.kind, 0, past, year_only=True)))
    return found
