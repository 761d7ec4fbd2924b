"""Activities of a pet, and what they add up to

Requirements: a pet profile to attach each activity to

The `activity_tracker` feature, a collection stored in the database.
The resource kit serves it: routes in `router.py`, the `Resource` in `service.py`, the table
in `orm.py`.

Written by hand after generation: the activity summary and the insights, under
`/pet-profiles/{id}/...`: routes in `insights_router.py`, models in `insights_models.py`, the
logic in `summary.py` and `insights.py` (on `petsage.resources.timeline`).
"""

from petsage.blueprint import Feature

from .insights_router import router as insights_router
from .orm import Activity
from .router import router

feature = Feature(
    name="activity_tracker",
    summary="Activities of a pet, and what they add up to",
    requirements="a pet profile to attach each activity to",
    routers=(router, insights_router),
    models=(Activity,),
    requires=("pet_profile",),
)
