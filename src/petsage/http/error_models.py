"""The one JSON error shape (`petsage.http.errors.error_body`) as models, for the OpenAPI document.

FastAPI documents a `422` as its own `{"detail": [...]}`, which PetSage never sends; a route
that names a `422` of its own (one the parameter schemas cannot express, such as a range whose
ends are out of order) documents it with these instead.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """One reason the request is not valid."""

    location: list[str | int] = Field(examples=[["query", "limit"]])
    message: str = Field(examples=["Input should be greater than or equal to 1"])
    type: str = Field(examples=["greater_than_equal"])


class ValidationErrorDetail(BaseModel):
    status: int = Field(examples=[422])
    code: str = Field(examples=["validation_error"])
    message: str = Field(examples=["The request is not valid."])
    problems: list[Problem]


class ValidationErrorResponse(BaseModel):
    """`422`: the request's parameters are not valid."""

    error: ValidationErrorDetail


class ErrorDetail(BaseModel):
    status: int = Field(examples=[404])
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["no pet profile has id 7"])


class ErrorResponse(BaseModel):
    """Any error but a `422`: its status, a stable `code`, a message, and fields of its own."""

    error: ErrorDetail
