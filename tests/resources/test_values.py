"""The kit's value rules (`petsage.resources.values`): partial dates and not-future values, as
a model states them. Over HTTP, on both databases: tests/contract/test_walks_contract.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import pytest
from pydantic import AwareDatetime, BaseModel, ValidationError

from petsage.resources import NotFuture, PartialDate
from petsage.resources.values import (
    NOT_FUTURE_KEY,
    PARTIAL_DATE_FORMAT,
    latest_today,
    partial_date_problem,
    without_not_future,
)


class Pet(BaseModel):
    born: Annotated[PartialDate, NotFuture()] | None = None
    adopted_on: Annotated[date, NotFuture()] | None = None
    walked_at: Annotated[AwareDatetime, NotFuture(slack_seconds=300)] | None = None


def refusal(**values: Any) -> str | None:
    """The type of the first error `values` get, None when they are accepted."""
    try:
        Pet.model_validate(values)
    except ValidationError as exc:
        return str(exc.errors()[0]["type"])
    return None


@pytest.mark.parametrize("text", ["2019", "2019-05-04", "0001", "2024-02-29", "9999-12-31"])
def test_a_partial_date_is_a_day_or_a_year(text: str) -> None:
    assert partial_date_problem(text) is None


@pytest.mark.parametrize(
    "text", ["2019-02-30", "19", "2019-5-4", "0000", "20190", "2019-05", " 2019", ""]
)
def test_anything_else_is_refused(text: str) -> None:
    assert partial_date_problem(text) is not None
    assert refusal(born=text) in {"partial_date", "string_pattern_mismatch"}


def test_a_day_is_in_the_future_only_once_it_has_begun_nowhere_on_earth() -> None:
    latest = (datetime.now(UTC) + timedelta(hours=14)).date()
    assert latest_today() in {latest, latest + timedelta(days=1)}  # the clock may tick over
    today = latest_today()

    assert refusal(adopted_on=today.isoformat()) is None
    assert refusal(adopted_on=(today + timedelta(days=1)).isoformat()) == "not_future"
    assert refusal(born=today.isoformat(), adopted_on=date(2000, 1, 1).isoformat()) is None
    assert refusal(born=(today + timedelta(days=1)).isoformat()) == "not_future"


def test_a_year_is_in_the_future_once_its_first_day_is() -> None:
    year = latest_today().year
    assert refusal(born=str(year)) is None
    assert refusal(born=str(year + 1)) == "not_future"


def test_a_point_in_time_may_be_ahead_by_the_slack_and_no_more() -> None:
    now = datetime.now(UTC)
    assert refusal(walked_at=(now + timedelta(seconds=240)).isoformat()) is None
    assert refusal(walked_at=(now + timedelta(seconds=360)).isoformat()) == "not_future"


def test_the_slack_is_bounded() -> None:
    with pytest.raises(ValueError, match="slack_seconds"):
        NotFuture(slack_seconds=86_401)


def test_the_json_schema_marks_the_rules() -> None:
    properties = Pet.model_json_schema()["properties"]
    born = properties["born"]["anyOf"][0]
    assert (born["format"], born[NOT_FUTURE_KEY]) == (PARTIAL_DATE_FORMAT, {"slack_seconds": 0})
    assert born["pattern"] == "^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$"
    walked = properties["walked_at"]["anyOf"][0]
    assert walked[NOT_FUTURE_KEY] == {"slack_seconds": 300}


def test_a_filters_type_drops_the_not_future_rule_and_keeps_the_others() -> None:
    loose = without_not_future(Pet.model_fields["born"].annotation)

    class Query(BaseModel):
        born: loose  # type: ignore[valid-type]

    assert Query(born="9999").born == "9999"
    with pytest.raises(ValidationError):
        Query(born="2019-02-30")
