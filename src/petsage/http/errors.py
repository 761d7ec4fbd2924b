"""One renderer for every error.

Services raise `petsage.errors.PetSageError` subclasses and never import FastAPI.
`install_error_handlers` renders those, Starlette's HTTP errors (404, 405 with `Allow`) and
request validation errors as the same JSON shape, and turns anything unexpected into a logged,
detail-free 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from petsage.errors import PetSageError

logger = logging.getLogger(__name__)


def error_body(status_code: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one JSON error shape: `{"error": {"status", "code", "message", ...}}`."""
    return {"error": {"status": status_code, "code": code, "message": message, **extra}}


async def _render_domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PetSageError)
    body = error_body(exc.status_code, exc.code, exc.message, **exc.context)
    headers = exc.response_headers() or None
    return JSONResponse(jsonable_encoder(body), status_code=exc.status_code, headers=headers)


async def _render_http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return JSONResponse(
        error_body(exc.status_code, code, message),
        status_code=exc.status_code,
        headers=exc.headers,
    )


async def _render_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"location": list(err["loc"]), "message": err["msg"], "type": err["type"]}
        for err in exc.errors()
    ]
    body = error_body(422, "validation_error", "The request is not valid.", problems=problems)
    return JSONResponse(jsonable_encoder(body), status_code=422)


async def _render_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log, never to the caller.
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        error_body(500, "internal_error", "Internal server error."), status_code=500
    )


async def _render_client_gone(_: Request, __: Exception) -> JSONResponse:
    # The body never came: the client left, or the protocol refused it (its cap, its deadline)
    # and answered already. Nobody reads this answer: 499 (nginx's "client closed request")
    # keeps it apart from the server's errors in the access log and the request metrics.
    return JSONResponse(
        error_body(CLIENT_CLOSED_REQUEST, "client_closed_request", "The request ended early."),
        status_code=CLIENT_CLOSED_REQUEST,
    )


CLIENT_CLOSED_REQUEST = 499
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    503: "service_unavailable",
}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PetSageError, _render_domain_error)
    app.add_exception_handler(StarletteHTTPException, _render_http_error)
    app.add_exception_handler(RequestValidationError, _render_validation_error)
    app.add_exception_handler(ClientDisconnect, _render_client_gone)
    app.add_exception_handler(Exception, _render_unexpected_error)
