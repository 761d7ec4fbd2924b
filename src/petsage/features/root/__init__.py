"""`GET /`: the welcome endpoint."""

from petsage.blueprint import Feature
from petsage.features.root.router import router

feature = Feature(name="root", summary="The welcome endpoint", routers=(router,))
