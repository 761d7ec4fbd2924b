"""The one log schema: JSON lines and console lines, and a handler that installs idempotently."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from petsage.logs import (
    ConsoleFormatter,
    JsonFormatter,
    StderrHandler,
    configure_logging,
    utc_timestamp,
)
from petsage.request_context import _request_id
from petsage.settings import LogFormat, LogLevel

REQUEST_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def record(
    message: str = "hello %s", *args: object, name: str = "petsage.test", **extra: object
) -> logging.LogRecord:
    return logging.getLogger(name).makeRecord(
        name, logging.WARNING, __file__, 1, message, args or ("world",), None, extra=extra
    )


@pytest.fixture
def in_request() -> Iterator[None]:
    token = _request_id.set(REQUEST_ID)
    yield
    _request_id.reset(token)


def test_json_line_has_the_schema_fields_in_order() -> None:
    line = JsonFormatter().format(record())

    fields = json.loads(line)
    assert list(fields)[:5] == ["time", "level", "logger", "message", "request_id"]
    assert fields["level"] == "warning"
    assert fields["logger"] == "petsage.test"
    assert fields["message"] == "hello world"
    assert fields["request_id"] is None
    assert fields["time"].endswith("+00:00")
    assert "\n" not in line


@pytest.mark.usefixtures("in_request")
def test_json_line_carries_the_request_id_of_the_current_request() -> None:
    fields = json.loads(JsonFormatter().format(record()))

    assert fields["request_id"] == REQUEST_ID


def test_extra_fields_follow_and_odd_values_become_strings() -> None:
    when = datetime(2024, 1, 2, tzinfo=UTC)
    fields = json.loads(JsonFormatter().format(record(check="database", when=when)))

    assert fields["check"] == "database"
    assert fields["when"] == "2024-01-02 00:00:00+00:00"


def test_uvicorn_color_message_is_not_repeated() -> None:
    fields = json.loads(JsonFormatter().format(record(color_message="\x1b[1mhello\x1b[0m")))

    assert "color_message" not in fields


def test_exception_is_one_text_field() -> None:
    try:
        raise ValueError("bad value")
    except ValueError:
        failing = logging.getLogger("petsage.test").makeRecord(
            "petsage.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )

    fields = json.loads(JsonFormatter().format(failing))

    assert fields["exc_info"].startswith("Traceback (most recent call last)")
    assert "ValueError: bad value" in fields["exc_info"]


@pytest.mark.usefixtures("in_request")
def test_console_line_is_readable() -> None:
    line = ConsoleFormatter().format(record(check="database"))

    assert " WARNING  petsage.test: hello world check=database " in line
    assert line.endswith(f"[{REQUEST_ID}]")


def test_console_line_escapes_what_a_client_could_send() -> None:
    forged = "/x\n2026-12-01T13:40:00.000+00:00 CRITICAL petsage.security: forged"
    line = ConsoleFormatter().format(record("on %s", forged, agent="a\u2028b\x85c\x1b[0m"))

    assert "\n" not in line
    assert "on /x\\n2026-12-01T13:40:00.000+00:00 CRITICAL" in line
    assert "agent=a\\u2028b\\x85c\\x1b[0m" in line


def test_console_access_line_does_not_repeat_its_message() -> None:
    access = record(
        "%s %s %d",
        "GET",
        "/",
        200,
        name="petsage.access",
        method="GET",
        path="/",
        status=200,
        client="127.0.0.1",
    )

    line = ConsoleFormatter().format(access)

    assert line.endswith("petsage.access: GET / 200 client=127.0.0.1")


def test_handler_writes_to_the_current_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    swapped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", swapped)

    handler.emit(record())

    assert json.loads(swapped.getvalue())["message"] == "hello world"


@pytest.fixture
def restore_root() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_configure_is_idempotent_and_keeps_foreign_handlers(restore_root: logging.Logger) -> None:
    foreign = logging.NullHandler()
    restore_root.addHandler(foreign)

    configure_logging(LogLevel.WARNING, LogFormat.JSON)
    configure_logging(LogLevel.DEBUG, LogFormat.CONSOLE)

    ours = [h for h in restore_root.handlers if isinstance(h, StderrHandler)]
    assert len(ours) == 1
    assert isinstance(ours[0].formatter, ConsoleFormatter)
    assert foreign in restore_root.handlers
    assert restore_root.level == logging.DEBUG


def test_uvicorn_loggers_join_the_root_and_its_access_log_is_silenced(
    restore_root: logging.Logger,
) -> None:
    logging.getLogger("uvicorn.error").addHandler(logging.NullHandler())

    configure_logging(LogLevel.INFO, LogFormat.JSON)

    error = logging.getLogger("uvicorn.error")
    assert error.handlers == []
    assert error.propagate is True
    access = logging.getLogger("uvicorn.access")
    assert access.handlers == []
    assert access.propagate is False


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))
def test_timestamp_is_iso_8601_utc_to_the_millisecond(created: float) -> None:
    expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")

    assert utc_timestamp(created) == expected
