"""`GET /me`: who the request's access token names, for checking a token end to end."""

from petsage.blueprint import Feature
from petsage.features.whoami.router import router

feature = Feature(name="whoami", summary="Who the access token names", routers=(router,))
