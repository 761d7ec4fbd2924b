"""The `pet_profile` feature, on SQLite and PostgreSQL.

The kit's contract suite over its routes (every field's values and bounds, filters, sorts,
ETags, paging) and its migration up, down and up again.
"""

from petsage.testing.resource_contract import ResourceContract

from ..models import PetProfileCreate, PetProfileUpdate
from ..service import pet_profiles


class TestPetProfile(ResourceContract):
    resource = pet_profiles
    path = "/pet-profiles"
    tag = "Pet Profile"
    create_model = PetProfileCreate
    update_model = PetProfileUpdate
    revision = "0004"
    down_revision = "0003"
