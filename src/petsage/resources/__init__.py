"""The resource kit: a stored collection's list, create, read, change and delete, once.

A resource feature declares its table (`ResourceRow`, `listed`), its models (`ResourcePublic`,
`ResourcePatch`) and `Resource(Row, Public, noun=...)`; its router is `resource_router(...)`
with its access rule (`Access.scopes("pet_profile")`; an `OwnedRow` table's rows belong to
the token's subject that created them),
or, for a route of its own, the HTTP side (`ResourceId`, `IfMatch`, `IfNoneMatch`,
`item_response`, `etag_headers`, `caller_dependency`); `Resource.referenced` reads the row a
reference points at, in another feature's table, and `petsage.resources.timeline` sums rows
per local day or week. Paging, filters,
sorting, references, unique values and optimistic concurrency (ETag, `If-Match`) live here;
value rules a field's type states (`NotFuture`, `PartialDate`) in `values`.
"""

from petsage.resources.access import Access, Caller
from petsage.resources.errors import (
    NullRefused,
    PreconditionFailed,
    QueryRefused,
    ReferenceNotFound,
    ResourceInUse,
    ResourceNotFound,
    UniqueConflict,
)
from petsage.resources.etag import ETagMatch, etag_of
from petsage.resources.http import (
    CREATE_RESPONSES,
    DELETE_RESPONSES,
    LIST_RESPONSES,
    READ_RESPONSES,
    RESOURCE_RESPONSES,
    UPDATE_RESPONSES,
    IfMatch,
    IfNoneMatch,
    ResourceId,
    etag_headers,
    item_response,
)
from petsage.resources.query import (
    ID_MAX,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    Filter,
    ListQuery,
    ListShape,
    SortKey,
)
from petsage.resources.router import caller_dependency, resource_router
from petsage.resources.row import OwnedRow, ResourceRow, listed
from petsage.resources.schemas import OwnedPublic, Page, ResourcePatch, ResourcePublic
from petsage.resources.service import Resource
from petsage.resources.values import NotFuture, PartialDate

__all__ = [
    "CREATE_RESPONSES",
    "DELETE_RESPONSES",
    "ID_MAX",
    "LIMIT_DEFAULT",
    "LIMIT_MAX",
    "LIST_RESPONSES",
    "READ_RESPONSES",
    "RESOURCE_RESPONSES",
    "UPDATE_RESPONSES",
    "Access",
    "Caller",
    "ETagMatch",
    "Filter",
    "IfMatch",
    "IfNoneMatch",
    "ListQuery",
    "ListShape",
    "NotFuture",
    "NullRefused",
    "OwnedPublic",
    "OwnedRow",
    "Page",
    "PartialDate",
    "PreconditionFailed",
    "QueryRefused",
    "ReferenceNotFound",
    "Resource",
    "ResourceId",
    "ResourceInUse",
    "ResourceNotFound",
    "ResourcePatch",
    "ResourcePublic",
    "ResourceRow",
    "SortKey",
    "UniqueConflict",
    "caller_dependency",
    "etag_headers",
    "etag_of",
    "item_response",
    "listed",
    "resource_router",
]
