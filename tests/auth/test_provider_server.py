"""A real `petsage serve` and a real identity provider (oidc-provider), over HTTP.

One server for the module, started before the provider exists, so the tests run in the
order of a provider's life: unreachable at start, then up (a client-credentials token is
accepted), rotating its key (accepted with no restart), then stopped (cached keys keep
working, the `auth` check turns degraded). Also: the audit line of a call with a token, no
token text anywhere, and CORS from a second origin in headless Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import jwt
import pytest

from tests.auth.identity_provider import (
    AUDIENCE,
    CLIENT_ID,
    IdentityProvider,
    identity_provider,
    rsa_jwk,
)
from tests.support.page_origin import PageOrigin, two_origins
from tests.support.server import RunningServer, free_port, petsage_server

pytestmark = pytest.mark.slow

ME = "/me"
HEALTH_TOKEN = "auth-tests-health-token-0123456789"
BROWSER_DIR = Path(__file__).parents[1] / "browser"
REQUIRE_BROWSER = "PETSAGE_TEST_REQUIRE_BROWSER"


@pytest.fixture(scope="module")
def origins() -> Iterator[tuple[PageOrigin, PageOrigin]]:
    with two_origins() as both:
        yield both


@pytest.fixture(scope="module")
def provider_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    provider_port: int,
    origins: tuple[PageOrigin, PageOrigin],
) -> Iterator[RunningServer]:
    env = {
        "PETSAGE_AUTH_ISSUER": f"http://127.0.0.1:{provider_port}",
        "PETSAGE_AUTH_AUDIENCE": AUDIENCE,
        # Keys held for a second, so that an outage shows within the test's time.
        "PETSAGE_AUTH_JWKS_MIN_TTL_SECONDS": "1",
        "PETSAGE_AUTH_JWKS_MAX_TTL_SECONDS": "1",
        "PETSAGE_AUTH_JWKS_RETRY_SECONDS": "0.2",
        "PETSAGE_AUTH_JWKS_TIMEOUT_SECONDS": "0.5",
        "PETSAGE_AUTH_UNKNOWN_KID_INTERVAL_SECONDS": "1",
        "PETSAGE_HEALTH_INTERVAL_SECONDS": "0.1",
        "PETSAGE_HEALTH_TOKEN": HEALTH_TOKEN,
        "PETSAGE_CORS_ALLOW_ORIGINS": origins[0].url,
        "PETSAGE_LOG_FORMAT": "json",
    }
    with petsage_server(tmp_path_factory.mktemp("auth-server"), env=env) as running:
        yield running


@pytest.fixture(scope="module")
def provider(
    server: RunningServer, provider_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IdentityProvider]:
    # After the server: PetSage starts while its provider is unreachable.
    with identity_provider(tmp_path_factory.mktemp("provider"), provider_port) as running:
        yield running


def auth_check(server: RunningServer, token: str = HEALTH_TOKEN) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(
        f"{server.base_url}/system/health/checks/auth",
        headers={"authorization": f"Bearer {token}"},
    ).json()
    return answer


def wait_for_auth(server: RunningServer, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while (check := auth_check(server))["status"] != status:
        assert time.monotonic() < deadline, check
        time.sleep(0.05)
    return check


def me(server: RunningServer, token: str) -> httpx.Response:
    return httpx.get(server.base_url + ME, headers={"authorization": f"Bearer {token}"})


def test_started_with_the_provider_unreachable_it_serves_and_reports_no_keys(
    server: RunningServer, provider_port: int
) -> None:
    assert httpx.get(f"{server.base_url}/system/health").status_code == 200
    # Until the first round of checks ends, one check answers 503 "starting": wait for it.
    check = wait_for_auth(server, "error")
    assert "no signing key" in check["reason"]
    ready = httpx.get(f"{server.base_url}/system/health/ready")
    assert ready.status_code == 503
    # A well-formed token meanwhile: the provider is at fault, so 503 and not 401.
    key = rsa_jwk("key-1")
    token = jwt.encode(
        {"iss": f"http://127.0.0.1:{provider_port}", "aud": AUDIENCE, "sub": "a", "exp": 2**40},
        jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key)),  # type: ignore[arg-type]
        "RS256",
        headers={"kid": "key-1"},
    )
    answer = me(server, token)
    assert answer.status_code == 503
    assert answer.headers["retry-after"]


def test_a_client_credentials_token_is_accepted(
    server: RunningServer, provider: IdentityProvider
) -> None:
    wait_for_auth(server, "ok")
    answer = me(server, provider.token("pet_profile:read pet_profile:write"))
    assert answer.status_code == 200
    assert answer.json() == {
        "subject": CLIENT_ID,
        "client_id": CLIENT_ID,
        "scopes": ["pet_profile:read", "pet_profile:write"],
    }
    missing = httpx.get(server.base_url + ME)
    assert (missing.status_code, missing.headers["www-authenticate"]) == (
        401,
        'Bearer realm="PetSage"',
    )


def test_an_access_token_with_the_details_scope_sees_health_details(
    server: RunningServer, provider: IdentityProvider
) -> None:
    with_scope = auth_check(server, provider.token("petsage:details"))
    without = auth_check(server, provider.token("pet_profile:read"))
    # Detail fields (durations, times) are left out of an answer without details.
    assert with_scope["duration_ms"] is not None
    assert "duration_ms" not in without


def test_a_rotated_key_is_accepted_without_a_restart(
    server: RunningServer, provider: IdentityProvider
) -> None:
    before = provider.token()
    provider.rotate(rsa_jwk("key-2"))
    after = provider.token()
    assert jwt.get_unverified_header(after)["kid"] == "key-2"
    assert me(server, after).status_code == 200
    assert me(server, before).status_code == 200


def test_the_access_line_names_the_caller_and_no_output_holds_a_token(
    server: RunningServer, provider: IdentityProvider
) -> None:
    token = provider.token()
    forged = token[:-8] + "AAAAAAAA"
    assert me(server, token).status_code == 200
    refused = me(server, forged)
    assert refused.status_code == 401
    outputs = [
        refused.text,
        httpx.get(f"{server.base_url}/metrics").text,
        httpx.get(f"{server.base_url}/system/status").text,
        httpx.get(f"{server.base_url}/system/status.json").text,
        httpx.get(f"{server.base_url}/system/health/checks").text,
    ]
    deadline = time.monotonic() + 5
    while not [line for line in server.log().splitlines() if f'"subject": "{CLIENT_ID}"' in line]:
        assert time.monotonic() < deadline, server.log()[-2000:]
        time.sleep(0.05)
    access = [json.loads(line) for line in server.log().splitlines() if '"path": "/me"' in line]
    assert {"subject": CLIENT_ID, "client_id": CLIENT_ID}.items() <= access[-2].items()
    outputs.append(server.log())
    for part in {*token.split("."), *forged.split(".")}:
        for output in outputs:
            assert part not in output


def test_cors_preflight_passes_for_a_listed_origin_only(
    server: RunningServer, provider: IdentityProvider, origins: tuple[PageOrigin, PageOrigin]
) -> None:
    driver = browser_driver()
    listed, other = origins
    token = provider.token()
    allowed = run_browser(driver, listed.url, server.base_url + ME, token)
    assert allowed == {
        "ok": True,
        "status": 200,
        "body": {"subject": CLIENT_ID, "client_id": CLIENT_ID, "scopes": ["pet_profile:read"]},
    }
    refused = run_browser(driver, other.url, server.base_url + ME, token)
    assert refused["ok"] is False
    assert "Failed to fetch" in refused["error"]


def test_with_the_provider_stopped_cached_keys_work_and_auth_is_degraded(
    server: RunningServer, provider: IdentityProvider
) -> None:
    token = provider.token()
    provider.stop()
    check = wait_for_auth(server, "degraded")
    assert "the cached ones are used" in check["reason"]
    assert me(server, token).status_code == 200


def browser_driver() -> list[str]:
    chromium, node = shutil.which("chromium"), shutil.which("node")
    missing = None
    if chromium is None or node is None:
        missing = "chromium or node is not installed"
    elif not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        missing = f"playwright-core is not installed (cd {BROWSER_DIR} && npm ci)"
    if missing is not None:
        if os.environ.get(REQUIRE_BROWSER) == "1":
            pytest.fail(f"{missing}, and {REQUIRE_BROWSER}=1 requires it")
        pytest.skip(missing)
    os.environ.setdefault("CHROMIUM", str(chromium))
    return [str(node), str(BROWSER_DIR / "cors.mjs")]


def run_browser(driver: list[str], page: str, api: str, token: str) -> dict[str, Any]:
    options = json.dumps({"page": page, "api": api, "token": token})
    result = subprocess.run(
        [*driver, options], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answer: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return answer
