"""Response models of the activity summary and the insights (hand-written, beside the generated
models.py); OpenAPI reads them."""

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

Granularity = Literal["day", "week"]
InsightKind = Literal["goal_streak", "no_goal", "week_so_far", "last_activity"]


class SummaryBucket(BaseModel):
    """One local day, or the days of one ISO week (Monday to Sunday) within the range."""

    start: date = Field(description="Its first local date within the range.")
    days: int = Field(description="How many local dates it holds: 1 for a day, up to 7.")
    minutes: int = Field(description="Minutes of activity that started in it.")
    distance_km: Decimal = Field(description="Kilometres of those activities (0 when none).")
    sessions: int = Field(description="How many activities started in it.")
    goal_minutes: int | None = Field(
        description="The pet's daily goal times `days`; null when the pet has no goal."
    )
    goal_met: bool | None = Field(
        description="Whether `minutes` reached `goal_minutes`; null when the pet has no goal."
    )


class ActivitySummary(BaseModel):
    """A pet's activities summed per local day or week, every bucket present (zeros when
    empty)."""

    pet_id: int
    tz: str = Field(description="The IANA time zone the days are cut in.")
    granularity: Granularity
    first_day: date = Field(description="The first local date summed.")
    last_day: date = Field(description="The last local date summed (included).")
    daily_goal_minutes: int | None = Field(
        description="The pet's daily activity goal in minutes, null when none is set."
    )
    buckets: list[SummaryBucket]


class Insight(BaseModel):
    """One plain statement, with the figures it rests on."""

    kind: InsightKind = Field(
        description=(
            "`goal_streak`: days in a row meeting the daily goal (figures `days`, "
            "`goal_minutes`, `through`); `no_goal`: the pet has no goal, so no streak "
            "(figures empty); `week_so_far`: this ISO week until now against the same span "
            "of last week (`minutes`, `last_week_minutes`, `change_percent`, null when last "
            "week had none; `since`); `last_activity`: days since the last logged activity "
            "(`days`, `on`; both null when none is logged)."
        )
    )
    statement: str = Field(examples=["Rex met the daily goal of 60 minutes 4 days in a row."])
    figures: dict[str, int | float | date | None]


class PetInsights(BaseModel):
    """What a pet's own activity data says; no norms but the owner's own goal."""

    pet_id: int
    tz: str = Field(description="The IANA time zone days and weeks are cut in.")
    today: date = Field(description="The local date the insights were computed on.")
    insights: list[Insight]
