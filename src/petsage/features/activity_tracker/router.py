"""The `activity_tracker` routes.

The kit's list, create, read, change and delete: thin, they parse with the models below,
call the `Resource` in service.py and return.
Each needs an access token with the feature's scope: `<feature>:read` for GET,
`<feature>:write` for the rest; `<feature>:admin` reaches every owner's rows.
"""

from petsage.resources import Access, resource_router

from .models import ActivityCreate, ActivityUpdate
from .service import activities

router = resource_router(
    activities,
    create=ActivityCreate,
    update=ActivityUpdate,
    prefix="/activities",
    tag="Activity Tracker",
    one="an activity",
    plural="activities",
    access=Access.scopes("activity_tracker"),
)
