"""The `example_pets` routes, as `petsage feature new` generates them.

Thin: parse, call the service, return.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from petsage.http.dependencies import SessionDep
from petsage.resources import (
    CREATE_RESPONSES,
    DELETE_RESPONSES,
    LIST_RESPONSES,
    READ_RESPONSES,
    UPDATE_RESPONSES,
    IfMatch,
    IfNoneMatch,
    ListQuery,
    Page,
    ResourceId,
    etag_headers,
    item_response,
)

from .models import ExamplePetCreate, ExamplePetPublic, ExamplePetUpdate
from .service import example_pets

router = APIRouter(prefix="/example-pets", tags=["Example Pet"])
ListQueryDep = Annotated[ListQuery, Depends(example_pets.list_query)]


@router.get("", summary="List example pets", responses=LIST_RESPONSES)
async def list_example_pets(session: SessionDep, query: ListQueryDep) -> Page[ExamplePetPublic]:
    """A page of example pets (`limit`, `offset`), filtered and sorted as asked, with the
    total that match."""
    return await example_pets.list(session, query)


@router.post("", status_code=201, summary="Create an example pet", responses=CREATE_RESPONSES)
async def create_example_pet(
    data: ExamplePetCreate, session: SessionDep, response: Response
) -> ExamplePetPublic:
    """Create one; `Location` gives its URL and `ETag` its version."""
    created = await example_pets.create(session, data)
    response.headers["Location"] = f"{router.prefix}/{created.id}"
    response.headers.update(etag_headers(created))
    return created


@router.get(
    "/{id}",
    summary="Read an example pet",
    response_model=ExamplePetPublic,
    responses=READ_RESPONSES,
)
async def get_example_pet(
    id: ResourceId, session: SessionDep, if_none_match: IfNoneMatch
) -> Response:
    """Read one, with its `ETag`; 304 when `If-None-Match` names the current version."""
    return item_response(await example_pets.get(session, id), if_none_match)


@router.patch("/{id}", summary="Change an example pet", responses=UPDATE_RESPONSES)
async def update_example_pet(
    id: ResourceId,
    changes: ExamplePetUpdate,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> ExamplePetPublic:
    """Change the fields sent; 412 when `If-Match` names another version than the current."""
    updated = await example_pets.update(session, id, changes, if_match=if_match)
    response.headers.update(etag_headers(updated))
    return updated


@router.delete(
    "/{id}", status_code=204, summary="Delete an example pet", responses=DELETE_RESPONSES
)
async def delete_example_pet(id: ResourceId, session: SessionDep, if_match: IfMatch) -> None:
    """Delete one; 412 when `If-Match` names another version than the current."""
    await example_pets.delete(session, id, if_match=if_match)
