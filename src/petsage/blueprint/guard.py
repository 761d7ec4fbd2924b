"""A feature's own code, run at start-up under a bound: any failure is one line naming it.

A feature's import, its providers (`enabled_when`, `health_checks`, `probes`) and its
lifespan's start are code PetSage does not control. Whatever they raise, `SystemExit` and
`KeyboardInterrupt` included, becomes a `FeatureError` naming the feature, which the command
line prints as one line with exit code 2.

A call that never returns cannot be cancelled: Python cannot stop a thread stuck in an import
or a C call, nor an event loop blocked by synchronous code. So a watchdog thread bounds each
one (`PETSAGE_FEATURE_START_TIMEOUT_SECONDS`): when the bound passes, it writes the one line
itself and ends the process with `os._exit`, skipping the cleanup that the stuck code would
never let run anyway.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import NoReturn, TypeVar

from petsage.settings import ConfigurationError

T = TypeVar("T")
EXIT_CONFIGURATION = 2
# Used where no settings are at hand (migrations' discovery); serve passes the setting.
DEFAULT_START_TIMEOUT_SECONDS = 30.0
TIMEOUT_SETTING = "PETSAGE_FEATURE_START_TIMEOUT_SECONDS"
MESSAGE_MAX = 300
REASON_MAX = 200


class FeatureError(ConfigurationError):
    """A feature cannot be loaded, started or clashes with another; the message names it."""


def describe_failure(exc: BaseException) -> str:
    """`RuntimeError: its message` on one line, cut short: a plug-in's message can be long."""
    reason = " ".join(str(exc).split()) or "no message"
    if len(reason) > REASON_MAX:
        reason = reason[: REASON_MAX - 3] + "..."
    return f"{type(exc).__name__}: {reason}"


def call_feature(name: str, what: str, function: Callable[[], T], timeout: float) -> T:
    """`function()`, run as feature `name`'s `what`; any failure is a `FeatureError`."""
    try:
        with deadline(timeout, f"feature {name!r}: {what} did not return {within(timeout)}"):
            return function()
    except FeatureError:
        raise
    except ConfigurationError as exc:  # one line naming what to fix: say whose it is
        raise FeatureError(f"feature {name!r}: {exc}") from None
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too
        raise FeatureError(f"feature {name!r}: {what} failed: {describe_failure(exc)}") from None


def within(timeout: float) -> str:
    return f"within {timeout:g} s ({TIMEOUT_SETTING})"


def fatal(message: str, code: int = EXIT_CONFIGURATION) -> NoReturn:
    """Write `petsage: message` and end the process now, from any thread."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    text = f"petsage: {message[:MESSAGE_MAX]}\n"
    os.write(2, text.encode("utf-8", "replace"))
    os._exit(code)


@contextmanager
def deadline(seconds: float, message: str, code: int = EXIT_CONFIGURATION) -> Iterator[None]:
    """End the process with `message` if the block is still running after `seconds`."""
    token = _WATCHDOG.arm(time.monotonic() + seconds, message, code)
    try:
        yield
    finally:
        _WATCHDOG.disarm(token)


class _Watchdog:
    """One daemon thread for every deadline of the process (a timer thread per call would
    cost a thread start for each provider of each app a test builds)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._armed: dict[int, tuple[float, str, int]] = {}
        self._next_token = 0
        self._thread: threading.Thread | None = None

    def arm(self, due: float, message: str, code: int) -> int:
        with self._condition:
            self._next_token += 1
            self._armed[self._next_token] = (due, message, code)
            if self._thread is None or not self._thread.is_alive():
                # Started anew after a fork: a child inherits the object, not the thread.
                self._thread = threading.Thread(target=self._run, name="petsage-watchdog")
                self._thread.daemon = True
                self._thread.start()
            self._condition.notify()
            return self._next_token

    def disarm(self, token: int) -> None:
        with self._condition:
            self._armed.pop(token, None)
            self._condition.notify()

    def _run(self) -> None:
        with self._condition:
            while True:
                if not self._armed:
                    self._condition.wait()
                    continue
                due, message, code = min(self._armed.values())
                remaining = due - time.monotonic()
                if remaining <= 0:
                    fatal(message, code)
                self._condition.wait(remaining)


_WATCHDOG = _Watchdog()
