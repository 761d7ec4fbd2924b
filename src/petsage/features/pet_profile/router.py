"""The `pet_profile` routes.

The kit's list, create, read, change and delete: thin, they parse with the models below,
call the `Resource` in service.py and return.
Each needs an access token with the feature's scope: `<feature>:read` for GET,
`<feature>:write` for the rest; `<feature>:admin` reaches every owner's rows.
"""

from petsage.resources import Access, resource_router

from .models import PetProfileCreate, PetProfileUpdate
from .service import pet_profiles

router = resource_router(
    pet_profiles,
    create=PetProfileCreate,
    update=PetProfileUpdate,
    prefix="/pet-profiles",
    tag="Pet Profile",
    one="a pet profile",
    plural="pet profiles",
    access=Access.scopes("pet_profile"),
)
