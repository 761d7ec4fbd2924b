"""Drain on SIGTERM: keep serving while readiness answers 503 `draining`, then shut down.

Kubernetes sends SIGTERM and removes the pod from its Service endpoints at the same time, and
the endpoint update takes a while to reach every load balancer; a process that stops accepting
connections at once makes those late requests fail. uvicorn installs its own SIGTERM handler
(`Server.handle_exit`, through `signal.signal` in `capture_signals`, before the lifespan runs)
and stops accepting connections the moment it runs. So the lifespan wraps that handler: the
first SIGTERM switches the lifecycle to draining and hands the signal to uvicorn only after
`PETSAGE_SHUTDOWN_DRAIN_SECONDS`; uvicorn then finishes the requests in flight as usual. A
second SIGTERM, or a SIGINT (not wrapped), stops at once. Under `--workers N` uvicorn's
supervisor sends SIGTERM to each worker, and each worker drains itself the same way.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from petsage.health.lifecycle import Lifecycle

logger = logging.getLogger(__name__)

SignalHandler = Callable[[int, FrameType | None], Any]


class SigtermDrain:
    """The SIGTERM handler installed while the app runs; `original` is uvicorn's."""

    def __init__(
        self,
        lifecycle: Lifecycle,
        seconds: float,
        loop: asyncio.AbstractEventLoop,
        original: SignalHandler,
    ) -> None:
        self.lifecycle = lifecycle
        self.seconds = seconds
        self.loop = loop
        self.original = original
        self.signalled = False
        self._timer: asyncio.TimerHandle | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        # A signal handler interrupts whatever the loop was doing: touch nothing here but a
        # flag, and let the loop do the rest in order.
        if self.signalled:
            self.loop.call_soon_threadsafe(self.cancel)
            self.original(signum, frame)
            return
        self.signalled = True
        # A fresh context: the signal may land while a request's context (its id) is current.
        self.loop.call_soon_threadsafe(self._begin, signum, context=contextvars.Context())

    def _begin(self, signum: int) -> None:
        logger.warning(
            "SIGTERM received: draining for %g s (readiness answers 503) before shutting down",
            self.seconds,
        )
        self.lifecycle.start_draining()
        self._timer = self.loop.call_later(self.seconds, self._finish, signum)

    def _finish(self, signum: int) -> None:
        self._timer = None
        logger.info("drain finished: shutting down, finishing requests in flight")
        self.original(signum, None)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


@contextmanager
def drain_on_sigterm(lifecycle: Lifecycle, seconds: float) -> Iterator[SigtermDrain | None]:
    """Wrap the current SIGTERM handler for as long as the block runs (see the module doc).

    Does nothing when draining is off (`seconds == 0`), outside the main thread (signals
    reach only the main thread; tests run lifespans elsewhere), or when no handler is
    installed to defer to (the default action would kill the process without a shutdown).
    """
    original = signal.getsignal(signal.SIGTERM)
    main_thread = threading.current_thread() is threading.main_thread()
    if seconds <= 0 or not main_thread or not callable(original):
        yield None
        return
    drain = SigtermDrain(lifecycle, seconds, asyncio.get_running_loop(), original)
    handler = drain.handle
    signal.signal(signal.SIGTERM, handler)
    try:
        yield drain
    finally:
        drain.cancel()
        if signal.getsignal(signal.SIGTERM) == handler:
            signal.signal(signal.SIGTERM, original)
