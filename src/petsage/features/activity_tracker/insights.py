"""The insights (hand-written): a few plain statements drawn from one pet's own activities,
each with the figures behind it.

- the current streak of days meeting the pet's daily goal: today counts once its minutes reach
  the goal, else the streak ends yesterday; with no goal set, a statement saying so (the goal
  is the owner's own: PetSage invents no norm);
- this ISO week so far (Monday 00:00 local until now) against the same span of last week, in
  minutes, with the change in % (null when last week's span had none);
- days since the last logged activity.

No weight history is kept (a pet profile holds its current weight only), so there is no
weight trend. No medical or breed advice.

No HTTP types here. The bucket query of `summary` over the last 35 days and the two week spans
(37 aggregated rows), and one MAX(started_at); only when all of those 35 days met the goal, the
bucket query again over 105 days, then 315, then a year (366 rows), until a day missed it.
Never the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.resources import Caller
from petsage.resources.row import utc_now
from petsage.resources.timeline import (
    MAX_DAYS,
    Bucket,
    Span,
    Totals,
    buckets,
    day_start,
    local_date,
    local_instant,
    local_today,
    time_zone,
)

from .insights_models import Insight, PetInsights
from .orm import Activity
from .summary import GOAL_COLUMN, pet_totals, the_pet

WEEK = timedelta(days=7)
# Days the streak is first looked for over; a streak that long is looked for over a window
# STREAK_GROWTH times longer, and so on up to a year.
STREAK_FIRST_DAYS = 35
STREAK_GROWTH = 3


async def pet_insights(
    session: AsyncSession,
    pet_id: int,
    *,
    tz: str,
    caller: Caller | None,
    now: datetime | None = None,
) -> PetInsights:
    """The statements about the pet, as of `now` (default: now) in the zone `tz`."""
    zone = time_zone(tz)
    now = now or utc_now()
    today = local_today(zone, now)
    pet = await the_pet(session, pet_id, caller)
    name, goal = str(pet["name"]), pet[GOAL_COLUMN]
    days = _days_back(today, STREAK_FIRST_DAYS if goal else 0, zone)
    monday = today - timedelta(days=today.weekday())
    this_week = Span(day_start(monday, zone), now)
    # The same span a week earlier, by the local clock (a DST change may lie in between).
    week_ago = local_instant(now.astimezone(zone).replace(tzinfo=None) - WEEK, zone)
    last_week = Span(day_start(monday - WEEK, zone), week_ago)
    *daily, this, last = await pet_totals(session, pet_id, [*days, this_week, last_week])
    if goal and _unbroken(daily, goal):
        daily = await _followed_back(session, pet_id, daily, today=today, zone=zone, goal=goal)
    latest = await session.scalar(
        select(func.max(Activity.started_at)).where(Activity.pet_id == pet_id)
    )
    statements = [
        _streak(name, goal, daily, today) if goal else _no_goal(name),
        _week_so_far(this, last, monday),
        _last_activity(name, latest, today, zone),
    ]
    return PetInsights(pet_id=pet_id, tz=tz, today=today, insights=statements)


async def _followed_back(
    session: AsyncSession,
    pet_id: int,
    recent: Sequence[Totals],
    *,
    today: date,
    zone: ZoneInfo,
    goal: int,
) -> list[Totals]:
    """`recent` (the first look's days, all meeting the goal) with older days put in front, in
    windows three times longer each (up to 105, 315, then 366 days back), until a day missed
    the goal or a year is covered: a streak costs buckets in proportion to its length. A year
    at once made the bench pet's insights (a 67-day streak) cost 52 ms in process."""
    daily, looked = list(recent), STREAK_FIRST_DAYS
    while looked < MAX_DAYS and _unbroken(daily, goal):
        further = min(looked * STREAK_GROWTH, MAX_DAYS)
        older = buckets(
            today - timedelta(days=further - 1), today - timedelta(days=looked), "day", zone
        )
        daily = [*await pet_totals(session, pet_id, older), *daily]
        looked = further
    return daily


def _days_back(today: date, count: int, zone: ZoneInfo) -> list[Bucket]:
    """The `count` local days up to today, today included."""
    return buckets(today - timedelta(days=count - 1), today, "day", zone) if count else []


def _met(daily: Sequence[Totals], goal: int) -> tuple[list[int], list[bool]]:
    """Each day's minutes, and which days counted in a streak met the goal: today is not over,
    so it counts once met; until then the streak runs through yesterday."""
    minutes = [int(each.sums["minutes"]) for each in daily]
    met = [each >= goal for each in minutes]
    return minutes, met if met[-1] else met[:-1]


def _unbroken(daily: Sequence[Totals], goal: int) -> bool:
    return all(_met(daily, goal)[1])


def _streak(name: str, goal: int, daily: Sequence[Totals], today: date) -> Insight:
    minutes, counted = _met(daily, goal)
    through = today if len(counted) == len(minutes) else today - timedelta(days=1)
    streak = next((n for n, ok in enumerate(reversed(counted)) if not ok), len(counted))
    figures: dict[str, int | float | date | None] = {
        "days": streak,
        "goal_minutes": goal,
        "today_minutes": minutes[-1],
        "through": through if streak else None,
    }
    if streak == 0:
        statement = (
            f"{name} has no current streak: the daily goal of {goal} minutes was not met "
            f"yesterday, and today has {minutes[-1]} minutes so far."
        )
    else:
        at_least = "at least " if streak == len(counted) else ""
        when = "today" if through == today else "yesterday"
        statement = (
            f"{name} met the daily goal of {goal} minutes {at_least}{_days(streak)} in a row, "
            f"through {when}."
        )
    return Insight(kind="goal_streak", statement=statement, figures=figures)


def _no_goal(name: str) -> Insight:
    statement = (
        f"{name} has no daily activity goal, so no streak is counted; set one on the pet "
        "profile (daily_activity_goal_minutes) to follow it."
    )
    return Insight(kind="no_goal", statement=statement, figures={})


def _week_so_far(this: Totals, last: Totals, monday: date) -> Insight:
    minutes, before = int(this.sums["minutes"]), int(last.sums["minutes"])
    change = None if before == 0 else round((minutes - before) * 100 / before, 1)
    if change is None:
        compared = "none in the same span of last week"
    else:
        compared = f"{before} in the same span of last week ({change:+g}%)"
    statement = f"This week so far (since Monday {monday}): {minutes} minutes, against {compared}."
    figures: dict[str, int | float | date | None] = {
        "minutes": minutes,
        "last_week_minutes": before,
        "change_percent": change,
        "since": monday,
    }
    return Insight(kind="week_so_far", statement=statement, figures=figures)


def _last_activity(name: str, latest: datetime | None, today: date, zone: ZoneInfo) -> Insight:
    if latest is None:
        statement = f"No activity has been logged for {name} yet."
        return Insight(
            kind="last_activity", statement=statement, figures={"days": None, "on": None}
        )
    on = local_date(latest, zone)
    # An activity may start up to 5 minutes ahead of the clock: past midnight, it is today's.
    days = max((today - on).days, 0)
    if days == 0:
        statement = f"{name}'s last activity was logged today."
    else:
        statement = f"{_days(days).capitalize()} since {name}'s last logged activity (on {on})."
    return Insight(kind="last_activity", statement=statement, figures={"days": days, "on": on})


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
