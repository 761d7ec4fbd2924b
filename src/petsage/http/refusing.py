"""How the protocol refuses a request: the error a parser callback raises, the plain answer,
and the log line, at most one per status and second with the count of the ones left out.

A refusal is logged as a WARNING; one each made a descriptor flood write about 180 lines a
second, so the log became the attack's amplifier and drowned everything else. The next line
for a status says how many were left out since, and `petsage_http_refusals_total`
(petsage.http.refusals) still counts every one.
"""

from __future__ import annotations

import http
import logging
import time
from collections.abc import Callable, Iterable

from uvicorn.protocols.http.httptools_impl import STATUS_LINE

# At most one line per status and interval.
INTERVAL_SECONDS = 1.0


class RefusedError(Exception):
    """Raised from a parser callback (the only way to stop httptools inside a buffer)."""

    def __init__(self, status: http.HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


def plain_refusal(status: http.HTTPStatus, default_headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The whole answer: the status's phrase as plain text, and `connection: close`."""
    body = status.phrase.encode("ascii")
    head = [STATUS_LINE[status.value]]
    for name, value in default_headers:
        head.append(name + b": " + value + b"\r\n")
    head.append(b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n")
    head.append(b"content-length: %d\r\n\r\n" % len(body))
    return b"".join(head) + body


class RefusalLog:
    """Logs refusals to `logger`, throttled per status; `clock` is monotonic seconds."""

    def __init__(
        self,
        logger: logging.Logger,
        interval_seconds: float = INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.interval_seconds = interval_seconds
        self.clock = clock
        self._last_logged: dict[int, float] = {}
        self._left_out: dict[int, int] = {}

    def refused(self, status: http.HTTPStatus) -> None:
        now = self.clock()
        last = self._last_logged.get(status.value)
        if last is not None and now - last < self.interval_seconds:
            self._left_out[status.value] = self._left_out.get(status.value, 0) + 1
            return
        self._last_logged[status.value] = now
        left_out = self._left_out.pop(status.value, 0)
        if left_out:
            self.logger.warning(
                "refused a request: %d %s (and %d more since the last such line)",
                status.value,
                status.phrase,
                left_out,
            )
        else:
            self.logger.warning("refused a request: %d %s", status.value, status.phrase)
