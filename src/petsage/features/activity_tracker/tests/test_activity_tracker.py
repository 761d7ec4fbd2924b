"""The `activity_tracker` feature, on SQLite and PostgreSQL.

The kit's contract suite over its routes (every field's values and bounds, filters, sorts,
ETags, paging) and its migration up, down and up again.
"""

from petsage.testing.resource_contract import ResourceContract

from ..models import ActivityCreate, ActivityUpdate
from ..service import activities


class TestActivity(ResourceContract):
    resource = activities
    path = "/activities"
    tag = "Activity Tracker"
    create_model = ActivityCreate
    update_model = ActivityUpdate
    revision = "0005"
    down_revision = "0004"
