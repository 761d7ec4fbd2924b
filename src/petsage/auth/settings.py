"""Typed settings of the identity platform: `PETSAGE_AUTH_*` and `PETSAGE_CORS_*`.

A class apart from `petsage.settings.Settings` so that the platform can be built and tested on
its own; the fields keep the `auth_`/`cors_` prefix so that `describe_validation_error` names
the variable exactly as the operator typed it (`PETSAGE_AUTH_LEEWAY_SECONDS: ...`).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import AnyHttpUrl, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from petsage.settings import (
    ENV_PREFIX,
    ConfigurationError,
    describe_settings_error,
    describe_validation_error,
)

# RFC 8725 3.1: a verifier accepts only the algorithms it means to. Asymmetric ones only: a
# JWKS publishes public keys, and an HMAC "key" taken from it is known to everybody.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
DEFAULT_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
DEFAULT_DETAILS_SCOPE = "petsage:details"
DEFAULT_AUDIENCE = "petsage"
MAX_LEEWAY_SECONDS = 60


def _split_words(value: Any) -> Any:
    """`a,b c` -> ("a", "b", "c"): a list setting typed in a shell, not JSON."""
    if isinstance(value, str):
        return tuple(word for word in value.replace(",", " ").split() if word)
    return value


class AuthSettings(BaseSettings):
    """Who issues the access tokens PetSage accepts, and how they are checked."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    # Unset: PetSage is its own development issuer (petsage.auth.dev_issuer).
    auth_issuer: str | None = Field(default=None, min_length=1)
    auth_audience: str = Field(default=DEFAULT_AUDIENCE, min_length=1)
    # Overrides the `jwks_uri` of the issuer's OpenID discovery document.
    auth_jwks_url: AnyHttpUrl | None = None
    auth_algorithms: Annotated[tuple[str, ...], NoDecode] = DEFAULT_ALGORITHMS
    # RFC 8725 gives no number; a minute covers real clock drift, more would extend tokens.
    auth_leeway_seconds: float = Field(default=30.0, ge=0, le=MAX_LEEWAY_SECONDS)
    # How long fetched keys are kept, whatever the JWKS `Cache-Control` says: the floor keeps a
    # `max-age=0` provider from being fetched on every round, the ceiling brings rotations in.
    auth_jwks_min_ttl_seconds: float = Field(default=60.0, ge=1, le=86_400)
    auth_jwks_max_ttl_seconds: float = Field(default=3600.0, ge=1, le=86_400)
    # After a failed fetch, the next try (then doubling up to the floor above, at most).
    auth_jwks_retry_seconds: float = Field(default=5.0, ge=0.1, le=3600)
    auth_jwks_timeout_seconds: float = Field(default=3.0, ge=0.1, le=60)
    # An unknown `kid` refreshes the keys at most this often, for every request waiting on it.
    auth_unknown_kid_interval_seconds: float = Field(default=30.0, ge=1, le=3600)
    # Verified tokens kept, so that a repeated one skips the signature (never beyond its exp).
    auth_token_cache_size: int = Field(default=4096, ge=0, le=1_000_000)
    # The development issuer signs tokens nobody but this machine should trust: refused on a
    # non-loopback address unless this says the operator means it.
    auth_dev_issuer_allow_remote: bool = False
    # The scope that lets an access token see health details (petsage.http.detail_policy).
    # RFC 6749 3.3's scope-token characters.
    auth_details_scope: str = Field(
        default=DEFAULT_DETAILS_SCOPE, pattern=r"^[\x21\x23-\x5b\x5d-\x7e]+$"
    )

    # Exact origins (`https://app.example.com`), `*` for any (never with credentials).
    cors_allow_origins: Annotated[tuple[str, ...], NoDecode] = ()
    cors_allow_credentials: bool = False
    cors_max_age_seconds: int = Field(default=600, ge=0, le=86_400)

    _split_algorithms = field_validator("auth_algorithms", mode="before")(_split_words)
    _split_origins = field_validator("cors_allow_origins", mode="before")(_split_words)

    @field_validator("auth_algorithms")
    @classmethod
    def _asymmetric_only(cls, algorithms: tuple[str, ...]) -> tuple[str, ...]:
        if not algorithms:
            raise ValueError("at least one algorithm is needed")
        for name in algorithms:
            if name not in ASYMMETRIC_ALGORITHMS:
                # `none` and HS* included: see ASYMMETRIC_ALGORITHMS.
                allowed = ", ".join(sorted(ASYMMETRIC_ALGORITHMS))
                raise ValueError(f"{name!r} is not allowed (use some of {allowed})")
        return algorithms

    @field_validator("auth_issuer", mode="before")
    @classmethod
    def _empty_is_unset(cls, issuer: Any) -> Any:
        # `PETSAGE_AUTH_ISSUER=` (compose's `${PETSAGE_AUTH_ISSUER:-}`) means no issuer.
        return None if issuer == "" else issuer

    @field_validator("auth_issuer")
    @classmethod
    def _issuer_is_a_url(cls, issuer: str | None) -> str | None:
        # Compared byte for byte with `iss` (RFC 9068 4): never normalised, only checked.
        if issuer is not None and not issuer.startswith(("https://", "http://")):
            raise ValueError("the issuer is a URL (https://...), as in its discovery document")
        return issuer

    @field_validator("auth_jwks_max_ttl_seconds")
    @classmethod
    def _ceiling_above_floor(cls, ceiling: float, info: ValidationInfo) -> float:
        floor = info.data.get("auth_jwks_min_ttl_seconds")
        if floor is not None and ceiling < floor:
            raise ValueError(f"below PETSAGE_AUTH_JWKS_MIN_TTL_SECONDS ({floor:g} s)")
        return ceiling

    @field_validator("cors_allow_origins")
    @classmethod
    def _exact_origins(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        for origin in origins:
            if origin != "*" and not _is_origin(origin):
                raise ValueError(
                    f"{origin[:80]!r} is not an origin (scheme://host[:port], no path)"
                )
        return origins

    @field_validator("cors_allow_credentials")
    @classmethod
    def _no_wildcard_with_credentials(cls, credentials: bool, info: ValidationInfo) -> bool:
        # Browsers refuse `*` with credentials (Fetch standard); echoing any origin instead
        # would let every site call PetSage with the user's credentials.
        if credentials and "*" in info.data.get("cors_allow_origins", ()):
            raise ValueError("cannot be true while PETSAGE_CORS_ALLOW_ORIGINS contains '*'")
        return credentials

    @property
    def development_issuer(self) -> bool:
        """True when PetSage issues its own tokens (no PETSAGE_AUTH_ISSUER)."""
        return self.auth_issuer is None


def _is_origin(text: str) -> bool:
    scheme, separator, rest = text.partition("://")
    return (
        scheme in {"http", "https"}
        and bool(separator)
        and bool(rest)
        and not any(char in rest for char in "/?#@ ")
    )


def load_auth_settings(**overrides: Any) -> AuthSettings:
    """`AuthSettings` from the environment; an invalid value is a one-line `ConfigurationError`."""
    try:
        return AuthSettings(**overrides)
    except ValidationError as exc:
        raise ConfigurationError(describe_validation_error(exc)) from None
    except SettingsError as exc:
        raise ConfigurationError(describe_settings_error(exc)) from None


def refuse_remote_development_issuer(settings: AuthSettings, host: str) -> None:
    """`petsage serve` on a non-loopback address with the development issuer: anyone who can
    read the data directory could mint tokens, and nobody configured that. One line, unless
    PETSAGE_AUTH_DEV_ISSUER_ALLOW_REMOTE says the operator means it."""
    if settings.auth_issuer is not None or settings.auth_dev_issuer_allow_remote:
        return
    if not is_loopback(host):
        raise ConfigurationError(
            f"the development issuer (no PETSAGE_AUTH_ISSUER) is refused on {host}, which is "
            "not a loopback address: set PETSAGE_AUTH_ISSUER, or "
            "PETSAGE_AUTH_DEV_ISSUER_ALLOW_REMOTE=true to allow it"
        )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
