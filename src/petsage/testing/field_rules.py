"""What a request model promises about each of its fields, read from its JSON Schema.

The contract suite derives its cases from this, so a field's rules are stated once (in the
model) and the tests follow them: the JSON Schema is what clients see in `/openapi.json`, and
Pydantic puts every rule there except a decimal's digits and places, read from the field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from petsage.resources.values import NOT_FUTURE_KEY, PARTIAL_DATE_FORMAT

# JSON Schema `format`s with a kind of their own; any other string is plain text.
STRING_FORMATS = {"date", "date-time", "email", "uri", "uuid", PARTIAL_DATE_FORMAT}


@dataclass(frozen=True)
class FieldRule:
    """One field of a request model: its kind and every constraint a client can break."""

    name: str
    kind: str  # string, integer, decimal, number, boolean, enum, or a STRING_FORMATS value
    required: bool = False
    nullable: bool = False
    default: Any = None
    example: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    exclusive_minimum: Decimal | None = None
    exclusive_maximum: Decimal | None = None
    values: tuple[Any, ...] = ()
    max_digits: int | None = None
    decimal_places: int | None = None
    # `NotFuture`'s slack in seconds (`x-petsage-not-future`); None: the field has no such rule.
    not_future: int | None = None

    @property
    def ordered(self) -> bool:
        """Whether the kit offers `_gte` / `_lte` filters and a meaningful sort for it."""
        return self.kind in {"integer", "decimal", "number", "date", "date-time", "partial-date"}


def field_rules(model: type[BaseModel]) -> list[FieldRule]:
    """The rules of every field of `model`, in declaration order."""
    rules = schema_rules(model.model_json_schema())
    for index, rule in enumerate(rules):
        digits, places = decimal_limits(model.model_fields[rule.name].metadata)
        rules[index] = replace(rule, max_digits=digits, decimal_places=places)
    return rules


def schema_rules(
    schema: dict[str, Any], definitions: dict[str, Any] | None = None
) -> list[FieldRule]:
    """The rules of an object schema's properties; `definitions` resolve its `$ref`s (a
    model's `$defs`, or `/openapi.json`'s `components.schemas`)."""
    found = schema.get("$defs", {}) if definitions is None else definitions
    required = set(schema.get("required", ()))
    return [
        rule_from_schema(name, prop, found, required=name in required)
        for name, prop in schema.get("properties", {}).items()
    ]


def rule_from_schema(
    name: str,
    prop: dict[str, Any],
    definitions: dict[str, Any],
    *,
    required: bool,
) -> FieldRule:
    """One property's rule; `anyOf` with `null` makes it nullable, `number|string` a decimal."""
    branches, outer = _branches(prop, definitions)
    nullable = any(branch.get("type") == "null" for branch in branches)
    typed = [branch for branch in branches if branch.get("type") != "null"]
    types = {branch.get("type") for branch in typed}
    merged: dict[str, Any] = {}
    for branch in typed:
        merged.update(branch)
    merged.update(outer)
    if "const" in merged:  # a Literal with one value
        merged["enum"] = [merged["const"]]
    kind = "decimal" if types == {"number", "string"} else schema_kind(merged)
    examples = merged.get("examples") or ([merged["example"]] if "example" in merged else [])
    return FieldRule(
        name=name,
        kind=kind,
        required=required,
        nullable=nullable,
        default=merged.get("default"),
        example=examples[0] if examples else None,
        min_length=merged.get("minLength"),
        max_length=merged.get("maxLength"),
        pattern=merged.get("pattern"),
        minimum=number(merged.get("minimum")),
        maximum=number(merged.get("maximum")),
        exclusive_minimum=number(merged.get("exclusiveMinimum")),
        exclusive_maximum=number(merged.get("exclusiveMaximum")),
        values=tuple(merged.get("enum", ())),
        not_future=not_future_slack(merged.get(NOT_FUTURE_KEY)),
    )


def _branches(
    prop: dict[str, Any], definitions: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The leaf branches of `prop`'s `anyOf`, nested ones flattened, and the keys stated beside
    them: an optional field whose type has examples nests its own `anyOf` (number|string, with
    `examples`) inside the one that adds null."""
    outer = {key: value for key, value in prop.items() if key != "anyOf"}
    if "anyOf" not in prop:
        return [resolve(prop, definitions)], {}
    branches: list[dict[str, Any]] = []
    for branch in prop["anyOf"]:
        leaves, stated = _branches(resolve(branch, definitions), definitions)
        branches += leaves
        outer = stated | outer
    return branches, outer


def not_future_slack(mark: object) -> int | None:
    """The slack of an `x-petsage-not-future` mark (`{"slack_seconds": 300}`), None without one."""
    if not isinstance(mark, dict):
        return None
    return int(mark.get("slack_seconds", 0))


def schema_kind(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "enum"
    kind = schema.get("type")
    if kind == "string" and schema.get("format") in STRING_FORMATS:
        return str(schema["format"])
    if kind in {"string", "integer", "number", "boolean"}:
        return str(kind)
    raise ValueError(f"no contract cases for a field of JSON Schema {schema!r}")


def resolve(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """`schema` with a `$ref` to `#/$defs/X` replaced by X (an Enum class, for instance)."""
    reference = schema.get("$ref")
    if reference is None:
        return schema
    resolved: dict[str, Any] = definitions[reference.rsplit("/", 1)[-1]]
    return resolved


def number(value: object) -> Decimal | None:
    """A bound as an exact Decimal (JSON Schema gives floats such as 0.01)."""
    return None if value is None else Decimal(str(value))


def decimal_limits(metadata: list[Any]) -> tuple[int | None, int | None]:
    """A decimal field's `max_digits` and `decimal_places`, which JSON Schema leaves out."""
    digits: int | None = None
    places: int | None = None
    for item in metadata:
        digits = getattr(item, "max_digits", None) if digits is None else digits
        places = getattr(item, "decimal_places", None) if places is None else places
    return digits, places
