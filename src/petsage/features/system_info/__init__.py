"""`GET /system/info`: the running version, and build and process facts under the detail
policy."""

from petsage.blueprint import Feature
from petsage.features.system_info.router import router

feature = Feature(
    name="system_info",
    summary="Build and process information",
    routers=(router,),
)
