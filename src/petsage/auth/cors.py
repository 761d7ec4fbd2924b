"""Cross-origin calls from browser apps (`PETSAGE_CORS_ALLOW_ORIGINS`), by Starlette's pure
ASGI CORS middleware: exact origins only, and never `*` with credentials (refused by
`AuthSettings`)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from petsage.auth.settings import AuthSettings

ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
ALLOWED_HEADERS = ("authorization", "content-type", "if-match", "if-none-match", "x-request-id")
# What a page's script may read of an answer, beyond the CORS-safelisted headers.
EXPOSED_HEADERS = ("etag", "location", "retry-after", "www-authenticate", "x-request-id")


def install_cors(app: FastAPI, settings: AuthSettings) -> None:
    """Answer preflights and mark answers for the listed origins; nothing when none is."""
    if not settings.cors_allow_origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_allow_origins),
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=list(ALLOWED_METHODS),
        allow_headers=list(ALLOWED_HEADERS),
        expose_headers=list(EXPOSED_HEADERS),
        max_age=settings.cors_max_age_seconds,
    )
