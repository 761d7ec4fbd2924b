"""Logic of the `activity_tracker` feature: the kit's `Resource`.

No HTTP types here. Listing, paging, filters, sorting, references, unique values and the
version checks are `petsage.resources`'; what is particular to this feature goes here.
"""

from petsage.resources import Resource

from .models import ActivityPublic
from .orm import Activity

activities = Resource(Activity, ActivityPublic, noun="activity", order="-started_at")
