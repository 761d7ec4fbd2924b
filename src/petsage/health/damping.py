"""Flap damping: a check's reported status moves only after enough consecutive raw results.

A check turns worse after `failure_threshold` consecutive raw results worse than what it
reports, and better after `success_threshold` consecutive better ones; both default to 1,
which reports every raw result as it comes. The first result is reported as it is: there is
no earlier status to hold on to.
"""

from __future__ import annotations

from dataclasses import dataclass

from petsage.health.aggregate import severity
from petsage.health.model import Status


@dataclass(frozen=True, slots=True)
class DampedState:
    """What is reported, and the run of raw results that disagree with it."""

    reported: Status | None = None
    streak: int = 0
    worsening: bool = False


INITIAL = DampedState()


def step(
    state: DampedState, raw: Status, *, failure_threshold: int = 1, success_threshold: int = 1
) -> DampedState:
    """The state after one more raw result."""
    if state.reported is None or raw is state.reported:
        return DampedState(raw)
    worsening = severity(raw) > severity(state.reported)
    streak = state.streak + 1 if state.streak and state.worsening is worsening else 1
    threshold = failure_threshold if worsening else success_threshold
    if streak >= threshold:
        return DampedState(raw)
    return DampedState(state.reported, streak, worsening)
