"""Bind the listening socket first, then run uvicorn on it: one process, workers, or reload.

Left to itself, uvicorn binds after the lifespan has started (one process), so a port in use
or a host that does not resolve showed up as six log lines and exit code 3, with the health
engine started and stopped for nothing. Binding here, before uvicorn, makes either one a
`ConfigurationError` naming the setting, and hands uvicorn a socket it only has to listen on,
as its own `run` does for `--workers` and `--reload`.
"""

from __future__ import annotations

import errno
import logging
import resource
import socket
import sys

from uvicorn import Server
from uvicorn.supervisors import ChangeReload, Multiprocess

from petsage.http.protocol import LimitedConfig
from petsage.settings import ConfigurationError

logger = logging.getLogger("uvicorn.error")

# uvicorn's exit code when the server could not start (its lifespan failed).
STARTUP_FAILURE = 3
# Ours when a worker could not start: the worker printed why, as one line; 2 like every other
# start-up refusal of `petsage serve`.
WORKER_START_FAILURE = 2
# Descriptors besides the admitted connections: the database pool, SQLite's files, the event
# loop's own, and connections beyond the cap, each held until answered or timed out.
SPARE_DESCRIPTORS = 100


def ensure_open_files(max_connections: int) -> None:
    """Raise the soft open-files limit to what the connection cap needs, or refuse to start.

    Containers often start with a soft limit of 1024 under a far higher hard one; Go raises it
    by itself, Python does not. Past it, every accept and database connection fails.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = max_connections + SPARE_DESCRIPTORS
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise ConfigurationError(
            f"invalid setting PETSAGE_HTTP_MAX_CONNECTIONS: {max_connections} connections need"
            f" {needed} open files, above this process's hard limit of {hard}"
        )
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def bind_listener(host: str, port: int) -> socket.socket:
    """A socket bound to `host:port`, not yet listening; errors name the setting to fix."""
    # As uvicorn's own `Config.bind_socket`: IPv6 only for a literal IPv6 address.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigurationError(describe_bind_error(exc, host, port)) from None
    # Worker processes inherit it.
    sock.set_inheritable(True)
    return sock


def describe_bind_error(exc: OSError, host: str, port: int) -> str:
    if isinstance(exc, socket.gaierror):
        return f"invalid setting PETSAGE_HOST: cannot resolve {host!r} ({exc.strerror})"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"invalid setting PETSAGE_HOST: {host!r} is not an address of this machine"
    if exc.errno == errno.EADDRINUSE:
        return f"invalid setting PETSAGE_PORT: port {port} on {host} is already in use"
    return f"invalid setting PETSAGE_PORT: cannot bind {host}:{port} ({exc.strerror})"


def run(config: LimitedConfig, listener: socket.socket) -> None:
    """Serve on `listener` until shut down, as `uvicorn.run` would with its own socket."""
    logger.info("listening on http://%s:%d", *listener.getsockname()[:2])
    server = Server(config)
    try:
        if config.should_reload:
            ChangeReload(config, target=server.run, sockets=[listener]).run()
        elif config.workers > 1:
            supervisor = Multiprocess(config, sockets=[listener])
            supervisor.run()
            # The supervisor stops when a worker fails to start, and then returns as after a
            # signal: without this, `petsage serve --workers 2` with a failing plug-in exited 0.
            if any(worker.exitcode == STARTUP_FAILURE for worker in supervisor.processes):
                sys.exit(WORKER_START_FAILURE)
        else:
            server.run(sockets=[listener])
    except KeyboardInterrupt:
        pass
    if not server.started and not config.should_reload and config.workers == 1:
        sys.exit(STARTUP_FAILURE)
