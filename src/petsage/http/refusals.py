"""Requests the HTTP protocol refused before any application saw them, by reason.

A refusal happens in uvicorn's protocol (`petsage.http.protocol`), below the app and its
middleware, so no request metric sees it: a 431 changed no counter. The protocol counts here
and the metrics read the counts when scraped. The counts belong to the process, as the
protocol does (one per worker), not to one app: `petsage.observability` sits above this layer
and reads them; this layer never imports it.
"""

from __future__ import annotations

import http

# The `reason` label of each refusal the protocol makes; other statuses use their number.
REASONS: dict[int, str] = {
    http.HTTPStatus.REQUEST_TIMEOUT: "header_timeout",
    http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "body_too_large",
    http.HTTPStatus.REQUEST_URI_TOO_LONG: "uri_too_long",
    http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "header_too_large",
    http.HTTPStatus.SERVICE_UNAVAILABLE: "over_capacity",
}
# A 408 for a body: its status is the head's, its cause is not.
BODY_TIMEOUT = "body_timeout"


class RefusalCounts:
    """How many requests were refused, by reason; every known reason starts at 0."""

    def __init__(self) -> None:
        self.by_reason: dict[str, int] = dict.fromkeys((*REASONS.values(), BODY_TIMEOUT), 0)

    def count(self, status: int, reason: str | None = None) -> None:
        reason = reason or REASONS.get(status) or str(status)
        self.by_reason[reason] = self.by_reason.get(reason, 0) + 1


# This process's counts: the protocol of every connection counts into it.
REFUSALS = RefusalCounts()
