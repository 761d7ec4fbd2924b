"""Stopping on SIGTERM and SIGINT: the lifecycle learns first, then uvicorn; SIGTERM drains.

Kubernetes sends SIGTERM and removes the pod from its Service endpoints at the same time, and
the endpoint update takes a while to reach every load balancer; a process that stops accepting
connections at once makes those late requests fail. uvicorn installs its own handlers
(`Server.handle_exit`, through `signal.signal` in `capture_signals`, before the lifespan runs)
and stops accepting connections the moment one runs. So the lifespan wraps them: the first
SIGTERM switches the lifecycle to draining and hands the signal to uvicorn only after
`PETSAGE_SHUTDOWN_DRAIN_SECONDS`; uvicorn then finishes the requests in flight as usual. A
second SIGTERM, a SIGINT, or a SIGTERM with no drain stops at once. Either way the lifecycle's
stopping callbacks run first (`Lifecycle.on_stopping`): uvicorn's graceful shutdown waits for
every open response, and a feature's event streams end on it instead of holding it up. Under
`--workers N` uvicorn's supervisor sends SIGTERM to each worker, which does the same.
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


SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class ShutdownSignals:
    """The SIGTERM and SIGINT handler installed while the app runs; `originals` are uvicorn's."""

    def __init__(
        self,
        lifecycle: Lifecycle,
        drain_seconds: float,
        loop: asyncio.AbstractEventLoop,
        originals: dict[int, SignalHandler],
    ) -> None:
        self.lifecycle = lifecycle
        self.seconds = drain_seconds
        self.loop = loop
        self.originals = originals
        self.draining = False
        self._timer: asyncio.TimerHandle | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        # A signal handler interrupts whatever the loop was doing: touch nothing here but a
        # flag, and let the loop do the rest in order. A fresh context: the signal may land
        # while a request's context (its id) is current.
        if signum == signal.SIGTERM and self.seconds > 0 and not self.draining:
            self.draining = True
            self.loop.call_soon_threadsafe(self._drain, signum, context=contextvars.Context())
            return
        self.loop.call_soon_threadsafe(self._stop_now, context=contextvars.Context())
        self.originals[signum](signum, frame)

    def _drain(self, signum: int) -> None:
        logger.warning(
            "SIGTERM received: draining for %g s (readiness answers 503) before shutting down",
            self.seconds,
        )
        self.lifecycle.start_draining()
        self._timer = self.loop.call_later(self.seconds, self._finish, signum)

    def _finish(self, signum: int) -> None:
        self._timer = None
        logger.info("drain finished: shutting down, finishing requests in flight")
        self.originals[signum](signum, None)

    def _stop_now(self) -> None:
        self.cancel()
        self.lifecycle.begin_stopping()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


@contextmanager
def stop_on_signals(lifecycle: Lifecycle, drain_seconds: float) -> Iterator[ShutdownSignals | None]:
    """Wrap the current SIGTERM and SIGINT handlers for as long as the block runs (see the
    module doc); `drain_seconds == 0`: no drain, the lifecycle still learns it is stopping.

    Does nothing outside the main thread (signals reach only the main thread; tests run
    lifespans elsewhere), and leaves alone a signal with no handler to defer to (the default
    action would kill the process without a shutdown).
    """
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    originals: dict[int, SignalHandler] = {}
    for shutdown_signal in SHUTDOWN_SIGNALS:
        if callable(handler := signal.getsignal(shutdown_signal)):
            originals[shutdown_signal] = handler
    if not originals:
        yield None
        return
    signals = ShutdownSignals(lifecycle, drain_seconds, asyncio.get_running_loop(), originals)
    for signum in originals:
        signal.signal(signum, signals.handle)
    try:
        yield signals
    finally:
        signals.cancel()
        for signum, original in originals.items():
            if signal.getsignal(signum) == signals.handle:
                signal.signal(signum, original)
