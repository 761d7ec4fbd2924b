"""The parts under petsage/http/protocol.py that an upgrade or a clock could silently change.

`LimitedHttpProtocol` subclasses uvicorn's `HttpToolsProtocol` and overrides, calls and sets
its internals, and relies on the order of httptools' callbacks for trailers; pyproject.toml
pins both to a tested range, and these tests make a changed name or order fail here, loudly,
rather than as a refused or unbounded request at run time. The refusal log's throttle is
checked with a clock of its own; tests/test_http_limits.py checks it on a real server.
"""

from __future__ import annotations

import asyncio
import http
import inspect
import logging
from typing import Any

import httptools
import pytest
from uvicorn.protocols.http.httptools_impl import (
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)
from uvicorn.server import ServerState

from petsage.http.limits import HttpLimits
from petsage.http.protocol import LimitedConfig, LimitedHttpProtocol
from petsage.http.refusing import RefusalLog

# Methods of uvicorn's protocol that ours overrides (and calls through super()) or calls.
OVERRIDDEN = (
    "connection_made",
    "connection_lost",
    "data_received",
    "on_message_begin",
    "on_url",
    "on_header",
    "on_headers_complete",
    "on_body",
    "on_message_complete",
    "on_response_complete",
)
CALLED = (
    "_unset_keepalive_if_required",
    "_should_upgrade",
    "handle_websocket_upgrade",
    "_unsupported_upgrade_warning",
)
# Attributes of uvicorn's protocol that ours reads or writes.
PROTOCOL_ATTRIBUTES = (
    "parser",
    "cycle",
    "pipeline",
    "connections",
    "server_state",
    "headers",
    "url",
    "loop",
    "transport",
    "flow",
)
CYCLE_ATTRIBUTES = ("disconnected", "message_event", "response_started", "response_complete")
LIMITS = HttpLimits(
    max_header_bytes=8192,
    header_timeout_seconds=1,
    max_body_bytes=65536,
    body_timeout_seconds=1,
    max_connections=10,
)


async def no_app(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("never called")


def test_the_uvicorn_methods_overridden_and_called_exist() -> None:
    for name in OVERRIDDEN + CALLED:
        assert callable(getattr(HttpToolsProtocol, name, None)), name
    # The status lines a refusal writes.
    assert {400, 408, 413, 414, 431, 503} <= set(STATUS_LINE)


def parameters(method: object) -> list[str]:
    return list(inspect.signature(method).parameters)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["__init__", *OVERRIDDEN])
def test_each_override_takes_what_uvicorns_method_takes(name: str) -> None:
    # uvicorn calls these (httptools' callbacks, asyncio's protocol methods, the server's
    # factory) with its own arguments: a parameter added or renamed there must fail here.
    assert parameters(getattr(LimitedHttpProtocol, name)) == parameters(
        getattr(HttpToolsProtocol, name)
    )


@pytest.mark.parametrize("name", CALLED)
def test_the_uvicorn_methods_called_take_no_argument(name: str) -> None:
    assert parameters(getattr(HttpToolsProtocol, name)) == ["self"]


def test_the_uvicorn_attributes_read_and_written_exist() -> None:
    loop = asyncio.new_event_loop()
    try:
        config = LimitedConfig(no_app, LIMITS, log_config=None)
        protocol = LimitedHttpProtocol(config, ServerState(), {}, loop)
        for name in PROTOCOL_ATTRIBUTES:
            assert hasattr(protocol, name), name
        cycle = RequestResponseCycle(
            scope={},  # type: ignore[typeddict-item]
            transport=None,  # type: ignore[arg-type]
            flow=None,  # type: ignore[arg-type]
            logger=logging.getLogger("test"),
            access_logger=logging.getLogger("test"),
            access_log=False,
            default_headers=[],
            message_event=asyncio.Event(),
            expect_100_continue=False,
            keep_alive=True,
            on_response=lambda: None,
        )
        for name in CYCLE_ATTRIBUTES:
            assert hasattr(cycle, name), name
    finally:
        loop.close()


class Recorder:
    """httptools' callbacks, in the order they come."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def on_header(self, name: bytes, _: bytes) -> None:
        self.events.append(f"header {name.decode()}")

    def on_headers_complete(self) -> None:
        self.events.append("headers_complete")

    def on_body(self, _: bytes) -> None:
        self.events.append("body")

    def on_chunk_header(self) -> None:
        self.events.append("chunk_header")

    def on_chunk_complete(self) -> None:
        self.events.append("chunk_complete")

    def on_message_complete(self) -> None:
        self.events.append("message_complete")


def test_httptools_reports_trailers_after_the_last_chunk_header() -> None:
    """The protocol tells a trailer from a header by its coming after `on_headers_complete`,
    and counts the bytes after a chunk header without data as trailers."""
    recorder = Recorder()
    parser = httptools.HttpRequestParser(recorder)
    head = b"POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n"
    for piece in (head + b"3\r\nabc\r\n", b"0\r\n", b"x-trailer: ", b"b\r\n\r\n"):
        parser.feed_data(piece)

    assert recorder.events == [
        "header host",
        "header transfer-encoding",
        "headers_complete",
        "chunk_header",
        "body",
        "chunk_complete",
        "chunk_header",
        "header x-trailer",
        "chunk_complete",
        "message_complete",
    ]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_refusal_log_writes_one_line_per_status_and_second(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    log = RefusalLog(logging.getLogger("test.refusals"), clock=clock)
    caplog.set_level(logging.WARNING, "test.refusals")

    for _ in range(180):
        log.refused(http.HTTPStatus.SERVICE_UNAVAILABLE)
        clock.now += 0.005
    log.refused(http.HTTPStatus.REQUEST_TIMEOUT)
    clock.now += 1
    log.refused(http.HTTPStatus.SERVICE_UNAVAILABLE)

    assert [record.getMessage() for record in caplog.records] == [
        "refused a request: 503 Service Unavailable",
        "refused a request: 408 Request Timeout",
        "refused a request: 503 Service Unavailable (and 179 more since the last such line)",
    ]
