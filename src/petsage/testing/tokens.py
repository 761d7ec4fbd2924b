"""Access tokens for tests, minted in process by the development issuer.

An app under test has no PETSAGE_AUTH_ISSUER, so it is its own development issuer: it trusts
tokens signed with the key in its data directory, and `AccessTokens(data_dir)` signs with that
very key. Tokens are cached per subject and scopes (one signature each, not one per request).

    tokens = AccessTokens(settings.data_dir)
    client.get("/pet-profiles", headers=tokens.headers("alice", "pet_profile:read"))
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import FastAPI

from petsage.auth.dev_issuer import mint_token
from petsage.auth.runtime import build_identity
from petsage.auth.settings import AuthSettings
from petsage.http.access import IDENTITY
from petsage.http.state import state_of

# Long enough for any test run; the token cache of the app holds it no longer than this.
LIFETIME_SECONDS = 3600.0


class AccessTokens:
    """Development-issuer tokens the app using `data_dir` accepts."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._settings = _auth_settings()
        self._minted: dict[tuple[str, tuple[str, ...]], str] = {}

    def token(self, subject: str, *scopes: str) -> str:
        key = (subject, tuple(sorted(scopes)))
        if key not in self._minted:
            self._minted[key] = mint_token(
                self._settings,
                self.data_dir,
                subject=subject,
                scopes=key[1],
                expires_seconds=LIFETIME_SECONDS,
            )
        return self._minted[key]

    def headers(self, subject: str, *scopes: str) -> dict[str, str]:
        """The `Authorization` header of a token for `subject` with `scopes`."""
        return {"authorization": f"Bearer {self.token(subject, *scopes)}"}


def resource_scopes(feature: str) -> tuple[str, str]:
    """The read and write scopes of a resource protected by `Access.scopes(feature)`."""
    return f"{feature}:read", f"{feature}:write"


def ensure_identity(app: FastAPI, data_dir: Path) -> None:
    """Give `app` the development issuer of `data_dir` if its factory gave it no identity.

    For apps assembled without the identity platform (it is wired in by the app factory);
    an app that has one keeps it.
    """
    state = state_of(app)
    if IDENTITY not in state:
        state.put(IDENTITY, build_identity(_auth_settings(), data_dir))


@cache
def _auth_settings() -> AuthSettings:
    # The environment's PETSAGE_AUTH_* as the app reads them, no `.env`.
    return AuthSettings(_env_file=None)
