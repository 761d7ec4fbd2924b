"""The HTTP side of the kit: path and header parameters, the list's query parameters, the
item response with its `ETag`, and the error statuses documented in OpenAPI.

A generated router.py uses only these and the `Resource`'s methods.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel

from petsage.http.error_models import ErrorResponse, ValidationErrorResponse
from petsage.resources.errors import QueryRefused, problem
from petsage.resources.etag import ETagMatch, Versioned, etag_of
from petsage.resources.query import (
    ID_MAX,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    SORT_PARAMETER,
    Filter,
    ListQuery,
    ListShape,
)
from petsage.resources.row import python_type
from petsage.resources.schemas import ResourcePublic
from petsage.resources.values import without_not_future

ListQueryDependency = Callable[..., Awaitable[ListQuery]]

ResourceId = Annotated[int, Path(ge=1, le=ID_MAX, description="The item's id.", examples=[1])]


async def _if_match(
    header: Annotated[
        str | None,
        Header(
            alias="if-match",
            description="Change only if the item's `ETag` is one of these (`*`: any); else 412.",
        ),
    ] = None,
) -> ETagMatch | None:
    return None if header is None else ETagMatch.parse(header)


async def _if_none_match(
    header: Annotated[
        str | None,
        Header(
            alias="if-none-match",
            description="Answer 304 without a body if the item's `ETag` is one of these.",
        ),
    ] = None,
) -> ETagMatch | None:
    return None if header is None else ETagMatch.parse(header)


IfMatch = Annotated[ETagMatch | None, Depends(_if_match)]
IfNoneMatch = Annotated[ETagMatch | None, Depends(_if_none_match)]


def etag_headers(item: Versioned) -> dict[str, str]:
    """The headers naming the item's version: `ETag`."""
    return {"ETag": etag_of(item)}


def item_response(item: ResourcePublic, if_none_match: ETagMatch | None) -> Response:
    """200 with the item as JSON and its `ETag`; 304 with the `ETag` alone when the caller
    holds that version already (`If-None-Match`)."""
    headers = etag_headers(item)
    if if_none_match is not None and if_none_match.matches_weakly(headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(item.model_dump_json(), media_type="application/json", headers=headers)


def _error(description: str, model: type[BaseModel] = ErrorResponse) -> dict[str, Any]:
    return {"model": model, "description": description}


# OpenAPI `responses=` for each route; FastAPI documents the success answer itself.
RESOURCE_RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `If-None-Match` tag is the current one."},
    # FastAPI's own answer to a body it cannot decode (not UTF-8): found by Schemathesis.
    400: _error("The body cannot be read as JSON text."),
    404: _error("No item has that id."),
    409: _error("Another item holds a value that must be unique, or the item is referred to."),
    412: _error("The `If-Match` tag is not the current one, or the item changed meanwhile."),
    422: _error("Invalid parameters or body.", ValidationErrorResponse),
}


def _pick(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: RESOURCE_RESPONSES[status] for status in statuses}


LIST_RESPONSES = _pick(422)
CREATE_RESPONSES = _pick(400, 409, 422)
READ_RESPONSES = _pick(304, 404, 422)
UPDATE_RESPONSES = _pick(400, 404, 409, 412, 422)
DELETE_RESPONSES = _pick(404, 409, 412, 422)

_DESCRIPTIONS = {
    "eq": "Only items whose `{}` equals this.",
    "gte": "Only items whose `{}` is at least this.",
    "lte": "Only items whose `{}` is at most this.",
}


def list_query_dependency(shape: ListShape, public: type[BaseModel]) -> ListQueryDependency:
    """A dependency taking `limit`, `offset`, `sort` and each filter of `shape` as documented
    query parameters (typed from `public`'s fields, so an enum validates), refusing any other
    query parameter with a 422 that names it."""
    filters = {each.parameter: each for each in shape.filters}
    clashing = filters.keys() & {"request", "limit", "offset", SORT_PARAMETER}
    if clashing:
        raise ValueError(f"filter parameters clash with the list's own: {sorted(clashing)}")
    known = shape.parameters

    async def list_query(request: Request, **values: Any) -> ListQuery:
        unknown = [name for name in request.query_params if name not in known]
        if unknown:
            raise QueryRefused([_unknown(name, known) for name in dict.fromkeys(unknown)])
        chosen = tuple(
            Filter(each.field, each.comparison, values[name])
            for name, each in filters.items()
            if values[name] is not None
        )
        return ListQuery(
            limit=values["limit"],
            offset=values["offset"],
            filters=chosen,
            sort=shape.sort_keys(values[SORT_PARAMETER]),
        )

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        *_page_parameters(shape),
        *(_filter_parameter(name, each, shape, public) for name, each in filters.items()),
    ]
    list_query.__signature__ = inspect.Signature(parameters, return_annotation=ListQuery)  # type: ignore[attr-defined]
    return list_query


def _keyword(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


def _page_parameters(shape: ListShape) -> list[inspect.Parameter]:
    sortable = ", ".join(f"`{name}`" for name in sorted(shape.sortable))
    sort_text = (
        f"Comma-separated keys, `-` for descending, as `-created_at,id`; one of {sortable}. "
        f"Ties are broken by `id`. Default: `{shape.default_order}`."
    )
    return [
        _keyword(
            "limit",
            Annotated[int, Query(ge=1, le=LIMIT_MAX, description="Page size.")],
            LIMIT_DEFAULT,
        ),
        _keyword("offset", Annotated[int, Query(ge=0, le=ID_MAX, description="Items to skip.")], 0),
        _keyword(SORT_PARAMETER, Annotated[str | None, Query(description=sort_text)], None),
    ]


def _filter_parameter(
    name: str, each: Filter, shape: ListShape, public: type[BaseModel]
) -> inspect.Parameter:
    field = public.model_fields.get(each.field)
    value_type: Any = python_type(shape.columns[each.field]) or str
    if field is not None:
        # The field's rules, as its type states them (a required field's are in `metadata`),
        # but a filter may name a day still to come.
        rules = Annotated[(field.annotation, *field.metadata)] if field.metadata else None
        value_type = without_not_future(rules or field.annotation)
    description = _DESCRIPTIONS[each.comparison].format(each.field)
    return _keyword(name, Annotated[value_type | None, Query(description=description)], None)


def _unknown(name: str, known: frozenset[str]) -> dict[str, Any]:
    message = f"unknown query parameter; this list takes {', '.join(sorted(known))}"
    return problem(["query", name], message, "unknown_parameter")
