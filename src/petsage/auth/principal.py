"""Who is calling: the subject, the client acting for it, and what it may do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Where a request's principal is kept in its ASGI scope, once its token is verified: the access
# log reads it from there (petsage.observability.request_context).
PRINCIPAL_SCOPE_KEY = "petsage.principal"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller an access token names (RFC 9068 2.2)."""

    subject: str
    client_id: str | None
    scopes: frozenset[str]

    def has_scopes(self, needed: tuple[str, ...]) -> bool:
        return self.scopes.issuperset(needed)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        """Read a verified token's claims. `scope` is RFC 9068's space-separated string; `scp`
        (a list, or a string) is what Entra ID and Okta send; `azp` the OpenID name for the
        client. Values of the wrong type count as absent, so they cannot grant anything."""
        scopes = _scopes(claims.get("scope"))
        if not scopes:
            scopes = _scopes(claims.get("scp"))
        client = claims.get("client_id", claims.get("azp"))
        return cls(
            subject=str(claims["sub"]),
            client_id=client if isinstance(client, str) else None,
            scopes=scopes,
        )


def _scopes(value: object) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list):
        return frozenset(item for item in value if isinstance(item, str))
    return frozenset()
