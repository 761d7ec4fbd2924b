"""Route dependencies of the identity platform: `PrincipalDep` (any valid access token) and
`require_scopes(...)`, reading the app's `Identity` (petsage.auth.runtime) under `IDENTITY`.

    async def delete_pet(caller: Annotated[Principal, require_scopes("pet_profile:write")]): ...

Both are `Security` dependencies on one bearer scheme, so OpenAPI lists each route's security
requirement with its scopes, and Swagger UI's Authorize button takes a token. A request checks
its token once however many of them a route declares.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from petsage.auth.errors import InsufficientScopeError
from petsage.auth.principal import PRINCIPAL_SCOPE_KEY, Principal
from petsage.auth.runtime import Identity
from petsage.http.error_models import ErrorResponse
from petsage.http.state import StateKey, state_of

ACCESS_TOKEN_SCHEME = "AccessToken"  # noqa: S105 (a name, not a secret)

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name=ACCESS_TOKEN_SCHEME,
    bearerFormat="JWT",
    description=(
        "An OAuth 2.0 access token from PETSAGE_AUTH_ISSUER (or `petsage auth token` with the "
        "development issuer)."
    ),
)


IDENTITY: StateKey[Identity] = StateKey("identity")

# The answers a protected route may give besides its own, for its `responses=`.
TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No access token, or one not valid."},
    503: {"model": ErrorResponse, "description": "The issuer's keys cannot be had for now."},
}
SCOPE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **TOKEN_RESPONSES,
    403: {"model": ErrorResponse, "description": "The token lacks a scope the route needs."},
}


async def _principal(
    request: Request,
    needed: SecurityScopes,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Principal:
    principal = request.scope.get(PRINCIPAL_SCOPE_KEY)
    if not isinstance(principal, Principal):
        token = None if credentials is None else credentials.credentials
        principal = await state_of(request.app).get(IDENTITY).principal(token)
        request.scope[PRINCIPAL_SCOPE_KEY] = principal
    scopes = tuple(needed.scopes)
    if not principal.has_scopes(scopes):
        raise InsufficientScopeError(scopes)
    return principal


# Any caller with a valid access token.
PrincipalDep = Annotated[Principal, Security(_principal)]


def require_scopes(*scopes: str) -> Any:
    """A dependency for `Annotated[Principal, require_scopes("a", "b")]`: a valid token that
    carries every one of `scopes` (403 insufficient_scope otherwise)."""
    return Security(_principal, scopes=list(scopes))
