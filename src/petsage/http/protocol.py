"""uvicorn's httptools protocol with the limits it lacks: header size, header time, connections.

uvicorn's h11 protocol caps an incomplete request (`h11_max_incomplete_event_size`), but
httptools, which we run for speed, has no cap at all: its parser concatenates a header value
for as long as the client sends it, so one 100 MB header cost 150 MiB of RSS. Nor does uvicorn
time the headers (its keep-alive timer starts only after a first response), so a client that
trickles a header holds its connection for ever. And uvicorn's `limit_concurrency` is load
shedding, not admission: past the limit every request gets 503, on the connections it already
serves too. This subclass counts the bytes of each request's head and refuses it with 431 as
soon as it passes the cap, closes a connection whose head is not in after the timeout (408),
and answers 503 on connections accepted beyond the cap while the ones before it go on.
"""

from __future__ import annotations

import asyncio
import http
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from petsage.settings import Settings


@dataclass(frozen=True)
class HttpLimits:
    max_header_bytes: int
    header_timeout_seconds: float
    max_connections: int

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpLimits:
        return cls(
            max_header_bytes=settings.http_max_header_bytes,
            header_timeout_seconds=settings.http_header_timeout_seconds,
            max_connections=settings.http_max_connections,
        )


class LimitedConfig(Config):
    """uvicorn's `Config` carrying our limits to each protocol, in workers too (it is pickled)."""

    def __init__(self, app: Any, limits: HttpLimits, **kwargs: Any) -> None:
        super().__init__(app, http=LimitedHttpProtocol, **kwargs)
        self.http_limits = limits


class HeadTooLargeError(Exception):
    """Raised from a parser callback: the only way to stop httptools in the middle of a buffer."""


class LimitedHttpProtocol(HttpToolsProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if not isinstance(config, LimitedConfig):
            raise TypeError("LimitedHttpProtocol needs a LimitedConfig")
        super().__init__(config, server_state, app_state, _loop)
        self.limits = config.http_limits
        # Decided once, on accept: the connections admitted before stay served.
        self.over_capacity = False
        # From the end of one request (or the accept) until the next request's head is in.
        self.awaiting_head = True
        self.head_bytes = 0
        self.head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.over_capacity = len(self.connections) >= self.limits.max_connections
        super().connection_made(transport)
        self._start_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.over_capacity:
            self.refuse(http.HTTPStatus.SERVICE_UNAVAILABLE)
            return
        if self.awaiting_head:
            self.head_bytes += len(data)
            self._start_head_deadline()
        self._unset_keepalive_if_required()
        # uvicorn's own `data_received`, except for the head that is too large.
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if isinstance(exc.__context__, HeadTooLargeError):
                self.refuse(http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        # The parser keeps an unfinished header in memory: stop it here, not at the end.
        if self.awaiting_head and self.head_bytes > self.limits.max_header_bytes:
            self.refuse(http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)

    def on_headers_complete(self) -> None:
        self.awaiting_head = False
        self._cancel_head_deadline()
        # A head that came in one read is measured here, from what the parser gave us.
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.limits.max_header_bytes:
            raise HeadTooLargeError
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.awaiting_head = True
        self.head_bytes = 0
        super().on_message_complete()

    def refuse(self, status: http.HTTPStatus) -> None:
        """Answer `status` as plain text, then close the connection."""
        self.logger.warning("refused a request: %d %s", status.value, status.phrase)
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined request went wrong while an earlier response is being written:
            # a status line in the middle of it would garble both, so only close.
            self.transport.close()
            return
        body = status.phrase.encode("ascii")
        head = [STATUS_LINE[status.value]]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head.append(b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n")
        head.append(b"content-length: %d\r\n\r\n" % len(body))
        self.transport.write(b"".join(head) + body)
        self.transport.close()

    def _start_head_deadline(self) -> None:
        if self.head_deadline is None:
            self.head_deadline = self.loop.call_later(
                self.limits.header_timeout_seconds, self._head_timed_out
            )

    def _cancel_head_deadline(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_timed_out(self) -> None:
        self.head_deadline = None
        if not self.transport.is_closing():
            self.refuse(http.HTTPStatus.REQUEST_TIMEOUT)
