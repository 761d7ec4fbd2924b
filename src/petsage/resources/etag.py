"""Entity tags of stored items, and the `If-Match` / `If-None-Match` lists compared to them.

An item's ETag is strong: `"<version>.<created_at in microseconds>"`. The version changes on
every write; the creation time keeps a row created again under a reused id (SQLite reuses the
highest id once deleted) from answering the tag of the row it replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

# One entity tag: optional weak prefix, then a quoted string (RFC 9110, section 8.8.3).
_TAG = re.compile(r'\s*(W/)?("[^"]*")\s*(?:,|$)')
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class Versioned(Protocol):
    @property
    def version(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...


def etag_of(item: Versioned) -> str:
    """The item's strong entity tag, quotes included, as sent in the `ETag` header."""
    created_us = (item.created_at - _EPOCH) // _MICROSECOND
    return f'"{item.version}.{created_us}"'


@dataclass(frozen=True)
class ETagMatch:
    """A parsed `If-Match` or `If-None-Match`: `*` (any) or a list of tags."""

    any: bool
    strong: frozenset[str]
    weak: frozenset[str]

    @classmethod
    def parse(cls, header: str) -> ETagMatch:
        """The header's value parsed. One that is not a list of entity tags matches nothing:
        `If-Match` then fails (412), `If-None-Match` never answers 304."""
        if header.strip() == "*":
            return cls(any=True, strong=frozenset(), weak=frozenset())
        strong: set[str] = set()
        weak: set[str] = set()
        position = 0
        while position < len(header):
            found = _TAG.match(header, position)
            if found is None or found.end() == position:
                return NOTHING
            (weak if found.group(1) else strong).add(found.group(2))
            position = found.end()
        return cls(any=False, strong=frozenset(strong), weak=frozenset(weak))

    def matches_strongly(self, tag: str) -> bool:
        """`If-Match`: a weak tag never matches (RFC 9110, section 13.1.1)."""
        return self.any or tag in self.strong

    def matches_weakly(self, tag: str) -> bool:
        """`If-None-Match`: weak and strong tags alike (RFC 9110, section 13.1.2)."""
        return self.any or tag in self.strong or tag in self.weak


NOTHING = ETagMatch(any=False, strong=frozenset(), weak=frozenset())
