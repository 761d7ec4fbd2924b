"""Logging: one schema for PetSage's, uvicorn's and SQLAlchemy's records, on standard error.

Plain stdlib logging with one handler on the root logger; every other library's logger
propagates to it, so each line has the same shape whoever wrote it. `json` (the default)
writes one JSON object a line for log pipelines:

    {"time": "...", "level": "info", "logger": "petsage.access", "message": "GET / 200 1.20ms",
     "request_id": "...", "method": "GET", ...}

`time` is ISO 8601 in UTC, `request_id` is null outside a request, fields passed with
`extra=` follow, and `exc_info` holds the formatted traceback. `console` writes the same
content as one readable line for a terminal.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from contextlib import nullcontext
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TextIO

from petsage.observability.request_context import current_request_id
from petsage.settings import LogFormat, LogLevel

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))
) | {"message", "asctime", "taskName", "color_message", "request_id"}
# uvicorn's loggers carry their own handlers by default; ours replace them. SQLAlchemy's
# propagate already (and SQLAlchemy keeps them at WARNING unless asked otherwise).
_ADOPTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi", "sqlalchemy")
ACCESS_LOGGER = "petsage.access"
# Named in the access line's message already; the console line does not repeat them.
_IN_ACCESS_MESSAGE = frozenset({"method", "path", "status", "duration_ms"})
# Fields the console line shows in a place of their own rather than as key=value.
_CONSOLE_OWN_PLACE = frozenset(
    {"time", "level", "logger", "message", "request_id", "exc_info", "stack_info"}
)


# Characters that end or reshape a line on a terminal or in a line-based log collector: C0,
# DEL, C1 (NEL, U+0085, among them) and the Unicode line and paragraph separators. A request's
# path, query or headers may carry any of them (`%0a` decodes to a newline), and a console
# line that printed them raw would let a client forge log lines. Written as Python escapes.
_CONSOLE_ESCAPES = {
    code: ascii(chr(code))[1:-1] for code in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
}


def console_safe(text: str) -> str:
    """`text` with every line-breaking or control character escaped (`\\n`, `\\x1b`)."""
    return text.translate(_CONSOLE_ESCAPES)


# One encoder for every line: `json.dumps` with options builds a new one on each call.
_ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)


def log_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields of one line, in schema order, before rendering."""
    fields: dict[str, Any] = {
        "time": utc_timestamp(record.created),
        "level": record.levelname.lower(),
        "logger": record.name,
        "message": record.getMessage(),
        "request_id": getattr(record, "request_id", None) or current_request_id(),
    }
    for key, value in record.__dict__.items():
        if key not in _STANDARD_ATTRIBUTES:
            fields[key] = value
    return fields


@lru_cache(maxsize=4)
def _utc_second(epoch_second: int) -> str:
    return datetime.fromtimestamp(epoch_second, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def utc_timestamp(created: float) -> str:
    """ISO 8601 in UTC to the millisecond, as `datetime.isoformat` writes it. The part up to
    the second is computed once a second: an access line per request would otherwise pay for
    a whole datetime each time."""
    # Rounded to the microsecond first, the way datetime.fromtimestamp rounds.
    fraction, whole = math.modf(created)
    second, micros = int(whole), round(fraction * 1_000_000)
    if micros >= 1_000_000:
        second, micros = second + 1, micros - 1_000_000
    return f"{_utc_second(second)}.{micros // 1000:03d}+00:00"


class SchemaFormatter(logging.Formatter):
    """Renders the fields of `log_fields`; subclasses choose how. The access log renders its
    own fields through `render` too, so that its lines cannot drift from the schema."""

    def format(self, record: logging.LogRecord) -> str:
        fields = log_fields(record)
        if record.exc_info:
            fields["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            fields["stack_info"] = self.formatStack(record.stack_info)
        return self.render(fields)

    def render(self, fields: dict[str, Any]) -> str:
        raise NotImplementedError


class JsonFormatter(SchemaFormatter):
    """One JSON object a line; values JSON cannot hold are written as their `str`."""

    def render(self, fields: dict[str, Any]) -> str:
        return _ENCODER.encode(fields)


class ConsoleFormatter(SchemaFormatter):
    """`time LEVEL logger: message key=value ... [request id]`, traceback below."""

    def render(self, fields: dict[str, Any]) -> str:
        # Everything on the line is escaped, the message and each value alike: any of them may
        # hold text a client sent. The traceback below is many lines on purpose.
        logger = fields["logger"]
        head = f"{fields['time']} {fields['level'].upper():<8} {logger}: {fields['message']}"
        line = console_safe(head)
        for key, value in fields.items():
            if key in _CONSOLE_OWN_PLACE or (logger == ACCESS_LOGGER and key in _IN_ACCESS_MESSAGE):
                continue
            line += console_safe(f" {key}={value}")
        if fields["request_id"]:
            line += console_safe(f" [{fields['request_id']}]")
        for key in ("exc_info", "stack_info"):
            if key in fields:
                line += "\n" + str(fields[key])
        return line


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is at the time of the call, not at creation.

    Test runners swap `sys.stderr` per test; a handler holding the first one would write to
    a closed file later on.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass

    def format_fields(self, fields: dict[str, Any]) -> str:
        """`fields` as this handler writes a record with those fields (see `direct_handler`)."""
        formatter = self.formatter
        assert isinstance(formatter, SchemaFormatter)
        return formatter.render(fields)

    def write_lines(self, lines: list[str]) -> None:
        """Write lines formatted elsewhere in one go (one system call), under the handler's
        lock so that they do not interleave with another thread's record."""
        text = self.terminator.join(lines) + self.terminator
        with self.lock or nullcontext():
            try:
                self.stream.write(text)
                self.flush()
            except (OSError, ValueError):
                # A closed or broken stream: there is nowhere left to report it to.
                pass


def direct_handler(logger: logging.Logger) -> StderrHandler | None:
    """Our handler, when it is the only place a record of `logger` at INFO would go and
    nothing could filter or reshape it on the way; else None (someone configured more)."""
    if logger.disabled or logger.filters:
        return None
    handlers: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        handlers.extend(current.handlers)
        current = current.parent if current.propagate else None
    if len(handlers) != 1 or not isinstance(handlers[0], StderrHandler):
        return None
    handler = handlers[0]
    if handler.filters or handler.level > logging.INFO:
        return None
    return handler if isinstance(handler.formatter, SchemaFormatter) else None


# Libraries that log at INFO on every health round: an HTTP check's request line, Alembic's
# context banner each time the migrations check reads the revision. Warnings still show.
_QUIETED_LOGGERS = {
    "httpx2": logging.WARNING,
    "httpcore": logging.WARNING,
    "alembic.runtime.migration": logging.WARNING,
    # Newer Alembic announces each plugin it sets up, once per migration run, at INFO.
    "alembic.runtime.plugins": logging.WARNING,
}


def configure_logging(level: LogLevel, log_format: LogFormat) -> None:
    """Install PetSage's handler on the root logger, replacing an earlier one of ours.

    Idempotent, so every place that may run first (the CLI, each worker's app factory) can
    call it. Handlers that are not ours (a test runner's capture) stay in place.
    """
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if log_format is LogFormat.JSON else ConsoleFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.value.upper())
    for name in _ADOPTED_LOGGERS:
        adopted = logging.getLogger(name)
        adopted.handlers.clear()
        adopted.propagate = True
    # PetSage writes its own access log (petsage.access), with request ids; uvicorn's would
    # be a second line for every request.
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    for name, quiet_level in _QUIETED_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet_level)
