"""ETags, `If-None-Match` and gzip for the status page's answers: page, JSON, feed, badges.

A tag is the hash of the bytes sent, so every instance gives the same answer the same tag.
It is weak (`W/`): a proxy that compresses the answer sends other bytes of the same content.
A poller that sends back the tag it holds gets a 304 without a body until something changes.
Bodies past a kilobyte go gzipped to a caller that accepts it: the summary's JSON shrinks about
48 times, the page about 12 (issue 20). The compressed bytes are kept per body, so N viewers of
one summary cost one compression.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """`If-None-Match` compared weakly (RFC 9110, 13.1.2): `*`, or any listed tag."""
    if if_none_match is None:
        return False
    opaque = tag.removeprefix("W/")
    listed = (item.strip().removeprefix("W/") for item in if_none_match.split(","))
    return any(item in ("*", opaque) for item in listed)


# Below it, gzip's header and the CPU cost more than they save.
SMALLEST_COMPRESSED = 1024


def conditional(
    request: Request, body: bytes, *, media_type: str, headers: dict[str, str]
) -> Response:
    """200 with `body` and its ETag, or 304 with the ETag alone when the caller holds it;
    gzipped when the caller accepts it and the body is worth it."""
    tag = etag_of(body)
    sent = {**headers, "etag": tag, "vary": "accept-encoding"}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=sent)
    if len(body) >= SMALLEST_COMPRESSED and accepts_gzip(request.headers.get("accept-encoding")):
        return Response(
            _gzipped(body), media_type=media_type, headers={**sent, "content-encoding": "gzip"}
        )
    return Response(body, media_type=media_type, headers=sent)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """`gzip` (or `*`) listed without `q=0` (RFC 9110, 12.5.3)."""
    for item in (accept_encoding or "").lower().split(","):
        coding, _, parameters = item.strip().partition(";")
        refused = parameters.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000")
        if coding.strip() in ("gzip", "*") and not refused:
            return True
    return False


@lru_cache(maxsize=32)
def _gzipped(body: bytes) -> bytes:
    # mtime=0: the same body always gives the same bytes, on every instance.
    return gzip.compress(body, compresslevel=6, mtime=0)
