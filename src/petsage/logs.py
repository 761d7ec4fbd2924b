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
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TextIO

from petsage.request_context import current_request_id
from petsage.settings import LogFormat, LogLevel

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))
) | {"message", "asctime", "taskName", "color_message", "request_id"}
# uvicorn's loggers carry their own handlers by default; ours replace them. SQLAlchemy's
# propagate already (and SQLAlchemy keeps them at WARNING unless asked otherwise).
_ADOPTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi", "sqlalchemy")
# Named in the access line's message already; the console line does not repeat them.
_IN_ACCESS_MESSAGE = frozenset({"method", "path", "status", "duration_ms"})


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


class JsonFormatter(logging.Formatter):
    """One JSON object a line; values JSON cannot hold are written as their `str`."""

    def format(self, record: logging.LogRecord) -> str:
        fields = log_fields(record)
        if record.exc_info:
            fields["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            fields["stack_info"] = self.formatStack(record.stack_info)
        return _ENCODER.encode(fields)


class ConsoleFormatter(logging.Formatter):
    """`time LEVEL logger: message key=value ... [request id]`, traceback below."""

    def format(self, record: logging.LogRecord) -> str:
        fields = log_fields(record)
        line = f"{fields.pop('time')} {fields.pop('level').upper():<8} {fields.pop('logger')}: "
        line += str(fields.pop("message"))
        request_id = fields.pop("request_id")
        for key, value in fields.items():
            if record.name != "petsage.access" or key not in _IN_ACCESS_MESSAGE:
                line += f" {key}={value}"
        if request_id:
            line += f" [{request_id}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
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
