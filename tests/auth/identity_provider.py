"""oidc-provider (npm) as a subprocess: the real identity provider of the tests in tests/auth.

The tests make its RSA keys, so that they can sign hostile tokens with the very key PetSage
trusts; `provider/provider.mjs` reads them from a file and signs with the first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

PROVIDER_DIR = Path(__file__).parent / "provider"
REQUIRE_PROVIDER = "PETSAGE_TEST_REQUIRE_PROVIDER"
CLIENT_ID = "petsage-tests"
CLIENT_SECRET = "petsage-tests-secret-0123456789"
AUDIENCE = "https://petsage.test/api"
OTHER_AUDIENCE = "https://other.test/api"


def rsa_jwk(kid: str) -> dict[str, Any]:
    """A new private RSA JWK (2048 bits) for RS256."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def public_part(jwk: dict[str, Any]) -> dict[str, Any]:
    return {name: jwk[name] for name in ("kty", "n", "e", "kid", "alg", "use")}


@dataclass
class IdentityProvider:
    process: subprocess.Popen[str]
    issuer: str
    keys_file: Path
    keys: list[dict[str, Any]]

    def token(self, scope: str = "pet_profile:read", resource: str = AUDIENCE) -> str:
        answer = httpx.post(
            f"{self.issuer}/token",
            data={"grant_type": "client_credentials", "resource": resource, "scope": scope},
            auth=(CLIENT_ID, CLIENT_SECRET),
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token

    def jwks_requests(self) -> int:
        count: int = httpx.get(f"{self.issuer}/control/stats", timeout=5).json()["jwks_requests"]
        return count

    def rotate(self, new_key: dict[str, Any]) -> None:
        """Sign with `new_key` from now on, the old keys still published."""
        self.keys = [new_key, *self.keys]
        self.keys_file.write_text(json.dumps({"keys": self.keys}))
        assert httpx.post(f"{self.issuer}/control/rotate", timeout=10).status_code == 200

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _missing(what: str) -> None:
    if os.environ.get(REQUIRE_PROVIDER) == "1":
        pytest.fail(f"{what}, and {REQUIRE_PROVIDER}=1 requires it")
    pytest.skip(f"{what}; set {REQUIRE_PROVIDER}=1 to fail instead of skipping")


@contextmanager
def identity_provider(directory: Path, port: int = 0) -> Iterator[IdentityProvider]:
    """Start oidc-provider on `port` (0: any free one) with a fresh RSA key."""
    node = shutil.which("node")
    if node is None:
        _missing("node is not installed")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        _missing(f"oidc-provider is not installed (cd {PROVIDER_DIR} && npm ci)")
    keys = [rsa_jwk("key-1")]
    keys_file = directory / "provider-keys.json"
    keys_file.write_text(json.dumps({"keys": keys}))
    process = subprocess.Popen(
        [str(node), str(PROVIDER_DIR / "provider.mjs"), str(port), str(keys_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    if not first_line.startswith("listening "):
        process.kill()
        pytest.fail(f"oidc-provider did not start: {first_line!r}")
    provider = IdentityProvider(
        process, f"http://127.0.0.1:{int(first_line.split()[1])}", keys_file, keys
    )
    try:
        yield provider
    finally:
        provider.stop()
