"""Access-token verification (RFC 6750, RFC 9068, RFC 8725), with PyJWT.

Why PyJWT[crypto] rather than joserfc (both maintained and typed): PyJWT refuses an asymmetric
public key used as an HMAC secret since 2.4 (CVE-2022-29217), while joserfc had the same
algorithm confusion reported in 2024 (authlib/joserfc#27, fixed by refusing such keys as
`OctKey`); PyJWT fails closed on unknown `crit` extensions since 2.12 (CVE-2026-32597: what
python-jose and node-jsonwebtoken still accept, in their open issues); its `PyJWK` binds one
algorithm to one key, the shape RFC 8725 3.1 asks for; and it is what FastAPI's own security
tutorial and most of the Python ecosystem run, so its failure modes are well trodden. What
PyJWT leaves to us is done here, before it runs: the size cap, `typ`, `crit` (refused whole),
and choosing the key by `kid` from the issuer's JWKS only: `jku`, `jwk`, `x5u` and `x5c`
headers are never read, so a token cannot bring its own key.

A verified token is kept (bounded, never past its `exp`), so a repeated one costs a hash and a
dictionary look-up instead of a signature check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from jwt import PyJWK
from jwt.exceptions import PyJWTError

from petsage.auth.errors import InvalidTokenError
from petsage.auth.principal import Principal
from petsage.auth.settings import AuthSettings

# Checked on the raw text, before base64 or JSON sees a byte of it.
MAX_TOKEN_BYTES = 8 * 1024
# RFC 9068 2.1 asks for `at+jwt`; Keycloak, Auth0 and Entra ID send `JWT`, and Cognito none.
ACCEPTED_TYPES = frozenset({"at+jwt", "application/at+jwt", "jwt"})
REQUIRED_CLAIMS = ("exp", "iss", "aud", "sub")
# Three base64url segments (RFC 7515 7.1): anything else is refused before decoding a byte.
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


class KeySource(Protocol):
    """Where the verification key for a token's header comes from."""

    async def key_for(self, kid: str | None, algorithm: str) -> PyJWK: ...


@dataclass(frozen=True, slots=True)
class _Verified:
    principal: Principal
    expires_at: float


class TokenVerifier:
    """Turns a bearer token into a `Principal`; raises `InvalidTokenError` or
    `KeysUnavailableError`."""

    def __init__(
        self,
        settings: AuthSettings,
        keys: KeySource,
        issuer: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.audience = settings.auth_audience
        self.algorithms = frozenset(settings.auth_algorithms)
        self.leeway = settings.auth_leeway_seconds
        self.cache_size = settings.auth_token_cache_size
        self._keys = keys
        self._clock = clock
        self._verified: dict[bytes, _Verified] = {}

    async def verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidTokenError()
        # A digest, not the token, is kept: 32 bytes a token whatever its size.
        digest = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
        known = self._verified.get(digest)
        if known is not None:
            if known.expires_at > self._clock():
                return known.principal
            del self._verified[digest]
        principal, expires_at = await self._verify_signed(token)
        self._remember(digest, _Verified(principal, expires_at))
        return principal

    async def _verify_signed(self, token: str) -> tuple[Principal, float]:
        header = read_header(token)
        algorithm = header.get("alg")
        typ = header.get("typ")
        kid = header.get("kid")
        if (
            not isinstance(algorithm, str)
            or algorithm not in self.algorithms
            or (typ is not None and (not isinstance(typ, str) or typ.lower() not in ACCEPTED_TYPES))
            or (kid is not None and not isinstance(kid, str))
            # No extension is understood here, so any `crit` makes the token invalid (RFC 7515
            # 4.1.11), including the `b64` one PyJWT would otherwise honour.
            or "crit" in header
        ):
            raise InvalidTokenError()
        key = await self._keys.key_for(kid, algorithm)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
            return Principal.from_claims(claims), float(claims["exp"])
        except (PyJWTError, ValueError, TypeError, OverflowError):
            raise InvalidTokenError() from None

    def _remember(self, digest: bytes, verified: _Verified) -> None:
        if self.cache_size == 0:
            return
        if len(self._verified) >= self.cache_size:
            self._forget_some()
        self._verified[digest] = verified

    def _forget_some(self) -> None:
        # The expired first; if none is, the oldest eighth (dicts keep insertion order), so a
        # full cache costs one sweep per eighth of its size rather than one per request.
        now = self._clock()
        expired = [digest for digest, entry in self._verified.items() if entry.expires_at <= now]
        for digest in expired or list(self._verified)[: max(1, self.cache_size // 8)]:
            del self._verified[digest]


def read_header(token: str) -> dict[str, Any]:
    """The JOSE header of a compact JWS, unverified. One regular expression checks the whole
    token's alphabet: PyJWT's own check, a Python loop over every character, is a third of a
    first verification's cost, and `jwt.decode` runs it again anyway."""
    if not _COMPACT_JWS.fullmatch(token):
        raise InvalidTokenError()
    encoded = token[: token.index(".")]
    try:
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidTokenError() from None
    if not isinstance(header, dict):
        raise InvalidTokenError()
    return header
