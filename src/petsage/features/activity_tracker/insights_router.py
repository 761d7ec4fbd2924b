"""The activity summary and insights routes (hand-written), under the pet they describe:
`/pet-profiles/{id}/activity-summary` and `/pet-profiles/{id}/insights`.

Thin: they parse, call `summary` and `insights`, and return. Each needs a token with
`activity_tracker:read`; the pet is looked up with the owner check (another owner's pet is a
404, as a missing one), and `activity_tracker:admin` reaches every pet.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from petsage.http.access import SCOPE_RESPONSES
from petsage.http.dependencies import SessionDep
from petsage.resources import RESOURCE_RESPONSES, Access, Caller, ResourceId, caller_dependency

from .insights import pet_insights
from .insights_models import ActivitySummary, Granularity, PetInsights
from .summary import DEFAULT_DAYS, DEFAULT_ZONE, activity_summary

ACCESS = Access.scopes("activity_tracker")
Reader = Annotated[Caller | None, Depends(caller_dependency(ACCESS, "read"))]
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {**RESOURCE_RESPONSES[404], "description": "No pet profile of the caller has that id."},
    422: {
        **RESOURCE_RESPONSES[422],
        "description": "Invalid parameters: an unknown `tz`, `to` before `from`, or a range "
        "over 366 days (each names its parameter).",
    },
    **SCOPE_RESPONSES,
}

Zone = Annotated[
    str,
    Query(
        description="The IANA time zone whose local days are summed, as `Europe/Berlin`.",
        examples=["Europe/Berlin"],
    ),
]

router = APIRouter(prefix="/pet-profiles", tags=["Activity Tracker"])


@router.get(
    "/{id}/activity-summary",
    summary="Sum a pet's activities per local day or week",
    response_model=ActivitySummary,
    responses=RESPONSES,
)
async def get_activity_summary(
    id: ResourceId,
    session: SessionDep,
    caller: Reader,
    *,
    first: Annotated[
        date | None,
        Query(
            alias="from",
            description=f"The first local date summed; default: {DEFAULT_DAYS - 1} days "
            "before `to` (so 30 days in all).",
        ),
    ] = None,
    last: Annotated[
        date | None,
        Query(
            alias="to",
            description="The last local date summed, included; default: today in `tz`. "
            "At most 366 days from `from`, both included.",
        ),
    ] = None,
    granularity: Annotated[
        Granularity,
        Query(description="`day`, or `week`: ISO weeks (Monday to Sunday) clipped to the range."),
    ] = "day",
    tz: Zone = DEFAULT_ZONE,
) -> ActivitySummary:
    """Minutes, distance and sessions of the pet's activities per local day (or week) of `tz`,
    every bucket present, zeros when empty, and whether the pet's daily goal was met (a
    week's goal: the daily goal times its days within the range; null without a goal). Days
    are cut by the zone's clock: across a DST change a day is 23 or 25 hours long."""
    return await activity_summary(
        session, id, first=first, last=last, granularity=granularity, tz=tz, caller=caller
    )


@router.get(
    "/{id}/insights",
    summary="Read what a pet's activities say",
    response_model=PetInsights,
    responses=RESPONSES,
)
async def get_pet_insights(
    id: ResourceId, session: SessionDep, caller: Reader, tz: Zone = DEFAULT_ZONE
) -> PetInsights:
    """A few plain statements, each with its figures: the current streak of days meeting the
    pet's daily goal (or that none is set), this week so far against the same span of last
    week, and the days since the last logged activity. Drawn from the pet's own data only: no
    norms, no medical or breed advice; no weight trend, as no weight history is kept."""
    return await pet_insights(session, id, tz=tz, caller=caller)
