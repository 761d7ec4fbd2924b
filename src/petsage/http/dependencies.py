"""Request dependencies, each declared once as an `Annotated` alias.

Each is `async def` although none awaits: FastAPI runs a plain `def` dependency in the thread
pool, a hand-off that cost the readiness route more than everything else it does (three
dependencies, three round trips through a worker thread).
"""

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.database.session import Database, DatabaseUnavailableError, means_unavailable
from petsage.health.check import describe_error
from petsage.health.engine import HealthEngine
from petsage.http.access import IDENTITY
from petsage.http.detail_policy import (
    access_token,
    depends_on_authorization,
    may_see_details,
    token_shows_details,
)
from petsage.http.state import StateKey, state_of
from petsage.http.vary import note_authorization
from petsage.process import StartTime
from petsage.settings import Settings

logger = logging.getLogger(__name__)


# The platform's services, each put once by the app factory.
SETTINGS: StateKey[Settings] = StateKey("settings")
HEALTH: StateKey[HealthEngine] = StateKey("health")
DATABASE: StateKey[Database] = StateKey("database")
STARTED: StateKey[StartTime] = StateKey("started")

SettingsDep = Annotated[Settings, Depends(SETTINGS.dependency)]
HealthDep = Annotated[HealthEngine, Depends(HEALTH.dependency)]


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    database = state_of(request.app).get(DATABASE)
    try:
        async with database.session() as session:
            yield session
    except Exception as exc:
        if not means_unavailable(exc):
            raise
        # Also at the commit, after the handler returned: PostgreSQL stopping between a
        # request's last query and its commit was a 500 with a traceback (found by the soak).
        logger.warning("database unavailable: %s", describe_error(exc))
        raise DatabaseUnavailableError("The database is unavailable.") from None


# scope="function": the commit happens before the response is sent, so a failed commit is an
# error (503 when the database went away, else 500) rather than a 200 for data never stored.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]

StartTimeDep = Annotated[StartTime, Depends(STARTED.dependency)]

HEALTH_AUTH_SCHEME = "HealthToken"
# Security schemes that only add to an anonymous answer: OpenAPI marks them optional.
OPTIONAL_SECURITY_SCHEMES = frozenset({HEALTH_AUTH_SCHEME})

# Declared so that OpenAPI documents the bearer token (Swagger's Authorize button); the
# policy reads the raw header itself and never fails the request over it.
_health_bearer = HTTPBearer(
    auto_error=False,
    scheme_name=HEALTH_AUTH_SCHEME,
    description="PETSAGE_HEALTH_TOKEN: shows details under PETSAGE_HEALTH_DETAILS=authorized.",
)


async def _details_allowed(
    request: Request,
    settings: SettingsDep,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_health_bearer)],
) -> bool:
    if depends_on_authorization(settings):
        note_authorization(request.scope)
    header = request.headers.get("authorization")
    if may_see_details(settings, header):
        return True
    token = access_token(settings, header)
    identity = state_of(request.app).get(IDENTITY)
    return token is not None and await token_shows_details(identity, token)


# True when this request may see details (durations, errors, build and process facts).
DetailsAllowedDep = Annotated[bool, Depends(_details_allowed)]
