"""The OpenAPI document tells the truth: HEAD is documented where it is served, and the health
token is optional, as anonymous access is by design."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from petsage.http.error_models import ValidationErrorResponse
from petsage.http.openapi import head_operation
from petsage.main import create_app
from petsage.settings import Settings


def test_every_get_operation_has_a_head_twin(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert paths
    for path, operations in paths.items():
        assert "head" in operations, path
        assert operations["head"] == head_operation(operations["get"])
        assert operations["head"]["operationId"] != operations["get"]["operationId"]
        assert operations["head"]["summary"].endswith("(headers only)")
        assert all("content" not in reply for reply in operations["head"]["responses"].values())


def test_head_keeps_the_parameters_and_statuses(client: TestClient) -> None:
    check = client.get("/openapi.json").json()["paths"]["/system/health/checks/{name}"]

    assert check["head"]["parameters"] == check["get"]["parameters"]
    assert check["head"]["responses"].keys() == check["get"]["responses"].keys()


def test_operation_ids_are_unique(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    ids = [operation["operationId"] for ops in paths.values() for operation in ops.values()]

    assert len(ids) == len(set(ids))


def test_health_token_is_optional_wherever_it_is_offered(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    secured = {
        (path, method): operation["security"]
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "security" in operation
    }

    assert {path for path, _ in secured} == {
        "/system/health/ready",
        "/system/health/checks",
        "/system/health/checks/{name}",
        "/system/health/history",
        "/system/info",
        "/system/status",
        "/system/status.json",
        "/system/status/badge.json",
        "/system/status/badge.svg",
        "/system/status/badge/{check}.json",
        "/system/status/badge/{check}.svg",
        "/system/status/feed.atom",
    }
    assert all(security == [{"HealthToken": []}, {}] for security in secured.values())


def test_document_is_completed_once(client: TestClient) -> None:
    first = client.get("/openapi.json").json()
    second = client.get("/openapi.json").json()

    assert first == second
    assert second["paths"]["/"]["head"]["summary"] == "Welcome (headers only)"


def test_root_path_is_listed_as_a_server(
    client: TestClient, make_settings: Callable[..., Settings]
) -> None:
    assert "servers" not in client.get("/openapi.json").json()

    with TestClient(create_app(make_settings()), root_path="/petsage") as prefixed:
        servers = prefixed.get("/openapi.json").json()["servers"]

    assert servers == [{"url": "/petsage"}]


def test_the_history_documents_its_422_for_a_range_out_of_order(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    documented = document["paths"]["/system/health/history"]["get"]["responses"]["422"]
    answer = client.get(
        "/system/health/history",
        params={"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
    )

    assert "`since` later than `until`" in documented["description"]
    schema = documented["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ValidationErrorResponse"}
    assert "error" in document["components"]["schemas"]["ValidationErrorResponse"]["required"]
    assert answer.status_code == 422
    # The body is the documented shape, not FastAPI's `{"detail": [...]}`.
    problem = ValidationErrorResponse.model_validate(answer.json()).error.problems[0]
    assert "`since` must not be later than `until`" in problem.message
