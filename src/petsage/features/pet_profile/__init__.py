"""Profiles of the pets a person cares for

Requirements: none

The `pet_profile` feature, a collection stored in the database.
The resource kit serves it: routes in `router.py`, the `Resource` in `service.py`, the table
in `orm.py`.
"""

from petsage.blueprint import Feature

from .orm import PetProfile
from .router import router

feature = Feature(
    name="pet_profile",
    summary="Profiles of the pets a person cares for",
    requirements="none",
    routers=(router,),
    models=(PetProfile,),
)
