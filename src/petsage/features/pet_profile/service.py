"""Logic of the `pet_profile` feature: the kit's `Resource`.

No HTTP types here. Listing, paging, filters, sorting, references, unique values and the
version checks are `petsage.resources`'; what is particular to this feature goes here.
"""

from petsage.resources import Resource

from .models import PetProfilePublic
from .orm import PetProfile

pet_profiles = Resource(PetProfile, PetProfilePublic, noun="pet profile")
