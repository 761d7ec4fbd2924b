"""The status page: uptime, daily bars and incidents of the health checks, served by PetSage.

`GET /system/status.json` here; the page, badges, feed and live updates in `views.py`.
Off with PETSAGE_STATUS_PAGE_ENABLED=false: then every path answers 404.
"""

from petsage.blueprint import Feature
from petsage.features.status_page.lifespan import status_lifespan
from petsage.features.status_page.orm import StatusDailyRollup, StatusInstanceRun
from petsage.features.status_page.router import api_router
from petsage.settings import Settings


def _status_page_enabled(settings: Settings) -> bool:
    return settings.status_page_enabled


feature = Feature(
    name="status_page",
    summary="Status page: uptime, daily bars and incidents of the health checks",
    routers=(api_router,),
    models=(StatusInstanceRun, StatusDailyRollup),
    lifespan=status_lifespan,
    enabled_when=_status_page_enabled,
)
