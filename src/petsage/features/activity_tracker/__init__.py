"""Activities of a pet, and what they add up to

Requirements: a pet profile to attach each activity to

The `activity_tracker` feature, a collection stored in the database.
The resource kit serves it: routes in `router.py`, the `Resource` in `service.py`, the table
in `orm.py`.
"""

from petsage.blueprint import Feature

from .orm import Activity
from .router import router

feature = Feature(
    name="activity_tracker",
    summary="Activities of a pet, and what they add up to",
    requirements="a pet profile to attach each activity to",
    routers=(router,),
    models=(Activity,),
    requires=("pet_profile",),
)
