"""The development issuer: with no PETSAGE_AUTH_ISSUER, PetSage signs and accepts its own
tokens, so that a laptop needs no identity provider.

Its Ed25519 key is made at first use in the data directory, readable by its owner only (0600),
and `petsage auth token` signs with the same file the server verifies with. The issuer name is
a URN, which PETSAGE_AUTH_ISSUER (a URL) can never be: a development token is never accepted
by an instance configured for a real provider.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import secrets
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt import PyJWK

from petsage.auth.errors import InvalidTokenError
from petsage.auth.keyset import KeySet
from petsage.auth.runtime import DEV_ISSUER
from petsage.auth.settings import AuthSettings

DEV_ALGORITHM = "EdDSA"
DEV_CLIENT_ID = "petsage-cli"
KEY_FILE = Path("auth") / "development-signing-key.pem"


def key_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE


def signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """The development key, made now (mode 0600) if the data directory has none."""
    path = key_path(data_dir)
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        pem = _create(path)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 key")
    return key


def _create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL: a server and `petsage auth token` starting together make one key, not two.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return pem


def public_jwk(key: Ed25519PrivateKey) -> dict[str, str]:
    """The public half as a JWK, its `kid` the RFC 7638 thumbprint."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    canonical = json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()
    return {**jwk, "kid": _b64url(hashlib.sha256(canonical).digest()), "use": "sig"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint_token(
    settings: AuthSettings,
    data_dir: Path,
    *,
    subject: str,
    scopes: tuple[str, ...],
    expires_seconds: float,
    now: float | None = None,
) -> str:
    """A development access token (RFC 9068 shape) for `subject` with `scopes`."""
    key = signing_key(data_dir)
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": DEV_ISSUER,
        "aud": settings.auth_audience,
        "sub": subject,
        "client_id": DEV_CLIENT_ID,
        "scope": " ".join(scopes),
        "iat": issued,
        "exp": issued + int(expires_seconds),
        "jti": secrets.token_urlsafe(12),
    }
    headers = {"typ": "at+jwt", "kid": public_jwk(key)["kid"]}
    return jwt.encode(claims, key, algorithm=DEV_ALGORITHM, headers=headers)


class DevelopmentKeys:
    """The key source of the development issuer: its one key, read from the data directory
    when the first token arrives (an app that never sees one writes no key file)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._keys: KeySet | None = None

    async def key_for(self, kid: str | None, algorithm: str) -> PyJWK:
        if self._keys is None:
            # Once per process, in a thread: it may create the key file.
            self._keys = await asyncio.to_thread(self._load)
        key = self._keys.key_for(kid, algorithm)
        if key is None:
            raise InvalidTokenError()
        return key

    def _load(self) -> KeySet:
        jwk = public_jwk(signing_key(self.data_dir))
        return KeySet({jwk["kid"]: jwk})
