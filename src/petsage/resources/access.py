"""Who may call a resource, and whose rows a call reaches; free of HTTP types.

`Access` is a resource's rule, given to `resource_router`: `Access.scopes("pet_profile")` asks
for a token with `pet_profile:read` on GET and `pet_profile:write` on every other method, and
`pet_profile:admin` widens an owned resource's calls to every row; `Access.none()` is open to
anyone. `Caller` is who a call comes from, as the `Resource` sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ScopeKind = Literal["read", "write", "admin"]


@dataclass(frozen=True, slots=True)
class Access:
    """A resource's access rule; `feature` prefixes its scopes, None makes it open."""

    feature: str | None

    @classmethod
    def scopes(cls, feature: str) -> Access:
        """Protected: `<feature>:read` for GET, `<feature>:write` for the rest."""
        if not feature or any(char.isspace() or char == ":" for char in feature):
            raise ValueError(f"{feature!r} cannot prefix a scope")
        return cls(feature)

    @classmethod
    def none(cls) -> Access:
        """Open: no token needed, every caller sees every row."""
        return cls(None)

    @property
    def open(self) -> bool:
        return self.feature is None

    def scope(self, kind: ScopeKind) -> str:
        if self.feature is None:
            raise ValueError("an open resource has no scopes")
        return f"{self.feature}:{kind}"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a call to an owned resource comes from: `subject` owns the rows it creates, and
    sees only those unless `every_row` (the admin scope)."""

    subject: str
    every_row: bool = False

    @property
    def owner_seen(self) -> str | None:
        """The owner whose rows the call reaches; None: every row."""
        return None if self.every_row else self.subject
