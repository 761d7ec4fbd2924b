"""A feature request: what `petsage feature new --from FILE` reads, typed.

The file is YAML (so JSON works too); `petsage feature schema` prints its JSON Schema. A
request that breaks the model is refused with one line naming the key
(`fields.weight_kg.digits: ...`), as `GeneratorError`, before anything is rendered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from petsage.blueprint.generator.fields import (
    FIELD_TYPES,
    ONE_LINE_PATTERN,
    FieldSpec,
    OneLine,
    takers,
)
from petsage.blueprint.generator.names import GeneratorError

# Who may call a resource: `scopes` asks for a token with `<feature>:read` (GET) or
# `<feature>:write` (the rest); `none` leaves it open to anyone.
Auth = Literal["scopes", "none"]
# What `feature new NAME --resource` without fields gets: the one column resources had.
DEFAULT_FIELDS: dict[str, Any] = {
    "name": {"type": "str", "max_length": 100, "example": "Rex", "description": "What to call it."}
}


class FeatureRequest(BaseModel):
    """A new feature: its name and purpose and, for a resource, its fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="PetSage feature request")

    feature: str = Field(description="snake_case, singular: pet_profile.", examples=["pet_profile"])
    description: OneLine | None = Field(
        default=None, description="One line: the feature's summary and docstring."
    )
    requirements: OneLine | None = Field(
        default=None, description="Free text, kept in the feature's docstring.", examples=["none"]
    )
    resource: bool = Field(default=False, description="A database-backed collection.")
    noun: str | None = Field(
        default=None,
        description=(
            "snake_case, singular: what one row of a resource is called, when not the "
            "feature's name (activity_tracker keeps activity rows). It names the ORM class "
            "and models (Activity, ActivityCreate), the table and default path (activities, "
            "/activities) and the messages; the package, tag and scopes keep the feature's "
            "name. Default: the feature's name."
        ),
        examples=["activity"],
    )
    path: str | None = Field(
        default=None, description="URL path; default: the kebab-case plural (/pet-profiles)."
    )
    auth: Auth = Field(
        default="scopes",
        description=(
            "Who may call a resource. scopes (the default): an access token with "
            "<feature>:read for GET and <feature>:write for POST, PATCH and DELETE (401 "
            "without a token, 403 without the scope). none: open to anyone, no token."
        ),
    )
    owned: bool | None = Field(
        default=None,
        description=(
            "Whether a resource's rows belong to the token's subject (sub) that created them: "
            "an owner_id column, set from the token, never from the body; a caller sees and "
            "changes only their own rows (another's is 404), <feature>:admin sees every row. "
            "Default: true, false with auth: none (an open resource has no owners)."
        ),
    )
    fields: dict[str, FieldSpec] = Field(
        default_factory=dict,
        description="A resource's fields, in order: name -> {type: ..., options}.",
    )
    order: str | None = Field(
        default=None,
        description=(
            "A resource's list order when the caller gives no ?sort=: comma-separated "
            "fields with sort: true (or id, created_at), - for descending. Default: id."
        ),
        examples=["-started_at", "name,-birth_date"],
    )
    indexes: list[Annotated[list[str], Field(min_length=2)]] = Field(
        default_factory=list,
        description=(
            "A resource's composite indexes, each a list of two or more columns (fields, "
            "created_at, owner_id): [[pet_id, started_at]] gives ix_<table>_pet_id_started_at."
        ),
        examples=[[["pet_id", "started_at"]]],
    )


def request_schema() -> dict[str, Any]:
    """The JSON Schema of a request file, for editors."""
    return FeatureRequest.model_json_schema()


def load_request(path: Path) -> FeatureRequest:
    """Read and check a request file; `GeneratorError` (one line) if it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError(f"cannot read {path}: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise GeneratorError(f"{path} is not YAML{line}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise GeneratorError(f"{path}: a request is a mapping (feature: ..., fields: ...)")
    return parse_request(data)


def parse_request(data: dict[str, Any]) -> FeatureRequest:
    """The request `data` describes; a resource without fields gets a `name` field."""
    try:
        request = FeatureRequest.model_validate(data)
    except ValidationError as exc:
        raise GeneratorError(describe_error(exc.errors()[0])) from exc
    if request.resource and not request.fields:
        return request.model_copy(update={"fields": parse_fields(DEFAULT_FIELDS)})
    return request


def parse_fields(data: dict[str, Any]) -> dict[str, FieldSpec]:
    return FeatureRequest.model_validate({"feature": "x", "fields": data}).fields


def describe_error(error: ErrorDetails) -> str:
    """One line: the key (`fields.weight_kg.min`) and what is wrong with it."""
    location = [str(part) for part in error["loc"]]
    # A field's errors are located under its type's tag (fields.weight_kg.decimal.min): the
    # tag is the field's `type`, not a key the file has.
    field_type = None
    if len(location) > 2 and location[0] == "fields" and location[2] in FIELD_TYPES:
        field_type = location.pop(2)
    key = ".".join(location) or "request"
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(key, field_type, location[-1])
    if kind == "union_tag_not_found":
        return f"{key}.type: missing ({', '.join(FIELD_TYPES)})"
    if kind == "missing":
        return f"{key}: missing"
    if kind == "string_pattern_mismatch" and error["ctx"]["pattern"] == ONE_LINE_PATTERN:
        return f'{key}: must be one line of printable characters, without " or \\'
    if kind == "union_tag_invalid":
        return f"{key}.type: unknown type {error['ctx']['tag']!r} ({', '.join(FIELD_TYPES)})"
    return f"{key}: {error['msg']}"


def _unknown_key(key: str, field_type: str | None, option: str) -> str:
    """An option of other field types (not_future on an int) says which take it."""
    others = takers(option) if field_type is not None else []
    if others:
        return f"{key}: a {field_type} field does not take it (only {', '.join(others)})"
    return f"{key}: unknown key"
