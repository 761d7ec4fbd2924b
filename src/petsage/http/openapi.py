"""The OpenAPI document, served at `/openapi.json`, completed where FastAPI's falls short.

Generated clients build one parser per status from the document, so it must say exactly what
the server sends:
- `application/json` comes first in every response: a generator parses a status with its first
  media type, and FastAPI lists a `responses=` media type before the model's JSON.
- A schema given for another media type (`media_schema`) becomes a named component, as
  FastAPI makes of JSON models: clients get a type for it, not an anonymous object.
- Operation ids are the handlers' names in camel case (`getReadiness`), short and stable.
- Every error is the one JSON shape (`petsage.http.error_models`): FastAPI's own `422`
  (`HTTPValidationError`, `{"detail": [...]}`, never sent) becomes `ValidationErrorResponse`,
  and an error status documented without a body gets `ErrorResponse`.
- HEAD is served wherever GET is (`HeadAsGetMiddleware`), and the document says so once, in
  its description: a `head` twin of every `get` listed each operation twice in Swagger UI and
  ReDoc, and gave clients a second method for every read.
- The health token only adds details; anonymous access is by design. FastAPI lists a security
  scheme as required even when its dependency never fails (`auto_error=False`), so an
  operation secured by optional schemes only also lists the empty requirement `{}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from petsage.http.error_models import ErrorResponse, ValidationErrorResponse
from petsage.http.routing import RecordedRoute

OPENAPI_URL = "/openapi.json"
JSON = "application/json"
COMPONENT_REF = "#/components/schemas/{model}"
HEAD_NOTE = (
    "Every `GET` operation also answers `HEAD` (RFC 9110): the same status and headers, "
    "without the body."
)
Document = dict[str, Any]
# FastAPI's validation models, which PetSage's error handler replaces.
FASTAPI_422 = ("HTTPValidationError", "ValidationError")
_WORD_SEPARATOR = re.compile(r"[_\W]+")


def operation_id(route: APIRoute) -> str:
    """The operation id of `route`: its name in camel case (`get_readiness` -> `getReadiness`).

    FastAPI's default appends the path and method (`get_readiness_system_health_ready_get`),
    which every generated client then carries as a method name."""
    first, *rest = (word for word in _WORD_SEPARATOR.split(route.name) if word)
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def media_schema(model: type[BaseModel]) -> Document:
    """`model`'s schema for a media type other than JSON in a route's `responses=`: the
    document names it and its parts in `components/schemas`, as FastAPI does for JSON."""
    return model.model_json_schema(by_alias=True, mode="serialization", ref_template=COMPONENT_REF)


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
    """Complete FastAPI's document in place, as the module's docstring says."""
    info = document.setdefault("info", {})
    info["description"] = "\n\n".join(filter(None, [info.get("description"), HEAD_NOTE]))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            _mark_optional_security(operation, optional_schemes)
            for status, response in operation.get("responses", {}).items():
                _complete_error(status, response)
                _complete_content(response, schemas)
    for name in FASTAPI_422:
        schemas.pop(name, None)


def _complete_error(status: str, response: Document) -> None:
    if not status.isdigit() or int(status) < 400:
        return
    content = response.get("content", {})
    if status == "422" and _is_fastapi_422(content.get(JSON, {}).get("schema")):
        content[JSON] = {"schema": media_schema(ValidationErrorResponse)}
    elif not content:
        response["content"] = {JSON: {"schema": media_schema(ErrorResponse)}}


def _is_fastapi_422(schema: Document | None) -> bool:
    return schema == {"$ref": COMPONENT_REF.format(model=FASTAPI_422[0])}


def _complete_content(response: Document, schemas: Document) -> None:
    content: Document | None = response.get("content")
    if not content:
        return
    for media in content.values():
        if "$defs" in media.get("schema", {}):
            media["schema"] = _named(media["schema"], schemas)
    if JSON in content:
        response["content"] = {JSON: content[JSON]} | content


def _named(schema: Document, schemas: Document) -> Document:
    """A `media_schema` moved to the components, its parts first; a reference to it instead."""
    schema = dict(schema)
    parts = schema.pop("$defs")
    for name, part in [*parts.items(), (schema["title"], schema)]:
        known = schemas.setdefault(name, part)
        if known != part:
            # Two models by one name: a client would get one type for both.
            raise ValueError(f"two different OpenAPI schemas are named {name!r}")
    return {"$ref": COMPONENT_REF.format(model=schema["title"])}


def _mark_optional_security(operation: Document, optional_schemes: Collection[str]) -> None:
    security: list[dict[str, list[str]]] | None = operation.get("security")
    if not security or {} in security:
        return
    if all(set(requirement) <= set(optional_schemes) for requirement in security):
        security.append({})
