"""ETags and `If-None-Match` for the status page's small answers: the JSON, feed and badges.

A tag is the hash of the bytes sent, so every instance gives the same answer the same tag.
It is weak (`W/`): a proxy that compresses the answer sends other bytes of the same content.
A poller that sends back the tag it holds gets a 304 without a body until something changes.
"""

from __future__ import annotations

import hashlib

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


def conditional(
    request: Request, body: bytes, *, media_type: str, headers: dict[str, str]
) -> Response:
    """200 with `body` and its ETag, or 304 with the ETag alone when the caller holds it."""
    tag = etag_of(body)
    sent = {**headers, "etag": tag}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=sent)
    return Response(body, media_type=media_type, headers=sent)
