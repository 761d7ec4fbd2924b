"""Who may see operational details: check durations and errors, build and process facts.

`PETSAGE_HEALTH_DETAILS` decides: `never`, `always`, or `authorized` (the default), under which
only a request with `Authorization: Bearer <PETSAGE_HEALTH_TOKEN>` sees them. Without a
configured token, `authorized` shows details to nobody.
"""

from __future__ import annotations

import hmac

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


def depends_on_authorization(settings: Settings) -> bool:
    """Whether two callers may get different answers by their `Authorization` header alone."""
    return settings.health_details is HealthDetails.AUTHORIZED and settings.health_token is not None
