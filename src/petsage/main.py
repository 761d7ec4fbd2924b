"""The application factory. It assembles routers, middleware, error handlers and the lifespan;
logic lives in the features and the platform modules beside them."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from petsage import __version__
from petsage.auth.cors import install_cors
from petsage.auth.runtime import build_identity
from petsage.auth.settings import AuthSettings, load_auth_settings
from petsage.blueprint import AppServices, Feature
from petsage.blueprint.configuration import CONFIGURATION, Configuration
from petsage.blueprint.discovery import (
    FeatureError,
    configure,
    discover_features,
    select_features,
)
from petsage.blueprint.feature import METRICS, MetricsExport
from petsage.blueprint.guard import call_feature, fatal
from petsage.blueprint.mount import (
    check_providers,
    include_routers,
    probe_paths,
    probe_responders,
    running_features,
)
from petsage.blueprint.routes import ServedRoute, served_routes
from petsage.database.session import Database
from petsage.health.registry import PLATFORM, CheckProvider
from petsage.health.runtime import build_engine, running_health
from petsage.http.access import IDENTITY
from petsage.http.application import PetSageAPI
from petsage.http.dependencies import (
    DATABASE,
    HEALTH,
    OPTIONAL_SECURITY_SCHEMES,
    SETTINGS,
    STARTED,
)
from petsage.http.docs import install_offline_docs
from petsage.http.errors import install_error_handlers
from petsage.http.middleware import HeadAsGetMiddleware, ResponseHeadersMiddleware
from petsage.http.openapi import install_openapi, operation_id
from petsage.http.probes import ProbeLane, ProbePaths, ProbeResponder
from petsage.http.state import AppState, attach_state, state_of
from petsage.observability.access_log import AccessLog
from petsage.observability.health_metrics import watch_health
from petsage.observability.logs import configure_logging
from petsage.observability.metrics import Metrics, build_info_labels
from petsage.observability.request_context import (
    ProbeRequestContext,
    Recorder,
    RequestContextMiddleware,
)
from petsage.process import StartTime
from petsage.settings import FeatureSettings, Settings, load_settings

NATIVE_TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
DESCRIPTION = (
    "The wise backend for all your pet's needs. Providing intelligent, "
    "data-driven insights for pet care."
)
# What a worker process exits with when a feature fails to start: uvicorn's supervisor stops
# on its STARTUP_FAILURE instead of restarting the worker for ever.
WORKER_START_FAILURE = 3


@dataclass(frozen=True, kw_only=True, slots=True)
class AppOptions:
    """How an app is assembled beyond its settings; `create_app` takes the defaults.

    - `probe_fast_path=False` sends every probe through its full FastAPI route; tests use it
      to prove both paths answer alike, benchmarks to measure what the fast path saves.
    - `observability=False` leaves out request ids, the access log and metrics (middleware
      and the features exporting metrics) altogether; the benchmark measures their cost.
    - `health_checks` are extra check providers, `features` replace discovery, and
      `feature_settings` replace those features' settings from the environment (tests).
    - `freeze_after_start=True` (a server process: `petsage serve` and its workers) hands
      what exists once started to `gc.freeze()`; apps that tests start and stop by the
      hundred in one process leave the collector alone.
    - `start_failure_exit` (a server process): a feature whose lifespan fails to start ends
      the process with one line and this exit code, instead of uvicorn's traceback.
    """

    probe_fast_path: bool = True
    observability: bool = True
    health_checks: Sequence[CheckProvider] = ()
    features: Sequence[Feature] | None = None
    feature_settings: Sequence[FeatureSettings] = ()
    freeze_after_start: bool = False
    start_failure_exit: int | None = None
    # PETSAGE_AUTH_* and PETSAGE_CORS_* (tests): None reads them from the environment.
    auth: AuthSettings | None = None


def server_options(start_failure_exit: int) -> AppOptions:
    """The options of an app a server process serves (`petsage serve`, its workers)."""
    return AppOptions(freeze_after_start=True, start_failure_exit=start_failure_exit)


def create_app(settings: Settings) -> FastAPI:
    """Build a PetSage application configured by `settings`, with every feature found."""
    return assemble_app(settings, AppOptions())


def assemble_app(settings: Settings, options: AppOptions) -> FastAPI:
    """Build a PetSage application configured by `settings`, assembled as `options` say."""
    # Here rather than in the CLI alone: each worker process builds its app through this.
    configure_logging(settings.log_level, settings.log_format)
    timeout = settings.feature_start_timeout_seconds
    found = discover_features(timeout) if options.features is None else tuple(options.features)
    configuration = configure(found, settings, options.feature_settings)
    selected = select_features(found, configuration)
    if not options.observability:
        selected = tuple(f for f in selected if f.metrics_export is None)
    # Who is calling (protected routes): the operator's issuer, or the development issuer.
    identity = build_identity(options.auth or load_auth_settings(), settings.data_dir)
    extra = tuple(("an extra provider", provider) for provider in options.health_checks)
    extra = (("the identity platform", identity.checks), *extra)
    services = build_services(
        configuration, selected, (*check_providers(selected, timeout), *extra)
    )
    services.state.put(IDENTITY, identity)
    app = PetSageAPI(
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
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
        # FastAPI's native OpenTelemetry looks up providers on every request (about 3.5 us, a
        # tenth of a probe's cost); PetSage reports through its own logs and /metrics instead.
        telemetry=None if settings.otel_enabled else NATIVE_TELEMETRY_OFF,
        lifespan=partial(_lifespan, services=services, features=selected, options=options),
    )
    _publish(services)
    attach_state(app, services.state)
    _install_platform(app)
    platform = tuple(served_routes(app.routes, PLATFORM))
    include_routers(app, selected)
    responders = probe_responders(selected, services) if options.probe_fast_path else {}
    probes = ProbePaths(probe_paths(selected, platform))
    metrics = _metrics_export(selected, configuration) if services.metrics else None
    _install_middleware(
        app,
        settings,
        responders=responders,
        probes=probes,
        observability=options.observability,
        export=metrics,
    )
    return app


@asynccontextmanager
async def _lifespan(
    app: FastAPI, *, services: AppServices, features: Sequence[Feature], options: AppOptions
) -> AsyncIterator[None]:
    """Start platform services and features in order and stop them in reverse, whatever
    happens."""
    exit_code = options.start_failure_exit
    try:
        async with AsyncExitStack() as stack:
            # The engine connects lazily: liveness never waits on the database.
            stack.push_async_callback(services.database.dispose)
            # The issuer's keys are fetched in the background; never waits on the provider.
            await stack.enter_async_context(services.state.get(IDENTITY).running())
            running = running_features(features, services, exit_code=exit_code)
            await stack.enter_async_context(running)
            # Last: readiness turns ok once everything above has started.
            await stack.enter_async_context(
                running_health(services.health, services.database, services.settings)
            )
            if options.freeze_after_start:
                # What exists now (modules, classes, routes: some 300,000 objects) lives as
                # long as the process: out of the cycle collector's way. Each full collection
                # walked them all, a 40 ms pause that set the p99 of /system/status.json at 20
                # clients (54 ms with it, 18 ms frozen: bench/status_page.py). Thawed at
                # shutdown. `petsage serve` starts with the collector off (petsage.entrypoint):
                # on again now, with nothing to walk.
                gc.freeze()
                gc.enable()
                stack.callback(gc.unfreeze)
            if isinstance(app, PetSageAPI):
                # First at shutdown: requests the graceful timeout cancelled send their 503
                # while the database and the features they use are still there.
                stack.push_async_callback(app.in_flight.settle)
            yield
    except FeatureError as exc:
        if exit_code is None:
            raise
        # The features started before it have stopped and the database is closed. uvicorn
        # would log the traceback and exit 3: a server process says one line instead.
        fatal(str(exc), exit_code)


def _publish(services: AppServices) -> None:
    """Each service once, under its key, for the request dependencies."""
    state = services.state
    state.put(CONFIGURATION, services.configuration)
    state.put(SETTINGS, services.settings)
    state.put(HEALTH, services.health)
    state.put(DATABASE, services.database)
    state.put(STARTED, services.started)
    if services.metrics is not None:
        state.put(METRICS, services.metrics)


def _install_platform(app: FastAPI) -> None:
    """What every app serves before any feature: error handlers, OpenAPI and the docs."""
    install_error_handlers(app)
    install_openapi(app, optional_schemes=OPTIONAL_SECURITY_SCHEMES)
    install_offline_docs(app)


def platform_routes() -> tuple[ServedRoute, ...]:
    """The platform's own routes, as every app serves them (`petsage feature new` checks a
    new feature's paths against them)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    _install_platform(app)
    return tuple(served_routes(app.routes, PLATFORM))


def build_services(
    configuration: Configuration,
    features: Sequence[Feature],
    providers: Sequence[tuple[str, CheckProvider]],
) -> AppServices:
    settings = configuration.core
    # Recorded only for a feature that exports them (the `metrics` feature's /metrics).
    exported = any(feature.metrics_export is not None for feature in features)
    metrics = Metrics(build_info_labels(settings)) if exported else None
    health = build_engine(settings, providers)
    if metrics is not None:
        watch_health(metrics, health)
    return AppServices(
        configuration=configuration,
        health=health,
        database=Database.from_settings(settings),
        started=StartTime.now(),
        metrics=metrics,
        state=AppState(),
    )


def _metrics_export(features: Sequence[Feature], configuration: Configuration) -> MetricsExport:
    """What the exporting features ask for, together: probes counted if any asks."""
    timeout = configuration.core.feature_start_timeout_seconds
    exports = [
        call_feature(f.name, "metrics_export", partial(f.metrics_export, configuration), timeout)
        for f in features
        if f.metrics_export is not None
    ]
    return MetricsExport(include_probes=any(export.include_probes for export in exports))


def _install_middleware(
    app: PetSageAPI,
    settings: Settings,
    *,
    responders: dict[str, ProbeResponder],
    probes: ProbePaths,
    observability: bool,
    export: MetricsExport | None,
) -> None:
    # The probe lane answers before every middleware (see PetSageAPI); HEAD conversion and
    # response headers apply to every other answer. The request context (id, access log, HTTP
    # metrics) sits outermost, so every log line of a request carries the id.
    app.add_middleware(HeadAsGetMiddleware)
    # Inside the request context: a preflight is logged and carries a request id.
    install_cors(app, state_of(app).get(IDENTITY).settings)
    if not observability:
        app.add_middleware(ResponseHeadersMiddleware, probe_paths=probes)
        app.fast_lane = ProbeLane(responders) if responders else None
        return
    access_log = AccessLog(include_probes=settings.access_log_probes, probe_paths=probes)
    recorders: list[Recorder] = [access_log]
    if export is not None:
        metrics = state_of(app).get(METRICS)
        http = metrics.http(
            include_probes=export.include_probes, probe_paths=probes, fixed_paths=responders
        )
        recorders.insert(0, http)
    # Also sets ResponseHeadersMiddleware's headers, in its place: one layer, not two.
    app.add_middleware(RequestContextMiddleware, recorders=recorders, probe_paths=probes)
    if responders:
        app.fast_lane = ProbeLane(responders, ProbeRequestContext(recorders))


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and worker processes: settings from the environment."""
    return assemble_app(load_settings(), server_options(WORKER_START_FAILURE))
