"""Domain errors: each carries the HTTP status it means, so services never import FastAPI.

`petsage.http.errors` renders every subclass as the one JSON error shape.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PetSageError(Exception):
    """Base of every domain error; subclasses set `status_code` and `code`."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    # Sent as `Retry-After` (seconds): when a caller refused for now may try again.
    retry_after_seconds: ClassVar[int | None] = None

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def response_headers(self) -> dict[str, str]:
        """Headers the answer carries beside its body: `Retry-After`, `WWW-Authenticate`."""
        retry = self.retry_after_seconds
        return {} if retry is None else {"retry-after": str(retry)}


class NotFoundError(PetSageError):
    status_code = 404
    code = "not_found"


class ConflictError(PetSageError):
    """The request clashes with what is stored (a value that must be unique is taken)."""

    status_code = 409
    code = "conflict"


class PreconditionFailedError(PetSageError):
    """A condition the caller set (`If-Match`) does not hold: nothing was changed."""

    status_code = 412
    code = "precondition_failed"


class InvalidRequestError(PetSageError):
    """A 422 found past the request's schema (a reference to a missing row, an unknown query
    parameter). Renders as FastAPI's own validation errors do: pass `problems`, each a
    `{"location": [...], "message": ..., "type": ...}`."""

    status_code = 422
    code = "validation_error"
