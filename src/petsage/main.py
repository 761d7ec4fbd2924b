"""The application factory. It assembles routers, middleware, error handlers and the lifespan;
logic lives in the features and the platform modules beside them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from petsage import __version__
from petsage.access_log import AccessLog
from petsage.database.session import Database
from petsage.dependencies import OPTIONAL_SECURITY_SCHEMES
from petsage.detail_policy import may_see_details
from petsage.docs import install_offline_docs
from petsage.errors import install_error_handlers
from petsage.features.health_checks.fast_path import ProbeCache
from petsage.features.health_checks.router import router as health_checks_router
from petsage.features.observability import service as observability_service
from petsage.features.observability.router import info_router, metrics_router
from petsage.features.root.router import router as root_router
from petsage.features.smoke_test import service as smoke_test_service
from petsage.features.smoke_test.router import router as smoke_test_router
from petsage.health.registry import CheckProvider
from petsage.health.runtime import build_engine, running_health
from petsage.logs import configure_logging
from petsage.metrics import HealthMetrics, Metrics
from petsage.middleware import HeadAsGetMiddleware, ResponseHeadersMiddleware
from petsage.openapi import install_openapi
from petsage.probes import ProbeFastPath, ProbeResponder, RenderedResponse, constant
from petsage.request_context import Recorder, RequestContextMiddleware
from petsage.settings import Settings, load_settings
from petsage.uptime import StartTime

NATIVE_TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
DESCRIPTION = (
    "The wise backend for all your pet's needs. Providing intelligent, "
    "data-driven insights for pet care."
)
# A feature that watches a dependency of its own adds `health.py` to its folder, exposing
# `health_checks(settings) -> Iterable[Check]`, and lists that function here.
FEATURE_HEALTH_CHECKS: tuple[CheckProvider, ...] = ()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start platform services in order and stop them in reverse, whatever happens."""
    async with AsyncExitStack() as stack:
        # Connects lazily: liveness never waits on the database.
        app.state.database = Database.from_settings(app.state.settings)
        stack.push_async_callback(app.state.database.dispose)
        # Last: readiness turns ok once everything above has started.
        await stack.enter_async_context(
            running_health(app.state.health, app.state.database, app.state.settings)
        )
        yield


def create_app(
    settings: Settings,
    *,
    probe_fast_path: bool = True,
    observability: bool = True,
    health_checks: Sequence[CheckProvider] = FEATURE_HEALTH_CHECKS,
) -> FastAPI:
    """Build a PetSage application configured by `settings`.

    `probe_fast_path=False` sends every probe through its full FastAPI route; tests use it to
    prove both paths answer alike, benchmarks to measure what the fast path saves.
    `observability=False` leaves out request ids, the access log and metrics (middleware and
    `/metrics`) altogether; the benchmark measures what they cost against it.
    `health_checks` are the features' check providers (tests add their own).
    """
    # Here rather than in the CLI alone: each worker process builds its app through this.
    configure_logging(settings.log_level, settings.log_format)
    app = FastAPI(
        title="PetSage API",
        description=DESCRIPTION,
        version=__version__,
        contact={
            "name": settings.contact_name,
            "url": str(settings.contact_url),
            "email": settings.contact_email,
        },
        # Served by `install_openapi` and `install_offline_docs` instead.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        # FastAPI's native OpenTelemetry looks up providers on every request (about 3.5 us, a
        # tenth of a probe's cost); PetSage reports through its own logs and /metrics instead.
        telemetry=None if settings.otel_enabled else NATIVE_TELEMETRY_OFF,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.started = StartTime.now()
    app.state.health = build_engine(settings, health_checks)
    metrics_on = observability and settings.metrics_enabled
    app.state.metrics = (
        Metrics(observability_service.build_labels(settings)) if metrics_on else None
    )
    install_error_handlers(app)
    install_openapi(app, optional_schemes=OPTIONAL_SECURITY_SCHEMES)
    install_offline_docs(app)
    app.include_router(root_router)
    app.include_router(smoke_test_router)
    app.include_router(health_checks_router)
    app.include_router(info_router)
    if metrics_on:
        app.include_router(metrics_router)
        app.state.health.add_listener(HealthMetrics(app.state.metrics))
    _install_middleware(app, probe_fast_path=probe_fast_path, observability=observability)
    return app


def _install_middleware(app: FastAPI, *, probe_fast_path: bool, observability: bool) -> None:
    # Added innermost first: the fast path sits closest to the router, so HEAD conversion and
    # response headers apply to fast and full answers alike. The request context (id, access
    # log, HTTP metrics) sits outermost, so every log line of a request carries the id.
    settings: Settings = app.state.settings
    responders: dict[str, ProbeResponder] = {}
    if probe_fast_path:
        liveness = RenderedResponse(
            200, smoke_test_service.perform_system_check().model_dump_json().encode()
        )
        responders["/system/health"] = constant(liveness)
        probes = ProbeCache(app.state.health, anonymous_detail=may_see_details(settings, None))
        responders.update(probes.responders())
        app.add_middleware(ProbeFastPath, responders=responders)
    app.add_middleware(HeadAsGetMiddleware)
    if not observability:
        app.add_middleware(ResponseHeadersMiddleware)
        return
    recorders: list[Recorder] = [AccessLog(include_probes=settings.access_log_probes)]
    metrics: Metrics | None = app.state.metrics
    if metrics is not None:
        include_probes = settings.metrics_include_probes
        recorders.insert(0, metrics.http(include_probes=include_probes, fixed_paths=responders))
    # Also sets ResponseHeadersMiddleware's headers, in its place: one layer, not two.
    app.add_middleware(RequestContextMiddleware, recorders=recorders)


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and worker processes: settings from the environment."""
    return create_app(load_settings())
