"""`Vary: Authorization` on every answer the detail policy shaped.

Under `PETSAGE_HEALTH_DETAILS=authorized` two callers of one URL get different answers by their
`Authorization` header alone: a cache that is not told so could hand a token holder's details
to the next anonymous caller, or the anonymous answer to a dashboard. The dependency that reads
the policy (`petsage.http.dependencies`) notes it in the request's scope, where a route's own
`Response` cannot get in the way, and `HeadAsGetMiddleware`, which sees the scope the route was
given (a copy, for HEAD) and every answer's head, adds the header.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Scope

BY_AUTHORIZATION = "petsage.vary_by_authorization"
_AUTHORIZATION = b"Authorization"
# What an answer rendered ahead of time carries instead (the probe lane's).
VARY_BY_AUTHORIZATION = (b"vary", _AUTHORIZATION)


def note_authorization(scope: Scope) -> None:
    """Record that the answer to this request depends on its `Authorization` header."""
    scope[BY_AUTHORIZATION] = True


def with_vary(scope: Scope, headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers`, with `Authorization` added to `Vary` (merged into one there already) when the
    route noted it."""
    headers = list(headers)
    if not scope.get(BY_AUTHORIZATION):
        return headers
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            listed = {item.strip().lower() for item in value.split(b",")}
            if not listed & {b"*", _AUTHORIZATION.lower()}:
                headers[index] = (name, value + b", " + _AUTHORIZATION)
            return headers
    headers.append((b"vary", _AUTHORIZATION))
    return headers
