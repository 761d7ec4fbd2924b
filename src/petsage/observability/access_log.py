"""The access log: one line per request on the `petsage.access` logger, in the one schema.

Going through `Logger.handle` for every request costs about 50 us of CPU in a loaded uvicorn
worker (a LogRecord, the handler chain, a formatter, a system call): half of what FastAPI
spends answering `GET /`. So when PetSage's own handler is the only place the line would go
(the normal set-up, see `petsage.observability.logs.direct_handler`), a request only appends
its facts to a list; at the end of the event-loop turn the lines of every request finished in
it are rendered by that handler's formatter, from the same fields a LogRecord would carry,
and written in one system call. When anything else listens (an extra handler, a filter, a test's
log capture) each line goes through `logging` as usual. The line is the same either way.
"""

from __future__ import annotations

import logging
from json.encoder import encode_basestring as _json
from typing import Any

from petsage.http.probes import NO_PROBES, ProbePaths
from petsage.observability.logs import (
    ACCESS_LOGGER,
    JsonFormatter,
    direct_handler,
    utc_timestamp,
)
from petsage.observability.request_context import Finished

logger = logging.getLogger(ACCESS_LOGGER)
# Passed to a LogRecord with `extra=`; `request_id` is one, so the record does not look
# the (by then reset) context variable up.
_EXTRA_FIELDS = (
    *("request_id", "method", "path", "status", "duration_ms", "client"),
    *("subject", "client_id"),
)


class AccessLog:
    """The access log, a `Recorder`: one line per finished request, probes only if
    `include_probes`."""

    def __init__(
        self, *, include_probes: bool = False, probe_paths: ProbePaths = NO_PROBES
    ) -> None:
        self.include_probes = include_probes
        self.probe_paths = probe_paths

    def record_batch(self, finished: list[Finished]) -> None:
        if not logger.isEnabledFor(logging.INFO):
            return
        if not self.include_probes:
            finished = [entry for entry in finished if entry[2] not in self.probe_paths]
        handler = direct_handler(logger)
        if handler is None:
            for entry in finished:
                _through_logging(entry)
        elif type(handler.formatter) is JsonFormatter:
            handler.write_lines([access_json(entry) for entry in finished])
        else:
            handler.write_lines([handler.format_fields(access_fields(e)) for e in finished])


def _through_logging(entry: Finished) -> None:
    fields = access_fields(entry)
    # makeRecord and handle are what `info` does, minus the stack walk that looks for a
    # caller's file and line that the line never shows.
    record = logger.makeRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        0,
        fields.pop("message"),
        (),
        None,
        extra={key: fields[key] for key in _EXTRA_FIELDS if key in fields},
    )
    record.created = entry[0]
    logger.handle(record)


def access_fields(entry: Finished) -> dict[str, Any]:
    """The fields of the access line of `entry`, in schema order."""
    created, method, path, status, seconds, client, request_id, _, _, caller = entry
    duration_ms = round(seconds * 1000, 2)
    fields = {
        "time": utc_timestamp(created),
        "level": "info",
        "logger": ACCESS_LOGGER,
        "message": access_message(method, path, status, duration_ms),
        "request_id": request_id,
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": duration_ms,
        "client": client,
    }
    if caller is not None:
        # Who the access token named, never the token (issue 18, "audit without leaks").
        fields["subject"], fields["client_id"] = caller.subject, caller.client_id
    return fields


def access_json(entry: Finished) -> str:
    """`JsonFormatter().render(access_fields(entry))`, three times faster: the keys are known,
    so only the values are encoded (the same way: the tests compare the two)."""
    created, method, path, status, seconds, client, request_id, _, _, caller = entry
    duration_ms = round(seconds * 1000, 2)
    message = access_message(method, path, status, duration_ms)
    line = (
        f'{{"time": "{utc_timestamp(created)}", "level": "info", "logger": "{ACCESS_LOGGER}", '
        f'"message": {_json(message)}, "request_id": {_json(request_id)}, '
        f'"method": {_json(method)}, "path": {_json(path)}, "status": {status!r}, '
        f'"duration_ms": {duration_ms!r}, "client": {"null" if client is None else _json(client)}'
    )
    if caller is None:
        return line + "}"
    client_id = "null" if caller.client_id is None else _json(caller.client_id)
    return f'{line}, "subject": {_json(caller.subject)}, "client_id": {client_id}}}'


def access_message(method: str, path: str, status: int, duration_ms: float) -> str:
    return f"{method} {path} {status} {duration_ms:.2f}ms"
