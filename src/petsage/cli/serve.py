"""`petsage serve`: run the API under uvicorn with uvloop and httptools.

Free of typer: `petsage serve` with no options (everything from the environment, as containers
run it) comes here straight from `petsage.entrypoint`, and typer and the other commands are
never loaded (1.5 MiB of a server's resident memory). `petsage.cli.app` parses the options.

Every `petsage` command loads this module to register `serve`, so the web stack (FastAPI,
uvicorn, the app) is imported inside the functions that use it: `petsage db` and
`petsage feature` then start without it (about a third of their imports).
"""

from __future__ import annotations

import gc
import socket
from typing import TYPE_CHECKING

from petsage.cli.config import auth_settings_or_exit, fail, settings_or_exit
from petsage.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from petsage.auth.settings import AuthSettings


def serve(
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    reload: bool = False,
) -> None:
    """Serve the PetSage API; `None` leaves a setting to the environment."""
    # First: a bad setting is one line before anything heavy is imported.
    settings = settings_or_exit(host=host, port=port, workers=workers)
    auth = auth_settings_or_exit()
    from petsage.cli.db_step import prepare_database_or_exit  # noqa: PLC0415 (see the docstring)
    from petsage.http import server as http_server  # noqa: PLC0415
    from petsage.http.limits import HttpLimits  # noqa: PLC0415
    from petsage.http.protocol import LimitedConfig  # noqa: PLC0415
    from petsage.observability.logs import configure_logging  # noqa: PLC0415

    configure_logging(settings.log_level, settings.log_format)
    # Building the app checks what the settings alone cannot (health check names); workers
    # build their own, but a mistake is one line here rather than a traceback in each.
    app = app_or_exit(settings)
    # Before uvicorn: workers then find the schema ready, and a bad data setting is one line.
    prepare_database_or_exit(settings)
    # Last: a bad setting above is reported before any port is bound, and a port in use
    # is one line here rather than a failure after the lifespan has started.
    listener = listener_or_exit(settings)
    # On the address actually bound: a host name that resolves to loopback is loopback.
    refuse_remote_development_issuer_or_exit(auth, listener)
    factory = reload or settings.workers > 1
    if factory:
        # This process only supervises the workers (each its own interpreter, collector on):
        # it never runs the lifespan that would turn its collector back on.
        gc.enable()
    config = LimitedConfig(
        # Each worker process builds its own app from the same (already validated) environment.
        "petsage.main:create_app_from_env" if factory else app,
        HttpLimits.from_settings(settings),
        factory=factory,
        reload=reload,
        workers=1 if reload else settings.workers,
        loop="uvloop",
        lifespan="on",
        log_level=settings.log_level.value,
        # Our handler and formatter (petsage.observability.logs), installed above and by each
        # worker's create_app, serve uvicorn's loggers too; the access log is ours (request ids).
        log_config=None,
        access_log=False,
        # Typed int, but uvicorn (0.54) only hands it to `asyncio.wait_for`, which takes a float:
        # `int()` turned 0.9 s into 0, and the requests in flight were cancelled at once.
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        server_header=False,
    )
    http_server.run(config, listener)


def app_or_exit(settings: Settings) -> FastAPI:
    from petsage.main import assemble_app, server_options  # noqa: PLC0415 (see the docstring)

    try:
        # A feature whose lifespan fails to start then ends the process with one line and
        # exit 2, like every other start-up refusal (after the port is bound, unavoidably).
        # Its settings, and every feature's, are validated here: one line, before any port.
        return assemble_app(settings, server_options(start_failure_exit=2))
    except ConfigurationError as exc:
        fail(str(exc))


def refuse_remote_development_issuer_or_exit(auth: AuthSettings, listener: socket.socket) -> None:
    from petsage.auth.settings import refuse_remote_development_issuer  # noqa: PLC0415

    try:
        refuse_remote_development_issuer(auth, str(listener.getsockname()[0]))
    except ConfigurationError as exc:
        listener.close()
        fail(str(exc))


def listener_or_exit(settings: Settings) -> socket.socket:
    from petsage.http import server as http_server  # noqa: PLC0415 (see the docstring)

    try:
        http_server.ensure_open_files(settings.http_max_connections)
        return http_server.bind_listener(settings.host, settings.port)
    except ConfigurationError as exc:
        fail(str(exc))
