"""The status page: uptime, daily bars and incidents of the health checks, served by PetSage.

`GET /system/status.json` here; the page, badges, feed and live updates in `views.py`.
Off with PETSAGE_STATUS_PAGE_ENABLED=false: then every path answers 404.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from petsage.blueprint import AppServices, Feature
from petsage.features.status_page.dependencies import BOARD, STREAMS
from petsage.features.status_page.lifespan import status_lifespan
from petsage.features.status_page.orm import (
    StatusDailyRollup,
    StatusIncident,
    StatusInstanceRun,
)
from petsage.features.status_page.router import api_router
from petsage.features.status_page.settings import StatusPageSettings, page_enabled
from petsage.features.status_page.streams import live_streams
from petsage.features.status_page.views import page_router


@asynccontextmanager
async def _lifespan(services: AppServices) -> AsyncIterator[None]:
    # Streams inside the board's lifespan: they end before the board stops.
    async with status_lifespan(services) as board, live_streams(services) as hub:
        services.state.put(BOARD, board)
        services.state.put(STREAMS, hub)
        yield


feature = Feature(
    name="status_page",
    summary="Status page: uptime, daily bars and incidents of the health checks",
    routers=(api_router, page_router),
    models=(StatusInstanceRun, StatusDailyRollup, StatusIncident),
    lifespan=_lifespan,
    provides=(BOARD, STREAMS),
    settings=StatusPageSettings,
    enabled_when=page_enabled,
)
