"""The OpenAPI document tells the truth, so that generated clients parse every answer: JSON
first on every status, named schemas for `application/health+json`, no `Accept` parameter, the
one error shape, short operation ids, HEAD said once (not a twin of every GET), and the health
token optional, as anonymous access is by design. Generated clients: tests/test_clients.py."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from petsage.features.health_checks.render import HEALTH_JSON
from petsage.http.error_models import ErrorResponse, ValidationErrorResponse
from petsage.http.openapi import HEAD_NOTE, complete
from petsage.main import create_app
from petsage.settings import Settings
from petsage.testing.health import engine_of, wait_for

ROOT = Path(__file__).parents[1]


def test_head_is_documented_once_not_as_a_twin_of_each_get(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    reads = [path for path, operations in document["paths"].items() if "get" in operations]

    assert reads
    assert all("head" not in operations for operations in document["paths"].values())
    assert document["info"]["description"].endswith(HEAD_NOTE)
    # What the note says: HEAD answers as GET, without the body. Readiness and the checks
    # answer 503 `starting` until the first round of checks, then as the checks found: that
    # round must not end between a GET and its HEAD.
    engine = engine_of(client.app)  # type: ignore[arg-type]
    wait_for(lambda: engine.snapshot.round >= 1, "the first round of checks")
    for path in (path for path in reads if "{" not in path):
        get, head = client.get(path), client.head(path)
        assert (head.status_code, head.content) == (get.status_code, b""), path


def test_operation_ids_are_the_handlers_names(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    ids = [operation["operationId"] for ops in paths.values() for operation in ops.values()]

    assert all(re.fullmatch("[a-z][a-zA-Z0-9]*", each) for each in ids), ids
    assert paths["/system/health/ready"]["get"]["operationId"] == "getReadiness"
    assert paths["/system/health/checks"]["get"]["operationId"] == "listHealthChecks"
    assert paths["/system/health/checks/{name}"]["get"]["operationId"] == "getHealthCheck"


def test_json_comes_first_in_every_response(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    media = [
        list(response["content"])
        for operations in paths.values()
        for operation in operations.values()
        for response in operation["responses"].values()
        if "application/json" in response.get("content", {})
    ]

    assert [HEALTH_JSON] in [each[1:] for each in media]
    assert all(each[0] == "application/json" for each in media)


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/system/health/ready", "HealthReport"),
        ("/system/health/checks", "HealthReport"),
        ("/system/health/checks/{name}", "CheckReport"),
    ],
)
def test_health_answers_are_named_schemas_without_an_accept_parameter(
    client: TestClient, path: str, model: str
) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"][path]["get"]

    for status in ("200", "503"):
        assert operation["responses"][status]["content"] == {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}},
            HEALTH_JSON: {"schema": {"$ref": "#/components/schemas/DraftHealthReport"}},
        }
    assert all(p["in"] != "header" for p in operation.get("parameters", []))
    schemas = document["components"]["schemas"]
    checks = schemas["DraftHealthReport"]["properties"]["checks"]
    assert checks["additionalProperties"]["items"] == {"$ref": "#/components/schemas/DraftCheck"}
    assert "componentId" in schemas["DraftCheck"]["properties"]


def test_readiness_documents_no_422_as_it_takes_no_parameter(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert set(paths["/system/health/ready"]["get"]["responses"]) == {"200", "503"}
    assert set(paths["/system/health/checks"]["get"]["responses"]) == {"200", "503"}


def test_every_error_is_documented_in_the_one_error_shape(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    errors = {
        (path, status): response["content"]
        for path, operations in document["paths"].items()
        for operation in operations.values()
        for status, response in operation["responses"].items()
        # The health answers' 503 is a health report, in either media type.
        if int(status) >= 400 and HEALTH_JSON not in response["content"]
    }

    assert ("/system/health/checks/{name}", "404") in errors
    for (_, status), content in errors.items():
        model = "ValidationErrorResponse" if status == "422" else "ErrorResponse"
        assert content == {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}
        }
    assert "HTTPValidationError" not in document["components"]["schemas"]
    missing = client.get("/system/health/checks/no-such-check")
    assert ErrorResponse.model_validate(missing.json()).error.status == 404


def test_two_models_of_one_name_are_refused() -> None:
    document = {
        "paths": {
            "/a": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "text/x": {
                                    "schema": {"title": "Twin", "type": "object", "$defs": {}}
                                }
                            }
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"Twin": {"type": "string"}}},
    }

    with pytest.raises(ValueError, match="two different OpenAPI schemas are named 'Twin'"):
        complete(document, optional_schemes=())


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
        if "security" in operation and "AccessToken" not in str(operation["security"])
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
    assert second["info"]["description"].count(HEAD_NOTE) == 1


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


def test_a_plain_setup_serves_without_the_tests_plugin() -> None:
    """The example plug-in is a dev dependency (the discovery tests use it), and the README's
    `serve` commands install and run without them, as the image does: a plain server neither
    serves `/example-plugin` nor documents it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    plugin = "petsage-example-plugin"
    bootstrap = (ROOT / "scripts" / "bootstrap.sh").read_text(encoding="utf-8")
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    make_serve = make.partition("\nserve:")[2].partition("\n\n")[0]

    assert plugin in project["dependency-groups"]["dev"]
    assert all(plugin not in each for each in project["project"]["dependencies"])
    assert "serve) compile --no-dev && exec uv run --no-dev petsage serve" in bootstrap
    assert '"$@" python -m compileall' in bootstrap  # `compile --no-dev` syncs without them
    assert make_serve.count("--no-dev") == 3, make_serve
