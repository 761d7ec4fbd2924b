"""The access log's fast path writes exactly what `logging` would, and steps aside whenever
anything else listens."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from petsage.auth.principal import Principal
from petsage.main import create_app
from petsage.observability.access_log import access_fields, access_json, access_message
from petsage.observability.logs import (
    ACCESS_LOGGER,
    ConsoleFormatter,
    JsonFormatter,
    SchemaFormatter,
    StderrHandler,
    configure_logging,
    direct_handler,
    utc_timestamp,
)
from petsage.observability.request_context import Finished
from petsage.settings import LogFormat, LogLevel, Settings

REQUEST_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
FIELDS: dict[str, Any] = {
    "method": "GET",
    "path": '/pets/"rex"/ünïcode',
    "status": 200,
    "duration_ms": 1.5,
    "client": "10.0.0.7",
}


@contextmanager
def only_our_handler() -> Iterator[StderrHandler]:
    """The production set-up: PetSage's handler alone on the root logger. Entered in the test
    body: pytest adds its capture handlers to the root logger anew for each test phase."""
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    configure_logging(LogLevel.INFO, LogFormat.JSON)
    ours = [h for h in root.handlers if isinstance(h, StderrHandler)]
    root.handlers[:] = ours
    try:
        yield ours[0]
    finally:
        root.handlers[:] = saved
        root.setLevel(level)


@pytest.mark.parametrize("formatter", [JsonFormatter(), ConsoleFormatter()])
def test_fast_line_equals_the_logging_line(formatter: SchemaFormatter) -> None:
    created = 1_700_000_000.25
    message = access_message("GET", FIELDS["path"], 200, 1.5)
    record = logging.getLogger(ACCESS_LOGGER).makeRecord(
        ACCESS_LOGGER, logging.INFO, __file__, 0, message, (), None, extra=dict(FIELDS)
    )
    record.created = created
    record.request_id = REQUEST_ID
    fast = {
        "time": utc_timestamp(created),
        "level": "info",
        "logger": ACCESS_LOGGER,
        "message": message,
        "request_id": REQUEST_ID,
        **FIELDS,
    }

    assert formatter.render(fast) == formatter.format(record)


def test_direct_handler_is_ours_only_when_alone() -> None:
    access = logging.getLogger(ACCESS_LOGGER)
    with only_our_handler() as ours:
        alone = direct_handler(access)
        with extra_handler_on("petsage"):
            beside_another = direct_handler(access)
        ours.addFilter(lambda _: True)
        filtered = direct_handler(access)
        ours.filters.clear()
        ours.setLevel(logging.WARNING)
        above_info = direct_handler(access)

    assert alone is ours
    assert beside_another is None
    assert filtered is None
    assert above_info is None


@contextmanager
def extra_handler_on(name: str) -> Iterator[None]:
    extra = logging.NullHandler()
    logging.getLogger(name).addHandler(extra)
    try:
        yield
    finally:
        logging.getLogger(name).removeHandler(extra)


def test_under_a_test_runner_lines_go_through_logging(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        client.get("/", headers={"X-Request-ID": REQUEST_ID})
        # Recorded at the end of the server loop's turn, which runs in the client's thread.
        deadline = time.monotonic() + 5
        while not access_records(caplog) and time.monotonic() < deadline:
            time.sleep(0.01)

    (record,) = access_records(caplog)
    assert record.getMessage().startswith("GET / 200 ")
    assert record.__dict__["request_id"] == REQUEST_ID


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == ACCESS_LOGGER]


def lines_written(capsys: pytest.CaptureFixture[str], count: int) -> list[dict[str, Any]]:
    """The fast path writes at the end of the event-loop turn: wait for `count` lines."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 5
    while len(seen) < count and time.monotonic() < deadline:
        err = capsys.readouterr().err
        lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        seen += [line for line in lines if line["logger"] == ACCESS_LOGGER]
        time.sleep(0.01)
    return seen


def test_fast_path_writes_one_json_line_per_request(
    make_settings: Callable[..., Settings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = TestClient(create_app(make_settings()))
    with only_our_handler():
        capsys.readouterr()
        for _ in range(3):
            client.get("/", headers={"X-Request-ID": REQUEST_ID})
        lines = lines_written(capsys, 3)

    assert [line["logger"] for line in lines] == [ACCESS_LOGGER] * 3
    assert {line["request_id"] for line in lines} == {REQUEST_ID}
    assert all(line["message"].startswith("GET / 200 ") for line in lines)
    assert list(lines[0]) == [
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "client",
    ]


entries = st.tuples(
    st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False),
    st.sampled_from(["GET", "HEAD", "POST", "BREW"]),
    st.text(min_size=1),
    st.integers(min_value=100, max_value=599),
    st.floats(min_value=0, max_value=3600, allow_nan=False),
    st.none() | st.text(),
    st.uuids().map(str),
    st.none(),
    st.booleans(),
    st.none() | st.builds(Principal, st.text(), st.none() | st.text(), st.just(frozenset())),
)


@given(entries)
def test_the_fast_json_line_is_the_formatters_line(entry: Finished) -> None:
    assert access_json(entry) == JsonFormatter().render(access_fields(entry))
