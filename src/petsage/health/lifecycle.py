"""The process's phase as readiness sees it: starting, serving, then draining at shutdown."""

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


class Lifecycle:
    """Readiness is 503 until start-up (migrations included) finished, and again once draining.

    Moves only forward: starting -> serving -> draining.
    """

    def __init__(self) -> None:
        self.phase = Phase.STARTING
        self._callbacks: list[PhaseCallback] = []

    def on_change(self, callback: PhaseCallback) -> None:
        self._callbacks.append(callback)

    def mark_serving(self) -> None:
        if self.phase is Phase.STARTING:
            self._move(Phase.SERVING)

    def start_draining(self) -> None:
        if self.phase is not Phase.DRAINING:
            self._move(Phase.DRAINING)

    def _move(self, phase: Phase) -> None:
        self.phase = phase
        for callback in self._callbacks:
            try:
                callback(phase)
            except Exception:
                logger.exception("lifecycle callback %r failed", callback)
