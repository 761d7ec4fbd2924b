"""The hand stack (issue 17): PetSage's own libraries assembled by hand, nothing of PetSage's.

Bare FastAPI is the wrong baseline for a service that must load SQLAlchemy. This is the same
stack as a developer would write it from the libraries' own documentation: settings from the
environment (pydantic-settings, PetSage's `PETSAGE_DATA_DIR`), SQLAlchemy's async engine on an
SQLite file (aiosqlite), a liveness route with the same body as PetSage's, a readiness route that
runs `SELECT 1`, and prometheus_client with a request counter and a latency histogram recorded by
an HTTP middleware (`@app.middleware("http")`, as FastAPI's documentation shows) and served on
`/metrics`. Served by uvicorn with the same settings as every other app of the benchmarks.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

REQUESTS = Counter("http_requests_total", "HTTP requests served.", ["method", "path", "status"])
LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency.", ["method", "path"])


class HandSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PETSAGE_", extra="ignore")

    data_dir: Path = Path("var")


class Alive(BaseModel):
    status: str
    message: str


class Ready(BaseModel):
    status: str


def hand_stack() -> FastAPI:
    """For `uvicorn --factory`, as the harness serves every other app."""
    settings = HandSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(f"sqlite+aiosqlite:///{settings.data_dir / 'hand.db'}")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(title="hand stack", lifespan=lifespan)
    app.middleware("http")(record_metrics)
    add_routes(app, engine)
    return app


async def record_metrics(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    path = request.url.path
    LATENCY.labels(request.method, path).observe(time.perf_counter() - started)
    REQUESTS.labels(request.method, path, str(response.status_code)).inc()
    return response


def add_routes(app: FastAPI, engine: AsyncEngine) -> None:
    @app.get("/system/health")
    async def get_system_health() -> Alive:
        return Alive(status="ok", message="PetSage system is alive and purring!")

    @app.get("/system/health/ready")
    async def get_system_health_ready() -> Ready:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return Ready(status="ok")

    @app.get("/metrics")
    async def get_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
