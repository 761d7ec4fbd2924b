"""uvicorn's httptools protocol with the limits it lacks, over the whole request.

httptools, which we run for speed, bounds nothing: its parser builds a header (or trailer) value
for as long as the client sends it, and uvicorn appends trailer fields to the scope's headers
(500 MiB on one connection; a trailer `Authorization` unlocked details). uvicorn times neither
head nor body (every byte cancels its keep-alive timer), so trickling holds a connection for
ever, and its `limit_concurrency` is load shedding, not admission. This subclass:

- refuses a head over the cap with 431 (414 for the target alone), and answers 408 when it is
  not in within the head timeout, counted from its first byte;
- refuses 400 an HTTP/1.1 request with no `Host`, or any with two (RFC 9112 §3.2);
- refuses 413 a body over the cap, at the head for a `Content-Length`, while counting otherwise
  (a chunked body's framing and trailers count too), and ends a body not in within the body
  timeout, counted from the end of the head (408 if no answer has started);
- drops trailer fields (RFC 9110 §6.5.1) and bounds them by the head's cap (431);
- answers 503 on connections accepted beyond the cap while the ones before it go on.

A refusal of a pipelined request waits for the answers to the requests before it.
"""

from __future__ import annotations

import asyncio
import http
import logging
from typing import Any

import httptools
from uvicorn import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from petsage.http.deadline import Deadline
from petsage.http.limits import HttpLimits
from petsage.http.refusals import BODY_TIMEOUT, REFUSALS
from petsage.http.refusing import RefusalLog, RefusedError, plain_refusal

Status = http.HTTPStatus


class LimitedConfig(Config):
    """uvicorn's `Config` carrying our limits to each protocol, in workers too (it is pickled)."""

    def __init__(self, app: Any, limits: HttpLimits, **kwargs: Any) -> None:
        super().__init__(app, http=LimitedHttpProtocol, **kwargs)
        self.http_limits = limits
        # One per process, shared by its connections: the throttle is per process.
        self.refusal_log = RefusalLog(logging.getLogger("uvicorn.error"))


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
        self.refusal_log = config.refusal_log
        self.url = b""
        # Decided once, on accept: the connections admitted before stay served.
        self.over_capacity = False
        # Once refused, nothing more is parsed; a refusal waiting for earlier answers.
        self.refusing = False
        self.deferred_refusal: http.HTTPStatus | None = None
        # From the end of one request (or the accept) until the next request's head is in.
        self.awaiting_head = True
        self.head_bytes = 0
        # The loop's time at the awaited head's first byte. Its deadline is armed only if the
        # head is still unfinished after a read: a head that comes whole costs no timer.
        self.head_started: float | None = None
        self.head_deadline = Deadline(
            self.loop, self.limits.header_timeout_seconds, self._head_timed_out
        )
        # The buffer being parsed: its size, whether it is in `head_bytes` for the head awaited,
        # and how many of its bytes on_body has seen.
        self.buffer_size = 0
        self.buffer_counted = False
        self.buffer_body_bytes = 0
        self.messages_completed = 0
        # From the end of the head until the end of the message.
        self.body_bytes = 0
        self.body_deadline = Deadline(
            self.loop, self.limits.body_timeout_seconds, self._body_timed_out
        )
        # A chunk header seen and none of its data: the last chunk, whose trailers follow.
        self.in_last_chunk = False
        self.trailer_field_bytes = 0
        self.trailer_wire_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.over_capacity = len(self.connections) >= self.limits.max_connections
        super().connection_made(transport)
        self.head_deadline.start(self.loop.time())

    def connection_lost(self, exc: Exception | None) -> None:
        self.head_deadline.cancel()
        self.body_deadline.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refusing:
            return
        if self.over_capacity:
            self.refuse(Status.SERVICE_UNAVAILABLE)
            return
        size = self.buffer_size = len(data)
        self.buffer_counted = self.awaiting_head
        if self.awaiting_head:
            self.head_bytes += size
            if self.head_started is None:
                self.head_started = self.loop.time()
        in_body, in_last_chunk = not self.awaiting_head, self.in_last_chunk
        completed = self.messages_completed
        self.buffer_body_bytes = 0
        self._unset_keepalive_if_required()
        # uvicorn's own `data_received`, except for what we refuse.
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            refusal = exc.__context__
            self.refuse(refusal.status if isinstance(refusal, RefusedError) else Status.BAD_REQUEST)
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if not self.refusing:
            self._check_buffer(in_body and self.messages_completed == completed, in_last_chunk)

    def _check_buffer(self, all_in_body: bool, in_last_chunk: bool) -> None:
        """After a buffer is parsed: the limits the parser callbacks cannot check."""
        # The parser keeps an unfinished header in memory: stop it here, not at the end.
        if self.awaiting_head:
            if self.head_bytes > self.limits.max_header_bytes:
                self.refuse(Status.REQUEST_HEADER_FIELDS_TOO_LARGE)
            elif self.head_started is not None:
                self.head_deadline.start(self.head_started)
            return
        size = self.buffer_size
        if all_in_body:
            # All of the buffer is this message's: what on_body did not see is chunk framing or
            # trailers, and all of it trailers if the last chunk's header came before it.
            self.body_bytes += size - self.buffer_body_bytes
            if in_last_chunk and self.in_last_chunk and not self.buffer_body_bytes:
                self.trailer_wire_bytes += size
        if self.body_bytes > self.limits.max_body_bytes:
            self.refuse(Status.REQUEST_ENTITY_TOO_LARGE)
        elif self.trailer_wire_bytes > self.limits.max_header_bytes:
            self.refuse(Status.REQUEST_HEADER_FIELDS_TOO_LARGE)
        elif not self.pipeline:
            # The body is being read (a request queued behind another is not: uvicorn paused).
            self.body_deadline.start(self.loop.time())

    # --- parser callbacks ---------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self.buffer_counted:
            # A head beginning inside a buffer, after a request that ended in it: counted from
            # the rest of the buffer, less the body bytes before it. That can over-count the
            # heads and chunk framing of earlier requests in the same read (at most one read,
            # and only for a client that pipelines), never under-count this one.
            self.buffer_counted = True
            self.head_bytes = self.buffer_size - self.buffer_body_bytes
            self.head_started = self.loop.time()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.limits.max_header_bytes:
            raise RefusedError(Status.REQUEST_URI_TOO_LONG)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.awaiting_head:
            super().on_header(name, value)
            return
        # A trailer field: never a request header, and bounded as a head is.
        self.trailer_field_bytes += len(name) + len(value) + 4
        if self.trailer_field_bytes > self.limits.max_header_bytes:
            raise RefusedError(Status.REQUEST_HEADER_FIELDS_TOO_LARGE)

    def on_headers_complete(self) -> None:
        # A head that came in one read is measured here, from what the parser gave us.
        size, hosts, length = len(self.url), 0, b""
        for name, value in self.headers:
            size += len(name) + len(value) + 4
            if name == b"host":
                hosts += 1
            elif name == b"content-length":
                length = value
        if size > self.limits.max_header_bytes:
            raise RefusedError(Status.REQUEST_HEADER_FIELDS_TOO_LARGE)
        if hosts > 1 or (not hosts and self.parser.get_http_version() == "1.1"):
            raise RefusedError(Status.BAD_REQUEST)
        # llhttp has checked the digits (and refused two lengths).
        if length.isdigit() and int(length) > self.limits.max_body_bytes:
            raise RefusedError(Status.REQUEST_ENTITY_TOO_LARGE)
        self.awaiting_head = False
        self.head_started = None
        self.head_deadline.cancel()
        self.body_bytes = self.trailer_field_bytes = self.trailer_wire_bytes = 0
        self.in_last_chunk = False
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self.in_last_chunk = False
        self.buffer_body_bytes += len(body)
        self.body_bytes += len(body)
        if self.body_bytes > self.limits.max_body_bytes:
            raise RefusedError(Status.REQUEST_ENTITY_TOO_LARGE)
        super().on_body(body)

    def on_chunk_header(self) -> None:
        self.in_last_chunk = True

    def on_chunk_complete(self) -> None:
        self.in_last_chunk = False

    def on_message_complete(self) -> None:
        self.awaiting_head = True
        self.head_bytes = 0
        # The buffer's bytes counted so far were this message's, not the next head's.
        self.buffer_counted = False
        self.messages_completed += 1
        self.body_deadline.cancel()
        super().on_message_complete()

    # --- answers ------------------------------------------------------------------------------

    def on_response_complete(self) -> None:
        queued = bool(self.pipeline)
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self.deferred_refusal is not None:
            if not queued:
                self._unset_keepalive_if_required()
                self._send_refusal(self.deferred_refusal)
        elif self.head_deadline.armed:
            # A pipelined head is on its way: its deadline governs, not keep-alive's.
            self._unset_keepalive_if_required()
        elif not self.awaiting_head and not self.pipeline:
            # The request queued behind the answer just sent now reads its body.
            self.body_deadline.start(self.loop.time())

    def refuse(self, status: http.HTTPStatus, reason: str | None = None) -> None:
        """Answer `status` as plain text and close, after the answers to earlier requests."""
        if self.refusing or self.transport.is_closing():
            return
        self.refusing = True
        self.refusal_log.refused(status)
        REFUSALS.count(status.value, reason)
        self.head_deadline.cancel()
        self.body_deadline.cancel()
        cycle = self.cycle
        if not self.awaiting_head and cycle is not None:
            # The request refused is the one `cycle` serves: its body went wrong.
            if self.pipeline and self.pipeline[0][0] is cycle:
                self.pipeline.popleft()  # queued behind an earlier answer: never started
            else:
                # Its app's receive() now gets http.disconnect and its send() writes nothing.
                cycle.disconnected = True
                cycle.message_event.set()
                if cycle.response_started:
                    # A status line after (part of) an answer would garble it: only close.
                    self.transport.close()
                else:
                    self._send_refusal(status)
                return
        if cycle is not None and not cycle.response_complete:
            # Earlier requests are being answered: their answers go first (on_response_complete).
            self.deferred_refusal = status
            return
        self._send_refusal(status)

    def _send_refusal(self, status: http.HTTPStatus) -> None:
        self.transport.write(plain_refusal(status, self.server_state.default_headers))
        self.transport.close()

    # --- deadlines ----------------------------------------------------------------------------

    def _head_timed_out(self) -> None:
        self.refuse(Status.REQUEST_TIMEOUT)

    def _body_timed_out(self) -> None:
        self.refuse(Status.REQUEST_TIMEOUT, BODY_TIMEOUT)
