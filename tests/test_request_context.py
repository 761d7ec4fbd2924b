"""Request ids and the access log, in process: ids echoed or generated, on every log line."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from petsage.main import create_app
from petsage.observability.request_context import (
    Finished,
    FinishedRequests,
    current_request_id,
    is_event_stream,
    new_request_id,
    request_id_from,
)
from petsage.settings import Settings

GIVEN = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def app_with_test_routes(settings: Settings) -> FastAPI:
    app = create_app(settings)

    @app.get("/talk")
    async def talk() -> dict[str, str | None]:
        logging.getLogger("petsage.test").warning("inside the request")
        return {"request_id": current_request_id()}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("kaput")

    return app


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> TestClient:
    return TestClient(app_with_test_routes(make_settings()), raise_server_exceptions=False)


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """PetSage's JSON lines written to standard error so far (the test client logs too)."""
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]
    return [line for line in lines if line["logger"].startswith("petsage")]


def is_uuid4(value: str) -> bool:
    return uuid.UUID(value).version == 4 and str(uuid.UUID(value)) == value


def test_a_valid_request_id_is_echoed_lowercased(client: TestClient) -> None:
    response = client.get("/talk", headers={"X-Request-ID": GIVEN.upper()})

    assert response.headers["x-request-id"] == GIVEN
    assert response.json() == {"request_id": GIVEN}


@pytest.mark.parametrize(
    "given",
    [
        "not-a-uuid",
        "",
        GIVEN + "0",
        "{" + GIVEN + "}",
        "urn:uuid:" + GIVEN,
        GIVEN.replace("-", ""),
        GIVEN + "\n" + GIVEN,
    ],
)
def test_an_invalid_request_id_is_replaced(client: TestClient, given: str) -> None:
    response = client.get("/talk", headers={"X-Request-ID": given})

    generated = response.headers["x-request-id"]
    assert generated != given
    assert is_uuid4(generated)
    assert response.json() == {"request_id": generated}


def test_without_a_request_id_each_request_gets_a_new_one(client: TestClient) -> None:
    first = client.get("/").headers["x-request-id"]
    second = client.get("/").headers["x-request-id"]

    assert is_uuid4(first)
    assert is_uuid4(second)
    assert first != second


def test_request_id_of_the_first_header_only() -> None:
    headers = [(b"x-request-id", b"junk"), (b"x-request-id", GIVEN.encode())]

    assert request_id_from(headers) != GIVEN


def test_every_log_line_of_a_request_carries_its_id(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    client.get("/talk", headers={"X-Request-ID": GIVEN})

    lines = log_lines(capsys)
    assert [line["logger"] for line in lines] == ["petsage.test", "petsage.access"]
    assert {line["request_id"] for line in lines} == {GIVEN}


def test_access_line_fields(client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    client.head("/", headers={"X-Request-ID": GIVEN})

    (access,) = log_lines(capsys)
    assert access["logger"] == "petsage.access"
    assert access["level"] == "info"
    assert (access["method"], access["path"], access["status"]) == ("HEAD", "/", 200)
    assert access["client"] == "testclient"
    # The field and the message carry the same measured duration, in milliseconds.
    assert isinstance(access["duration_ms"], float)
    assert access["message"] == f"HEAD / 200 {access['duration_ms']:.2f}ms"


def test_probes_stay_out_of_the_access_log_by_default(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = client.get("/system/health")
    client.get("/system/health/no-such-probe")

    assert "x-request-id" in response.headers
    assert log_lines(capsys) == []


def test_probes_in_the_access_log_when_asked(
    make_settings: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    client = TestClient(create_app(make_settings(access_log_probes=True)))
    capsys.readouterr()

    client.get("/system/health")

    assert [line["path"] for line in log_lines(capsys)] == ["/system/health"]


def test_no_access_log_below_info(
    make_settings: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    client = TestClient(create_app(make_settings(log_level="warning")))
    capsys.readouterr()

    client.get("/")

    assert log_lines(capsys) == []


def test_an_unhandled_error_is_a_500_with_the_request_id_logged_as_such(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = client.get("/boom", headers={"X-Request-ID": GIVEN})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == GIVEN
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.json() == {
        "error": {"status": 500, "code": "internal_error", "message": "Internal server error."}
    }
    lines = log_lines(capsys)
    access = next(line for line in lines if line["logger"] == "petsage.access")
    assert access["status"] == 500
    error = next(line for line in lines if line["logger"] == "petsage.http.errors")
    assert error["request_id"] == GIVEN
    assert "RuntimeError: kaput" in error["exc_info"]
    assert "kaput" not in response.text


def test_the_lifespan_passes_through_untouched(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings())) as client:
        assert client.get("/").status_code == 200


def test_generated_ids_are_random_canonical_uuid4s() -> None:
    generated = [new_request_id() for _ in range(2000)]

    parsed = [uuid.UUID(value) for value in generated]
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in parsed)
    assert [str(u) for u in parsed] == generated
    assert len(set(generated)) == len(generated)
    # Every variant nibble (8, 9, a, b) turns up: the variant bits are set, not constant.
    assert {value[19] for value in generated} == set("89ab")


class Broken:
    include_probes = False

    def record_batch(self, finished: list[Finished]) -> None:
        raise RuntimeError("recorder out of order")


class Counting:
    include_probes = False

    def __init__(self) -> None:
        self.seen: list[Finished] = []

    def record_batch(self, finished: list[Finished]) -> None:
        self.seen += finished


def test_a_broken_recorder_costs_the_others_nothing(caplog: pytest.LogCaptureFixture) -> None:
    counting = Counting()
    requests = FinishedRequests([Broken(), counting])
    entry: Finished = (0.0, "GET", "/", 200, 0.001, None, GIVEN, None, False, None)

    async def finish_two() -> None:
        requests.add(entry)
        requests.add(entry)
        await asyncio.sleep(0)

    asyncio.run(finish_two())

    assert counting.seen == [entry, entry]
    assert "recording 2 finished requests failed" in caplog.text


@pytest.mark.parametrize(
    ("headers", "streamed"),
    [
        ([(b"content-type", b"text/event-stream; charset=utf-8")], True),
        ([(b"cache-control", b"no-store"), (b"content-type", b"text/event-stream")], True),
        ([(b"content-length", b"2"), (b"content-type", b"application/json")], False),
        ([(b"content-type", b"text/html")], False),
        ([], False),
    ],
)
def test_event_streams_are_told_by_their_content_type(
    headers: list[tuple[bytes, bytes]], streamed: bool
) -> None:
    assert is_event_stream(headers) is streamed
