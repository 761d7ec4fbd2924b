"""The health detail policy and access tokens: the details scope shows details, nothing else
does, and a token that cannot be verified leaves the caller anonymous (never a 401 or 503)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from petsage.auth.dev_issuer import mint_token
from petsage.auth.runtime import build_identity
from petsage.auth.settings import AuthSettings
from petsage.http.detail_policy import access_token, depends_on_authorization, token_shows_details
from petsage.settings import Settings

HEALTH_TOKEN = "s3cret-token-0123456789"


@pytest.mark.parametrize(
    ("mode", "header", "expected"),
    [
        ("authorized", "Bearer eyJ.a.b", "eyJ.a.b"),
        ("authorized", "bearer  eyJ.a.b ", "eyJ.a.b"),
        ("authorized", "Bearer ", None),
        ("authorized", "Basic eyJ.a.b", None),
        ("authorized", None, None),
        ("always", "Bearer eyJ.a.b", None),
        ("never", "Bearer eyJ.a.b", None),
    ],
)
def test_only_a_bearer_credential_under_authorized_is_verified(
    make_settings: Callable[..., Settings], mode: str, header: str | None, expected: str | None
) -> None:
    assert access_token(make_settings(health_details=mode), header) == expected


def test_answers_vary_by_authorization_under_authorized_even_without_a_health_token(
    make_settings: Callable[..., Settings],
) -> None:
    assert depends_on_authorization(make_settings(health_details="authorized"))
    assert not depends_on_authorization(make_settings(health_details="always"))


@pytest.mark.parametrize(
    ("scopes", "shown"),
    [(("petsage:details",), True), (("pet_profile:read",), False), ((), False)],
)
def test_the_details_scope_shows_details(
    tmp_path: Path, scopes: tuple[str, ...], shown: bool
) -> None:
    settings = AuthSettings(_env_file=None)  # type: ignore[call-arg]
    token = mint_token(settings, tmp_path, subject="ops", scopes=scopes, expires_seconds=60)
    identity = build_identity(settings, tmp_path)
    assert asyncio.run(token_shows_details(identity, token)) is shown


@pytest.mark.parametrize("issuer", [None, "http://127.0.0.1:9"], ids=["invalid", "no keys"])
def test_a_token_that_cannot_be_verified_shows_nothing(tmp_path: Path, issuer: str | None) -> None:
    settings = AuthSettings(_env_file=None, auth_issuer=issuer)  # type: ignore[call-arg]
    identity = build_identity(settings, tmp_path)
    forged = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIn0.c2ln"
    assert asyncio.run(token_shows_details(identity, forged)) is False
    assert asyncio.run(token_shows_details(identity, HEALTH_TOKEN)) is False
