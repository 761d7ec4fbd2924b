"""The identity platform's refusals, each carrying its status and RFC 6750 challenge.

The body and the challenge say no more than RFC 6750's error codes: never which check failed
(a signature, an expiry, an audience), which would teach an attacker what to change next.
"""

from __future__ import annotations

from typing import ClassVar

from petsage.errors import PetSageError

REALM = "PetSage"


class MissingTokenError(PetSageError):
    """No bearer token: RFC 6750 3.1 sends the bare challenge, with no error code."""

    status_code = 401
    code = "unauthorized"

    def __init__(self) -> None:
        super().__init__("An access token is required.")

    def response_headers(self) -> dict[str, str]:
        return {"www-authenticate": f'Bearer realm="{REALM}"'}


class InvalidTokenError(PetSageError):
    """A token was sent and is not acceptable, for whatever reason (kept to ourselves)."""

    status_code = 401
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__("The access token is not valid.")

    def response_headers(self) -> dict[str, str]:
        return {"www-authenticate": f'Bearer realm="{REALM}", error="invalid_token"'}


class InsufficientScopeError(PetSageError):
    """A valid token without every scope the route needs."""

    status_code = 403
    code = "insufficient_scope"

    def __init__(self, needed: tuple[str, ...]) -> None:
        super().__init__(
            "The access token lacks a scope this request needs.", scope=" ".join(needed)
        )
        self.needed = needed

    def response_headers(self) -> dict[str, str]:
        scope = " ".join(self.needed)
        return {
            "www-authenticate": (
                f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}"'
            )
        }


class KeysUnavailableError(PetSageError):
    """No usable key: the identity provider is at fault, not the caller (503, not 401)."""

    status_code = 503
    code = "service_unavailable"
    retry_after_seconds: ClassVar[int | None] = 5

    def __init__(self) -> None:
        super().__init__("Access tokens cannot be checked right now.")
