"""The OpenAPI document, served at `/openapi.json`, completed where FastAPI's falls short.

- HEAD is served wherever GET is (`HeadAsGetMiddleware`), but FastAPI documents only the
  methods a route declares: every `get` operation gains a `head` twin without response bodies.
- The health token only adds details; anonymous access is by design. FastAPI lists a security
  scheme as required even when its dependency never fails (`auto_error=False`), so an
  operation secured by optional schemes only also lists the empty requirement `{}`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from petsage.routing import RecordedRoute

OPENAPI_URL = "/openapi.json"
Document = dict[str, Any]


def install_openapi(app: FastAPI, *, optional_schemes: Collection[str]) -> None:
    """Serve the completed document at `OPENAPI_URL` (create `app` with `openapi_url=None`)."""
    generate = app.openapi
    completed: list[Document] = []

    def openapi() -> Document:
        document = generate()
        # FastAPI caches its document and rebuilds it when routes change: complete each once.
        if not completed or completed[0] is not document:
            complete(document, optional_schemes)
            completed[:] = [document]
        return document

    app.openapi = openapi  # type: ignore[method-assign]
    app.router.routes.append(
        RecordedRoute(OPENAPI_URL, _endpoint(app, openapi), include_in_schema=False)
    )


def _endpoint(app: FastAPI, openapi: Callable[[], Document]) -> Callable[..., Any]:
    async def get_openapi(request: Request) -> JSONResponse:
        document = openapi()
        # As FastAPI's own endpoint: behind a proxy that strips a prefix, clients call the
        # API under that prefix.
        root_path = request.scope.get("root_path", "").rstrip("/")
        servers = document.get("servers", [])
        if root_path and app.root_path_in_servers and root_path not in _urls(servers):
            document = {**document, "servers": [{"url": root_path}, *servers]}
        return JSONResponse(document)

    return get_openapi


def _urls(servers: list[dict[str, Any]]) -> set[str]:
    return {server.get("url", "") for server in servers}


def complete(document: Document, optional_schemes: Collection[str]) -> None:
    """Add the HEAD operations and mark optional security as such, in place."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            _mark_optional_security(operation, optional_schemes)
        get = operations.get("get")
        if get is not None and "head" not in operations:
            operations["head"] = head_operation(get)


def head_operation(get: Document) -> Document:
    """The HEAD twin of a GET operation: same parameters and statuses, no response body."""
    head = copy.deepcopy(get)
    if "summary" in head:
        head["summary"] = f"{head['summary']} (headers only)"
    if "operationId" in head:
        head["operationId"] = f"{head['operationId'].removesuffix('_get')}_head"
    for response in head.get("responses", {}).values():
        response.pop("content", None)
    return head


def _mark_optional_security(operation: Document, optional_schemes: Collection[str]) -> None:
    security: list[dict[str, list[str]]] | None = operation.get("security")
    if not security or {} in security:
        return
    if all(set(requirement) <= set(optional_schemes) for requirement in security):
        security.append({})
