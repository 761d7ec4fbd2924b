"""Access-token rules (issue 18, section 1), over HTTP against keys from a real oidc-provider.

Every hostile token is its own case and must get 401 (never a 500, never a hint of which check
failed). The app is the smallest that shows the rules: the identity platform, the error
renderer and two protected routes.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm

from petsage.auth.errors import InvalidTokenError
from petsage.auth.principal import Principal
from petsage.auth.runtime import Identity, build_identity
from petsage.auth.settings import AuthSettings
from petsage.auth.verifier import MAX_TOKEN_BYTES
from petsage.http.access import IDENTITY, PrincipalDep, require_scopes
from petsage.http.errors import install_error_handlers
from petsage.http.state import AppState, attach_state
from tests.auth.identity_provider import (
    AUDIENCE,
    OTHER_AUDIENCE,
    IdentityProvider,
    public_part,
    rsa_jwk,
)

LEEWAY = 30


def protected_app(identity: Identity) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with identity.running():
            yield

    app = FastAPI(lifespan=lifespan)
    install_error_handlers(app)
    state = AppState()
    state.put(IDENTITY, identity)
    attach_state(app, state)

    @app.get("/pets")
    async def list_pets(
        caller: Annotated[Principal, require_scopes("pet_profile:read")],
    ) -> dict[str, Any]:
        return {"subject": caller.subject, "client": caller.client_id}

    @app.delete("/pets/1")
    async def delete_pet(
        caller: Annotated[Principal, require_scopes("pet_profile:write")],
    ) -> dict[str, Any]:
        return {"deleted": True}

    @app.get("/me")
    async def who_am_i(caller: PrincipalDep) -> dict[str, Any]:
        return {"scopes": sorted(caller.scopes)}

    return app


def provider_settings(provider: IdentityProvider, **extra: Any) -> AuthSettings:
    return AuthSettings(
        _env_file=None,  # type: ignore[call-arg]
        auth_issuer=provider.issuer,
        auth_audience=AUDIENCE,
        auth_leeway_seconds=LEEWAY,
        **extra,
    )


def wait_for_keys(identity: Identity) -> None:
    assert identity.remote_keys is not None
    deadline = time.monotonic() + 10
    while identity.remote_keys.state.key_count == 0:
        assert time.monotonic() < deadline, identity.remote_keys.state
        time.sleep(0.01)


@pytest.fixture(scope="module")
def client(
    provider: IdentityProvider, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    identity = build_identity(provider_settings(provider), tmp_path_factory.mktemp("data"))
    with TestClient(protected_app(identity)) as test_client:
        wait_for_keys(identity)
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def claims(provider: IdentityProvider, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": provider.issuer,
        "aud": AUDIENCE,
        "sub": "alice",
        "client_id": "petsage-tests",
        "scope": "pet_profile:read",
        "iat": now,
        "exp": now + 300,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def signed(
    provider: IdentityProvider,
    payload: dict[str, Any],
    *,
    key: dict[str, Any] | None = None,
    algorithm: str = "RS256",
    **header: Any,
) -> str:
    """`payload` signed with the provider's own key (or `key`), as a hostile issuer would."""
    jwk = key or provider.keys[0]
    private = private_key(json.dumps(jwk, sort_keys=True))
    headers = {"kid": jwk["kid"], "typ": "at+jwt", **header}
    return jwt.encode(payload, private, algorithm=algorithm, headers=headers)  # type: ignore[arg-type]


@functools.cache
def private_key(jwk: str) -> Any:
    # Reading an RSA private key checks it, some 100 ms a time: once per key.
    return RSAAlgorithm.from_jwk(jwk)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hmac_with_public_key(provider: IdentityProvider) -> str:
    """Algorithm confusion: HS256 keyed with the provider's public key, as PEM (PyJWT refuses
    to make one, which is the point: the bytes are put together by hand)."""
    public = RSAAlgorithm.from_jwk(json.dumps(public_part(provider.keys[0])))
    pem = public.public_bytes(  # type: ignore[union-attr]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": "key-1"}).encode())
    body = b64(json.dumps(claims(provider)).encode())
    signature = hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


def unsigned(provider: IdentityProvider) -> str:
    header = b64(json.dumps({"alg": "none", "typ": "at+jwt", "kid": "key-1"}).encode())
    return f"{header}.{b64(json.dumps(claims(provider)).encode())}."


ATTACKER = rsa_jwk("attacker")
NOW = int(time.time())

HOSTILE: dict[str, Callable[[IdentityProvider], str]] = {
    "alg none": unsigned,
    "HS256 keyed with the provider's public key": hmac_with_public_key,
    "jku pointing elsewhere": lambda p: signed(
        p, claims(p), key=ATTACKER, jku="http://127.0.0.1:9/jwks.json"
    ),
    "jwk carrying its own key": lambda p: signed(
        p, claims(p), key=ATTACKER, kid="key-1", jwk=public_part(ATTACKER)
    ),
    "x5u pointing elsewhere": lambda p: signed(
        p, claims(p), key=ATTACKER, kid="key-1", x5u="http://127.0.0.1:9/cert.pem"
    ),
    "x5c carrying its own certificate": lambda p: signed(
        p,
        claims(p),
        key=ATTACKER,
        kid="key-1",
        x5c=["MIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUA"],
    ),
    "signed by another key under the provider's kid": lambda p: signed(
        p, claims(p), key=ATTACKER, kid="key-1"
    ),
    "crit header": lambda p: signed(p, claims(p), crit=["exp-policy"], **{"exp-policy": 1}),
    "expired beyond the leeway": lambda p: signed(p, claims(p, exp=NOW - LEEWAY - 60)),
    "nbf in the future": lambda p: signed(p, claims(p, nbf=NOW + LEEWAY + 600)),
    "iat in the future": lambda p: signed(p, claims(p, iat=NOW + LEEWAY + 600)),
    "wrong iss": lambda p: signed(p, claims(p, iss=p.issuer + "/")),
    "wrong aud": lambda p: signed(p, claims(p, aud="https://petsage.test/api/other")),
    "missing sub": lambda p: signed(p, claims(p, sub=None)),
    "missing exp": lambda p: signed(p, claims(p, exp=None)),
    "typ of an ID token": lambda p: signed(p, claims(p), typ="id_token+jwt"),
    "PS256 with a key published for RS256": lambda p: signed(p, claims(p), algorithm="PS256"),
    "a 100 KB token": lambda p: signed(p, claims(p, padding="x" * 100_000)),
    "malformed base64": lambda _: "eyJhbGciOiJSUzI1NiJ9.e$$$.c2ln",
    "malformed JSON": lambda _: f"{b64(b'{not json')}.{b64(b'{}')}.c2ln",
    "a header that is a list": lambda _: f"{b64(b'[1]')}.{b64(b'{}')}.c2ln",
    "a token for another audience from the same issuer": lambda p: p.token(resource=OTHER_AUDIENCE),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_token_is_refused_with_401_and_no_detail(
    client: TestClient, provider: IdentityProvider, case: str
) -> None:
    token = HOSTILE[case](provider)
    answer = client.get("/pets", headers=bearer(token))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="PetSage", error="invalid_token"'
    assert answer.json() == {
        "error": {
            "status": 401,
            "code": "invalid_token",
            "message": "The access token is not valid.",
        }
    }


def test_a_client_credentials_token_from_the_provider_is_accepted(
    client: TestClient, provider: IdentityProvider
) -> None:
    answer = client.get("/pets", headers=bearer(provider.token()))
    assert answer.status_code == 200
    # Client credentials: the subject is the client itself (oidc-provider, RFC 9068 2.2).
    assert answer.json() == {"subject": "petsage-tests", "client": "petsage-tests"}


@pytest.mark.parametrize(
    ("claim", "offset"), [("exp", -LEEWAY // 2), ("nbf", LEEWAY // 2), ("iat", LEEWAY // 2)]
)
def test_times_within_the_leeway_are_accepted(
    client: TestClient, provider: IdentityProvider, claim: str, offset: int
) -> None:
    payload = claims(provider, **{claim: int(time.time()) + offset})
    answer = client.get("/pets", headers=bearer(signed(provider, payload)))
    assert answer.status_code == 200


@pytest.mark.parametrize("typ", ["at+jwt", "JWT", None])
def test_the_types_common_providers_send_are_accepted(
    client: TestClient, provider: IdentityProvider, typ: str | None
) -> None:
    token = signed(provider, claims(provider, sub=f"typ-{typ}"), typ=typ)
    assert client.get("/pets", headers=bearer(token)).status_code == 200


def test_the_size_cap_is_8_kib(client: TestClient, provider: IdentityProvider) -> None:
    small = signed(provider, claims(provider, pad=""))
    filler = "x" * (MAX_TOKEN_BYTES - len(small))
    largest = signed(provider, claims(provider, pad=filler[: len(filler) * 3 // 4]))
    assert len(largest) <= MAX_TOKEN_BYTES
    assert client.get("/pets", headers=bearer(largest)).status_code == 200
    assert client.get("/pets", headers=bearer(largest + "x")).status_code == 401


def test_no_token_gets_the_bare_challenge(client: TestClient) -> None:
    answer = client.get("/pets")
    assert answer.status_code == 401
    # RFC 6750 3.1: a request with no credentials gets no error code.
    assert answer.headers["www-authenticate"] == 'Bearer realm="PetSage"'
    assert answer.json()["error"]["code"] == "unauthorized"


def test_a_missing_scope_is_403_naming_the_scope(
    client: TestClient, provider: IdentityProvider
) -> None:
    answer = client.delete("/pets/1", headers=bearer(provider.token("pet_profile:read")))
    assert answer.status_code == 403
    assert answer.headers["www-authenticate"] == (
        'Bearer realm="PetSage", error="insufficient_scope", scope="pet_profile:write"'
    )
    assert answer.json()["error"] == {
        "status": 403,
        "code": "insufficient_scope",
        "message": "The access token lacks a scope this request needs.",
        "scope": "pet_profile:write",
    }
    writer = provider.token("pet_profile:read pet_profile:write")
    assert client.delete("/pets/1", headers=bearer(writer)).status_code == 200


def test_openapi_lists_each_routes_security_with_its_scopes(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["AccessToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": document["components"]["securitySchemes"]["AccessToken"]["description"],
    }
    paths = document["paths"]
    assert paths["/pets"]["get"]["security"] == [{"AccessToken": ["pet_profile:read"]}]
    assert paths["/pets/1"]["delete"]["security"] == [{"AccessToken": ["pet_profile:write"]}]
    assert paths["/me"]["get"]["security"] == [{"AccessToken": []}]


def test_a_thousand_unknown_kids_cost_the_provider_one_refresh(
    provider: IdentityProvider, tmp_path: Path
) -> None:
    identity = build_identity(provider_settings(provider), tmp_path)

    async def flood() -> list[BaseException | Principal]:
        async with identity.running():
            await asyncio.to_thread(wait_for_keys, identity)
            before = await asyncio.to_thread(provider.jwks_requests)
            # Ed25519, cheaper to sign a thousand times than RSA; the kid is what matters.
            attacker = Ed25519PrivateKey.generate()
            tokens = [
                jwt.encode(claims(provider), attacker, "EdDSA", headers={"kid": f"made-up-{n}"})
                for n in range(1000)
            ]
            # Half at once (they share one fetch), then half one after the other.
            results: list[BaseException | Principal] = list(
                await asyncio.gather(
                    *(identity.principal(token) for token in tokens[:500]),
                    return_exceptions=True,
                )
            )
            for token in tokens[500:]:
                try:
                    results.append(await identity.principal(token))
                except InvalidTokenError as exc:
                    results.append(exc)
            after = await asyncio.to_thread(provider.jwks_requests)
        assert after - before == 1
        return results

    results = asyncio.run(flood())
    assert len(results) == 1000
    assert all(isinstance(result, InvalidTokenError) for result in results)


def test_with_no_key_at_all_a_token_gets_503_with_retry_after(
    provider: IdentityProvider, tmp_path: Path
) -> None:
    settings = provider_settings(provider).model_copy(
        update={"auth_issuer": "http://127.0.0.1:9", "auth_jwks_timeout_seconds": 0.5}
    )
    with TestClient(protected_app(build_identity(settings, tmp_path))) as unreachable:
        answer = unreachable.get("/pets", headers=bearer(provider.token()))
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["error"]["code"] == "service_unavailable"
