"""Who may see operational details: check durations and errors, build and process facts.

`PETSAGE_HEALTH_DETAILS` decides: `never`, `always`, or `authorized` (the default), under which
only a request with `Authorization: Bearer <PETSAGE_HEALTH_TOKEN>` sees them, or one with an
access token carrying PETSAGE_AUTH_DETAILS_SCOPE (`petsage:details`). A token that is not
valid only leaves the caller anonymous: details are an extra, never a reason for a 401.
"""

from __future__ import annotations

import hmac

from petsage.auth.runtime import Identity
from petsage.errors import PetSageError
from petsage.settings import HealthDetails, Settings


def may_see_details(settings: Settings, authorization_header: str | None) -> bool:
    """Whether a request carrying `authorization_header` may see details."""
    if settings.health_details is HealthDetails.ALWAYS:
        return True
    if settings.health_details is HealthDetails.NEVER or settings.health_token is None:
        return False
    scheme, _, credentials = (authorization_header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    expected = settings.health_token.get_secret_value().encode()
    # Constant time: the comparison must not tell an attacker how much of a guess was right.
    return hmac.compare_digest(credentials.strip().encode(), expected)


def access_token(settings: Settings, authorization_header: str | None) -> str | None:
    """The bearer credential to verify as an access token, under `authorized` only."""
    if settings.health_details is not HealthDetails.AUTHORIZED:
        return None
    scheme, _, credentials = (authorization_header or "").partition(" ")
    token = credentials.strip()
    return token if scheme.lower() == "bearer" and token else None


async def token_shows_details(identity: Identity, token: str) -> bool:
    """Whether `token` is a valid access token with the details scope."""
    try:
        principal = await identity.principal(token)
    except PetSageError:
        return False
    return identity.settings.auth_details_scope in principal.scopes


def depends_on_authorization(settings: Settings) -> bool:
    """Whether two callers may get different answers by their `Authorization` header alone:
    under `authorized`, an access token with the details scope may always be presented."""
    return settings.health_details is HealthDetails.AUTHORIZED
