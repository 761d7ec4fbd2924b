"""The bounds `petsage serve` puts on every request before the app sees it (http/protocol.py)."""

from __future__ import annotations

from dataclasses import dataclass

from petsage.settings import Settings


@dataclass(frozen=True)
class HttpLimits:
    # The request line and headers; the trailer fields of a chunked body, separately.
    max_header_bytes: int
    # From a head's first byte until its end.
    header_timeout_seconds: float
    # The bytes after the head: the body, and for a chunked one its framing and trailers.
    max_body_bytes: int
    # From the end of the head until the end of the body.
    body_timeout_seconds: float
    max_connections: int

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpLimits:
        return cls(
            max_header_bytes=settings.http_max_header_bytes,
            header_timeout_seconds=settings.http_header_timeout_seconds,
            max_body_bytes=settings.http_max_body_bytes,
            body_timeout_seconds=settings.http_body_timeout_seconds,
            max_connections=settings.http_max_connections,
        )
