"""The stopping phase, in process: SIGTERM and SIGINT raise it whether or not the instance
drains, before the handler in place (uvicorn's) runs; a first SIGTERM with a drain defers that
handler and raises it through the drain."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import pytest

from petsage.health.drain import stop_on_signals
from petsage.health.lifecycle import Lifecycle, Phase


@contextmanager
def handed_on(signum: signal.Signals) -> Iterator[list[int]]:
    """Stand in for uvicorn's handler of `signum`, recording what reaches it."""
    received: list[int] = []

    def record(number: int, _: FrameType | None) -> None:
        received.append(number)

    original = signal.signal(signum, record)
    try:
        yield received
    finally:
        signal.signal(signum, original)


def raise_in_loop(signum: signal.Signals, drain_seconds: float) -> tuple[list[int], list[str]]:
    """Raise `signum` while the lifecycle's signal handlers are installed; return what the
    handler in place received and what the lifecycle saw (its phase when stopping began)."""
    lifecycle = Lifecycle()
    lifecycle.mark_serving()
    seen: list[str] = []
    lifecycle.on_stopping(lambda: seen.append(lifecycle.phase.value))

    async def run() -> None:
        with stop_on_signals(lifecycle, drain_seconds):
            signal.raise_signal(signum)
            for _ in range(3):  # the handler hands its work to the loop
                await asyncio.sleep(0)

    with handed_on(signum) as received:
        asyncio.run(run())
    return received, seen


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_without_a_drain_a_signal_raises_stopping_then_reaches_the_handler(
    signum: signal.Signals,
) -> None:
    received, seen = raise_in_loop(signum, drain_seconds=0)

    assert received == [signum]
    assert seen == [Phase.SERVING.value]


def test_sigint_stops_at_once_even_when_the_instance_drains() -> None:
    received, seen = raise_in_loop(signal.SIGINT, drain_seconds=30)

    assert received == [signal.SIGINT]
    assert seen == [Phase.SERVING.value]


def test_a_draining_sigterm_raises_stopping_as_the_drain_begins() -> None:
    received, seen = raise_in_loop(signal.SIGTERM, drain_seconds=30)

    assert received == []  # deferred until the drain ends
    assert seen == [Phase.DRAINING.value]


def test_the_handlers_in_place_are_put_back() -> None:
    with handed_on(signal.SIGTERM), handed_on(signal.SIGINT):
        before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))

        async def run() -> None:
            with stop_on_signals(Lifecycle(), 5):
                assert signal.getsignal(signal.SIGTERM) not in before

        asyncio.run(run())

        assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
