"""The process's phase as readiness sees it (starting, serving, then draining at shutdown), and
the moment it starts stopping: what long-lived work (an event stream) ends on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

logger = logging.getLogger(__name__)


class Phase(StrEnum):
    STARTING = "starting"
    SERVING = "serving"
    DRAINING = "draining"


PhaseCallback = Callable[["Phase"], None]
StoppingCallback = Callable[[], None]


class Lifecycle:
    """Readiness is 503 until start-up (migrations included) finished, and again once draining.

    Moves only forward: starting -> serving -> draining. Apart from the phase, `stopping` turns
    true once, when the process starts stopping: on SIGTERM or SIGINT whether or not it drains
    (`petsage.health.drain` raises it), and when draining begins. Work that would hold the
    shutdown up (an event stream never ends by itself) ends on `on_stopping`; no feature
    installs a signal handler of its own.
    """

    def __init__(self) -> None:
        self.phase = Phase.STARTING
        self.stopping = False
        self._callbacks: list[PhaseCallback] = []
        self._stopping_callbacks: list[StoppingCallback] = []

    def on_change(self, callback: PhaseCallback) -> None:
        self._callbacks.append(callback)

    def on_stopping(self, callback: StoppingCallback) -> None:
        """Call `callback` (on the event loop) when the process starts stopping."""
        self._stopping_callbacks.append(callback)

    def begin_stopping(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        for callback in self._stopping_callbacks:
            try:
                callback()
            except Exception:
                logger.exception("lifecycle stopping callback %r failed", callback)

    def mark_serving(self) -> None:
        if self.phase is Phase.STARTING:
            self._move(Phase.SERVING)

    def start_draining(self) -> None:
        if self.phase is not Phase.DRAINING:
            self._move(Phase.DRAINING)
        self.begin_stopping()

    def _move(self, phase: Phase) -> None:
        self.phase = phase
        for callback in self._callbacks:
            try:
                callback(phase)
            except Exception:
                logger.exception("lifecycle callback %r failed", callback)
