"""Log lines of the apps under test stay inside pytest's capture.

An app a test starts runs in a thread of its own (TestClient's portal; an app a module shares
lives across tests), and its background tasks log whenever they run: between a test's phases
too, while pytest has suspended its capture to report. PetSage's handler writes to whatever
`sys.stderr` is at the time, which is then the real one: such lines reached the terminal (CI
showed a status page heartbeat warning there, on a pytest-xdist worker, whose standard error
is the terminal's). With capture on, the handler writes only while standard error is captured;
a line logged in between belongs to no test's output and is dropped. With `-s` (no capture)
every line shows, as before.

Registered by the plugin (`petsage.testing.plugin`).
"""

from __future__ import annotations

import io
import sys
from typing import TextIO

import pytest

from petsage.observability.logs import StderrHandler


class _Discard(io.StringIO):
    def write(self, text: str) -> int:
        return len(text)


_DISCARD = _Discard()


def _captured_stderr(_handler: StderrHandler) -> TextIO:
    stream = sys.stderr
    return _DISCARD if stream is sys.__stderr__ else stream


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("capture") == "no":
        return
    writes_anywhere = StderrHandler.__dict__["stream"]
    setattr(StderrHandler, "stream", property(_captured_stderr, writes_anywhere.fset))  # noqa: B010
