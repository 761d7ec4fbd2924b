"""The kit's domain errors; `petsage.http.errors` renders them like every other.

Named for what went wrong, as the issue names them, not "...Error".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from petsage.errors import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PreconditionFailedError,
)

REQUEST_INVALID = "The request is not valid."


def problem(location: Sequence[str | int], message: str, kind: str) -> dict[str, Any]:
    """One entry of a 422's `problems`, in the shape FastAPI's validation errors render to."""
    return {"location": list(location), "message": message, "type": kind}


class ResourceNotFound(NotFoundError):  # noqa: N818
    """404: no `noun` has that id."""

    def __init__(self, noun: str, id: int) -> None:
        super().__init__(f"no {noun} has id {id}", resource=noun, id=id)


class PreconditionFailed(PreconditionFailedError):  # noqa: N818
    """412: `If-Match` names another version than the stored one, or the row changed between
    reading and writing it. Nothing was changed."""

    def __init__(self, noun: str, id: int) -> None:
        message = f"{noun} {id} has changed since that version: read it again"
        super().__init__(message, resource=noun, id=id)


class ReferenceNotFound(InvalidRequestError):  # noqa: N818
    """422: fields refer to rows that do not exist; `missing` maps each to its message."""

    def __init__(self, missing: Mapping[str, str]) -> None:
        problems = [
            problem(["body", field], message, "reference_not_found")
            for field, message in missing.items()
        ]
        super().__init__(REQUEST_INVALID, problems=problems)


class NullRefused(InvalidRequestError):  # noqa: N818
    """422: a PATCH sent null for a field whose column cannot hold it."""

    def __init__(self, fields: Sequence[str]) -> None:
        message = "may be left out, but not null"
        problems = [problem(["body", name], message, "null_refused") for name in fields]
        super().__init__(REQUEST_INVALID, problems=problems)


class QueryRefused(InvalidRequestError):  # noqa: N818
    """422: a list query the parameter schema cannot refuse by itself (an unknown parameter,
    an unknown sort key)."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(REQUEST_INVALID, problems=problems)


class UniqueConflict(ConflictError):  # noqa: N818
    """409: another row already holds this value of a unique field."""

    def __init__(self, noun: str, fields: Sequence[str]) -> None:
        names = ", ".join(f"`{name}`" for name in fields)
        message = f"another {noun} already has this {names}"
        super().__init__(message, resource=noun, fields=list(fields))


class ResourceInUse(ConflictError):  # noqa: N818
    """409: the row cannot be deleted while other rows refer to it."""

    def __init__(self, noun: str, id: int) -> None:
        super().__init__(f"{noun} {id} is still referred to", resource=noun, id=id)
