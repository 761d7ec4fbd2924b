"""Issue 18's first "done when", over HTTP against a real `petsage serve` with tokens from a
real oidc-provider: every route of a protected, owned resource answers 401 without a token,
403 without its scope and 404 for another owner's row; with the right token it works.

The resource is the kit's example pets (tests/resources/example_pets, shaped as `petsage
feature new` writes a resource), installed as a plug-in. One provider and one server for the
module; the two owners are the provider's two clients (a client-credentials token's `sub` is
its client id).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from petsage.settings import Settings
from petsage.testing.databases import upgrade_with_tables
from petsage.testing.server import RunningServer, petsage_server
from tests.auth.identity_provider import AUDIENCE, CLIENT_ID, CLIENT_SECRET, IdentityProvider
from tests.resources.example_pets.orm import ExampleBase

REPO = Path(__file__).resolve().parents[2]
PATH = "/example-pets"
READ, WRITE = "example_pets:read", "example_pets:write"
# tests/auth/provider/provider.mjs's second client: the second owner.
OTHER_CLIENT = ("petsage-tests-other", "petsage-tests-other-secret-01234")
ENTRY_POINTS = "[petsage.features]\nexample_pets = tests.resources.example_pets:feature\n"


def _plugin_site(site: Path) -> str:
    """A site directory declaring the example pets as an installed plug-in; its PYTHONPATH."""
    dist_info = site / "example_pets-0.1.dist-info"
    dist_info.mkdir(parents=True)
    metadata = "Metadata-Version: 2.1\nName: example_pets\nVersion: 0.1\n"
    (dist_info / "METADATA").write_text(metadata, encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    paths = (str(site), str(REPO), os.environ.get("PYTHONPATH"))
    return os.pathsep.join(path for path in paths if path)


@pytest.fixture(scope="module")
def server(
    provider: IdentityProvider, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    root = tmp_path_factory.mktemp("served-access")
    data_dir = root / "var"
    data_dir.mkdir()
    asyncio.run(
        upgrade_with_tables(
            Settings(_env_file=None, data_dir=data_dir, database_url=None), ExampleBase.metadata
        )
    )
    env = {
        "PETSAGE_DATA_DIR": str(data_dir),
        "PETSAGE_AUTH_ISSUER": provider.issuer,
        "PETSAGE_AUTH_AUDIENCE": AUDIENCE,
        "PYTHONPATH": _plugin_site(root / "site"),
    }
    with petsage_server(root, env=env) as running:
        yield running


def _token(provider: IdentityProvider, client: tuple[str, str], scope: str) -> dict[str, str]:
    answer = httpx.post(
        f"{provider.issuer}/token",
        data={"grant_type": "client_credentials", "resource": AUDIENCE, "scope": scope},
        auth=client,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture(scope="module")
def owner(provider: IdentityProvider) -> dict[str, str]:
    return _token(provider, (CLIENT_ID, CLIENT_SECRET), f"{READ} {WRITE}")


@pytest.fixture(scope="module")
def other_owner(provider: IdentityProvider) -> dict[str, str]:
    return _token(provider, OTHER_CLIENT, f"{READ} {WRITE}")


@pytest.fixture(scope="module")
def scopes(provider: IdentityProvider) -> dict[str, dict[str, str]]:
    """The owner's tokens with one scope each, by scope."""
    return {scope: _token(provider, (CLIENT_ID, CLIENT_SECRET), scope) for scope in (READ, WRITE)}


def _request(
    server: RunningServer, method: str, path: str, headers: dict[str, str], body: Any = None
) -> httpx.Response:
    return httpx.request(method, server.base_url + path, json=body, headers=headers, timeout=10)


def _pet(server: RunningServer, headers: dict[str, str]) -> dict[str, Any]:
    answer = _request(server, "POST", PATH, headers, {"name": "Rex", "species": "dog"})
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


# Each route: (method, path with {id} for an item, body, the scope it needs).
ROUTES = [
    ("GET", PATH, None, READ),
    ("POST", PATH, {"name": "Tom", "species": "cat"}, WRITE),
    ("GET", PATH + "/{id}", None, READ),
    ("PATCH", PATH + "/{id}", {"name": "Max"}, WRITE),
    ("DELETE", PATH + "/{id}", None, WRITE),
]
IDS = [f"{method} {path}" for method, path, _, _ in ROUTES]


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_each_route_is_401_without_a_token_403_without_its_scope_and_works_with_it(
    server: RunningServer,
    owner: dict[str, str],
    scopes: dict[str, dict[str, str]],
    route: tuple[str, str, Any, str],
) -> None:
    method, path, body, scope = route
    url = path.format(id=_pet(server, owner)["id"])
    wrong = scopes[WRITE if scope == READ else READ]

    anonymous = _request(server, method, url, {}, body)
    unscoped = _request(server, method, url, wrong, body)
    allowed = _request(server, method, url, scopes[scope], body)

    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert unscoped.status_code == 403
    assert 'error="insufficient_scope"' in unscoped.headers["www-authenticate"]
    assert allowed.status_code == {"GET": 200, "POST": 201, "PATCH": 200, "DELETE": 204}[method]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_another_owners_row_is_404(
    server: RunningServer, owner: dict[str, str], other_owner: dict[str, str], method: str
) -> None:
    pet = _pet(server, owner)
    url = f"{PATH}/{pet['id']}"
    body = {"name": "Max"} if method == "PATCH" else None

    answer = _request(server, method, url, other_owner, body)

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert _request(server, "GET", url, owner).json() == pet


def test_a_list_shows_each_owner_only_their_rows(
    server: RunningServer, owner: dict[str, str], other_owner: dict[str, str]
) -> None:
    theirs = _pet(server, other_owner)
    mine = _pet(server, owner)

    my_ids = {item["id"] for item in _request(server, "GET", PATH, owner).json()["items"]}
    their_page = _request(server, "GET", PATH, other_owner).json()

    assert mine["id"] in my_ids
    assert theirs["id"] not in my_ids
    assert [item["id"] for item in their_page["items"]] == [theirs["id"]]
