"""The seed's contract over real HTTP, against `petsage serve` running as a subprocess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from petsage import __version__
from tests.support.server import RunningServer, petsage_server

# One xdist worker runs the module: its module-scoped server starts once.
pytestmark = pytest.mark.slow

ALIVE = b'{"status":"ok","message":"PetSage system is alive and purring!"}'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with petsage_server(tmp_path_factory.mktemp("contract")) as running:
        yield running


def get(server: RunningServer, path: str, method: str = "GET") -> httpx.Response:
    return httpx.request(method, server.base_url + path, timeout=5)


def test_liveness_over_http(server: RunningServer) -> None:
    response = get(server, "/system/health")

    assert response.status_code == 200
    assert response.content == ALIVE
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "server" not in response.headers


@pytest.mark.parametrize("path", ["/system/health", "/", "/openapi.json", "/docs", "/redoc"])
def test_head_matches_get(server: RunningServer, path: str) -> None:
    got, head = get(server, path), get(server, path, "HEAD")

    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == str(len(got.content))


def test_root_over_http(server: RunningServer) -> None:
    response = get(server, "/")

    assert response.json() == {"message": "Welcome to the PetSage API!"}


def test_unknown_path_is_json_404(server: RunningServer) -> None:
    response = get(server, "/no/such/thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not Found"}
    }


def test_wrong_method_is_json_405_with_allow(server: RunningServer) -> None:
    response = get(server, "/system/health", "DELETE")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_openapi_metadata(server: RunningServer) -> None:
    spec = get(server, "/openapi.json").json()

    assert spec["info"]["title"] == "PetSage API"
    assert spec["info"]["version"] == __version__
    assert spec["info"]["description"].startswith("The wise backend for all your pet's needs.")
    assert spec["info"]["contact"] == {
        "name": "PetSage Development Team",
        "url": "https://example.com/contact",
        "email": "dev@example.com",
    }
    operation = spec["paths"]["/system/health"]["get"]
    assert operation["tags"] == ["System Health"]
    assert operation["summary"] == "Perform a System Health Check"
    assert operation["description"].startswith("This endpoint can be used by monitoring")
    schema_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_ref == "#/components/schemas/SmokeTestResponse"
    schema = spec["components"]["schemas"]["SmokeTestResponse"]
    assert schema["example"] == {"status": "ok", "message": "PetSage system is alive and purring!"}
    assert schema["properties"]["status"]["description"] == "The operational status of the system."
    assert spec["paths"]["/"]["get"]["tags"] == ["Root"]


def test_docs_pages_reference_only_local_assets(server: RunningServer) -> None:
    for page in ("/docs", "/redoc"):
        html = get(server, page).text
        assert "cdn." not in html
        assert "fonts.googleapis" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        response = get(server, f"/docs-static/{asset}")
        assert response.status_code == 200
        assert len(response.content) > 100_000


def test_openapi_contact_comes_from_settings(tmp_path: Path) -> None:
    env = {"PETSAGE_CONTACT_NAME": "Ops", "PETSAGE_CONTACT_EMAIL": "ops@petsage.io"}
    with petsage_server(tmp_path, env=env) as running:
        contact = get(running, "/openapi.json").json()["info"]["contact"]

    assert contact["name"] == "Ops"
    assert contact["email"] == "ops@petsage.io"
