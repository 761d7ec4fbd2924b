"""Request dependencies, each declared once as an `Annotated` alias."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from petsage.database.session import Database
from petsage.detail_policy import may_see_details
from petsage.health.engine import HealthEngine
from petsage.metrics import Metrics
from petsage.settings import Settings
from petsage.uptime import StartTime


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


def _health(request: Request) -> HealthEngine:
    engine: HealthEngine = request.app.state.health
    return engine


HealthDep = Annotated[HealthEngine, Depends(_health)]


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.session() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit is a
# 500 rather than a 200 for data that was never stored.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


def _metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[Metrics, Depends(_metrics)]


def _start_time(request: Request) -> StartTime:
    started: StartTime = request.app.state.started
    return started


StartTimeDep = Annotated[StartTime, Depends(_start_time)]

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


def _details_allowed(
    request: Request,
    settings: SettingsDep,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_health_bearer)],
) -> bool:
    return may_see_details(settings, request.headers.get("authorization"))


# True when this request may see details (durations, errors, build and process facts).
DetailsAllowedDep = Annotated[bool, Depends(_details_allowed)]
