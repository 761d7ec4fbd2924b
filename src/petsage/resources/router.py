"""`resource_router`: a resource's five routes, built once for every resource.

A generated feature's router.py is one call, so a fix to a route (a header, a status, an OpenAPI
answer) lands here for every resource at once, and two generated resources share no code.
Each route stays thin: it parses (FastAPI, from the models given), calls the `Resource` and
returns. The endpoints are named as a hand-written router would name them
(`list_pet_profiles`, `create_pet_profile`, ...): FastAPI builds operation ids from the names.

Each route asks for its scope (`access`): a token with `<feature>:read` for GET,
`<feature>:write` for the rest (401 without a valid token, 403 without the scope, both
documented with the route's security requirement in OpenAPI). The caller reaches the rows of an
owned resource that they own, every row with `<feature>:admin`.
"""

# No `from __future__ import annotations`: FastAPI reads these endpoints' annotations as
# objects, and the models are only known when the router is built.

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from petsage.auth.principal import Principal
from petsage.http.access import SCOPE_RESPONSES, require_scopes
from petsage.http.dependencies import SessionDep
from petsage.resources.access import Access, Caller, ScopeKind
from petsage.resources.http import (
    CREATE_RESPONSES,
    DELETE_RESPONSES,
    LIST_RESPONSES,
    READ_RESPONSES,
    UPDATE_RESPONSES,
    IfMatch,
    IfNoneMatch,
    ResourceId,
    etag_headers,
    item_response,
)
from petsage.resources.query import ListQuery
from petsage.resources.schemas import Page, ResourcePatch, ResourcePublic
from petsage.resources.service import Resource


def resource_router(
    resource: Resource[Any, Any],
    *,
    create: type[BaseModel],
    update: type[ResourcePatch],
    prefix: str,
    tag: str,
    one: str,
    plural: str,
    access: Access,
) -> APIRouter:
    """The list, create, read, change and delete routes of `resource` under `prefix`.

    `create` and `update` are the POST and PATCH bodies; `one` and `plural` name one and many
    in the summaries ("a pet profile", "pet profiles"); `access` says who may call them
    (`Access.scopes("pet_profile")`, or `Access.none()` for an open resource).
    """
    if access.open and resource.owned:
        raise ValueError(f"{plural} belong to their owners: an open resource cannot have them")
    router = APIRouter(prefix=prefix, tags=[tag])
    names = _Names(one, plural, access)
    _add_list(router, resource, names)
    _add_create(router, resource, create, names)
    _add_read(router, resource, names)
    _add_update(router, resource, update, names)
    _add_delete(router, resource, names)
    return router


class _Names:
    """How the routes are named, and who may call them."""

    def __init__(self, one: str, plural: str, access: Access) -> None:
        self.with_article, self.plural = one, plural
        # "a pet profile" -> pet_profile; "pet profiles" -> pet_profiles
        self.one = "_".join(one.split()[1:])
        self.many = "_".join(plural.split())
        self.access = access

    def caller(self, kind: ScopeKind) -> Any:
        """The `Caller | None` dependency of a route needing the `kind` scope."""
        return Annotated[Caller | None, Depends(caller_dependency(self.access, kind))]

    def responses(self, own: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
        return own if self.access.open else {**own, **SCOPE_RESPONSES}


def caller_dependency(access: Access, kind: ScopeKind) -> Callable[..., Awaitable[Caller | None]]:
    """The dependency giving the `Caller` of a route that needs `access`'s `kind` scope, for a
    feature's own routes beside the kit's:
    `caller: Annotated[Caller | None, Depends(caller_dependency(access, "read"))]`.
    401/403 as the kit's routes answer (document them with `SCOPE_RESPONSES`); the caller
    reaches every row with the admin scope; None for an open resource."""
    if access.open:

        async def anyone() -> Caller | None:
            return None

        return anyone
    admin = access.scope("admin")

    async def caller(
        principal: Annotated[Principal, require_scopes(access.scope(kind))],
    ) -> Caller | None:
        return Caller(principal.subject, every_row=principal.has_scopes((admin,)))

    return caller


def _add_list(router: APIRouter, resource: Resource[Any, Any], names: _Names) -> None:
    async def endpoint(
        session: SessionDep, query: ListQuery, caller: Caller | None
    ) -> Page[ResourcePublic]:
        """A page (`limit`, `offset`), filtered and sorted as asked, with the total that
        match."""
        page: Page[ResourcePublic] = await resource.list(session, query, caller=caller)
        return page

    query = Annotated[ListQuery, Depends(resource.list_query)]
    _annotate(endpoint, f"list_{names.many}", query=query, caller=names.caller("read"))
    default = f"Without `sort`, in `{resource.shape.default_order}` order."
    router.get(
        "",
        summary=f"List {names.plural}",
        description=f"{inspect.cleandoc(endpoint.__doc__ or '')} {default}",
        response_model=Page[resource.public],  # type: ignore[name-defined]
        responses=names.responses(LIST_RESPONSES),
    )(endpoint)


def _add_create(
    router: APIRouter, resource: Resource[Any, Any], create: type[BaseModel], names: _Names
) -> None:
    async def endpoint(
        data: BaseModel, session: SessionDep, response: Response, caller: Caller | None
    ) -> Any:
        """Create one; `Location` gives its URL and `ETag` its version."""
        created = await resource.create(session, data, caller=caller)
        response.headers["Location"] = f"{router.prefix}/{created.id}"
        response.headers.update(etag_headers(created))
        return created

    _annotate(endpoint, f"create_{names.one}", data=create, caller=names.caller("write"))
    router.post(
        "",
        status_code=201,
        summary=f"Create {names.with_article}",
        response_model=resource.public,
        responses=names.responses(CREATE_RESPONSES),
    )(endpoint)


def _add_read(router: APIRouter, resource: Resource[Any, Any], names: _Names) -> None:
    async def endpoint(
        id: ResourceId, session: SessionDep, if_none_match: IfNoneMatch, caller: Caller | None
    ) -> Any:
        """Read one, with its `ETag`; 304 when `If-None-Match` names the current version."""
        return item_response(await resource.get(session, id, caller=caller), if_none_match)

    _annotate(endpoint, f"get_{names.one}", caller=names.caller("read"))
    router.get(
        "/{id}",
        summary=f"Read {names.with_article}",
        response_model=resource.public,
        responses=names.responses(READ_RESPONSES),
    )(endpoint)


def _add_update(
    router: APIRouter, resource: Resource[Any, Any], update: type[ResourcePatch], names: _Names
) -> None:
    async def endpoint(
        id: ResourceId,
        changes: ResourcePatch,
        session: SessionDep,
        if_match: IfMatch,
        *,
        response: Response,
        caller: Caller | None,
    ) -> Any:
        """Change the fields sent; 412 when `If-Match` names another version than the
        current."""
        updated = await resource.update(session, id, changes, if_match=if_match, caller=caller)
        response.headers.update(etag_headers(updated))
        return updated

    _annotate(endpoint, f"update_{names.one}", changes=update, caller=names.caller("write"))
    router.patch(
        "/{id}",
        summary=f"Change {names.with_article}",
        response_model=resource.public,
        responses=names.responses(UPDATE_RESPONSES),
    )(endpoint)


def _add_delete(router: APIRouter, resource: Resource[Any, Any], names: _Names) -> None:
    async def endpoint(
        id: ResourceId, session: SessionDep, if_match: IfMatch, caller: Caller | None
    ) -> None:
        """Delete one; 412 when `If-Match` names another version than the current."""
        await resource.delete(session, id, if_match=if_match, caller=caller)

    _annotate(endpoint, f"delete_{names.one}", caller=names.caller("write"))
    router.delete(
        "/{id}",
        status_code=204,
        summary=f"Delete {names.with_article}",
        responses=names.responses(DELETE_RESPONSES),
    )(endpoint)


def _annotate(endpoint: Any, name: str, **annotations: Any) -> None:
    """Name the endpoint and give its parameters the resource's own types: FastAPI reads
    `__annotations__` through `inspect.signature` when the route is added."""
    endpoint.__name__ = endpoint.__qualname__ = name
    endpoint.__annotations__.update(annotations)
