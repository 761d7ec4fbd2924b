"""The console log of a real `petsage serve`: what a client puts in a request cannot start a line.

`%0a` in a path decodes to a newline; printed raw, it would let anyone forge a log line (say, a
CRITICAL from another logger). The JSON format escapes it by construction; the console format
escapes every control character and line separator itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from tests.support.server import RunningServer, petsage_server

# One xdist worker runs the module: its module-scoped server starts once.
pytestmark = pytest.mark.slow

FORGED = "2026-12-01T13:40:00.000+00:00 CRITICAL petsage.security: forged"
WAIT_SECONDS = 10.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"PETSAGE_LOG_FORMAT": "console", "PETSAGE_ACCESS_LOG_PROBES": "true"}
    with petsage_server(tmp_path_factory.mktemp("console-log"), env=env) as running:
        yield running


def access_line(server: RunningServer, marker: str) -> str:
    """The server's access line holding `marker`, waiting for it to be written."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = [line for line in server.log().split("\n") if marker in line]
        if found:
            (line,) = found
            return line
        time.sleep(0.05)
    raise AssertionError(f"no log line with {marker!r}:\n{server.log()}")


def test_a_newline_in_the_path_cannot_forge_a_log_line(server: RunningServer) -> None:
    forged = FORGED.replace(" ", "%20")
    response = httpx.get(f"{server.base_url}/forge-1%0a{forged}%0d%0a", timeout=5)

    line = access_line(server, "/forge-1")

    assert response.status_code == 404
    assert f"GET /forge-1\\n{FORGED}\\r\\n 404 " in line
    assert not any(other.startswith(FORGED) for other in server.log().split("\n"))


@pytest.mark.parametrize(
    ("encoded", "escaped"),
    [
        ("%E2%80%A8", "\\u2028"),  # LINE SEPARATOR
        ("%E2%80%A9", "\\u2029"),  # PARAGRAPH SEPARATOR
        ("%C2%85", "\\x85"),  # NEXT LINE (C1)
        ("%1B%5B2J", "\\x1b[2J"),  # a terminal's clear-screen
        ("%7F%00%09", "\\x7f\\x00\\t"),
    ],
)
def test_separators_and_control_characters_are_escaped(
    server: RunningServer, encoded: str, escaped: str
) -> None:
    marker = f"/forge-{encoded.replace('%', '')}"
    response = httpx.get(f"{server.base_url}{marker}x{encoded}y", timeout=5)

    line = access_line(server, marker)

    assert response.status_code == 404
    assert f"{marker}x{escaped}y 404 " in line


def test_the_log_holds_no_raw_separator_or_control_character(server: RunningServer) -> None:
    httpx.get(f"{server.base_url}/forge-last%E2%80%A8%C2%85%1B%0b%0c", timeout=5)
    access_line(server, "/forge-last")

    text = server.log()
    raw = {char for char in text if char != "\n" and (ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0)}
    assert raw == set()
    assert "\u2028" not in text
    assert "\u2029" not in text
