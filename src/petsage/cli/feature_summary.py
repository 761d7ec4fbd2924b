"""`petsage feature show`: the seed's "Feature Documentation & Summary", built from the live
declaration and its OpenAPI operations, so it cannot go stale.

Nothing here is written by hand or by the generator: endpoints come from the feature's routers
through FastAPI's own OpenAPI builder, tables from its ORM models' metadata, settings from its
settings class.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from fastapi.openapi.utils import get_openapi
from sqlalchemy import CheckConstraint, Column, Table, UniqueConstraint
from sqlalchemy.dialects import postgresql

from petsage.blueprint.feature import Feature
from petsage.http import error_models
from petsage.http.access import ACCESS_TOKEN_SCHEME
from petsage.resources.row import listed_as, owner_column
from petsage.settings import FeatureSettings

# SQLAlchemy's dialect constructor is untyped.
_POSTGRESQL = postgresql.dialect()  # type: ignore[no-untyped-call]
# HEAD is answered wherever GET is; FastAPI's builder skips it, and so does the summary.
DOCUMENTED_METHODS = ("get", "post", "put", "patch", "delete")


# The error shapes every feature shares: the README documents them once.
PLATFORM_SCHEMAS = frozenset(
    {"HTTPValidationError", "ValidationError"}
    | {name for name in vars(error_models) if name[:1].isupper()}
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    summary: str
    statuses: tuple[str, ...]
    # The scopes its security requirement names; None: open, no access token needed.
    scopes: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class ColumnRule:
    name: str
    type: str
    nullable: bool
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableSummary:
    name: str
    columns: tuple[ColumnRule, ...]
    checks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SettingSummary:
    variable: str
    type: str
    default: str


@dataclass(frozen=True, slots=True)
class FeatureSummary:
    name: str
    summary: str
    description: str
    requirements: str
    requires: tuple[str, ...]
    access: str
    endpoints: tuple[Endpoint, ...]
    fields: dict[str, dict[str, Any]]
    tables: tuple[TableSummary, ...]
    settings: tuple[SettingSummary, ...]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def summarize(feature: Feature) -> FeatureSummary:
    document = get_openapi(
        title=feature.name,
        version="0",
        routes=[route for router in feature.routers for route in router.routes],
    )
    endpoints = tuple(_endpoints(document))
    tables: list[Table] = [model.__table__ for model in feature.models]  # type: ignore[misc]
    return FeatureSummary(
        name=feature.name,
        summary=feature.summary,
        description=feature.description or feature.summary,
        requirements=feature.requirements,
        requires=tuple(feature.requires),
        access=_access(endpoints, owned=any(owner_column(table) is not None for table in tables)),
        endpoints=endpoints,
        fields=_fields(document),
        tables=tuple(_table(table) for table in tables),
        settings=tuple(_settings(feature.settings)),
    )


def _access(endpoints: tuple[Endpoint, ...], *, owned: bool) -> str:
    """Who may call the feature, in one line, from its routes' security requirements."""
    scopes = sorted({scope for e in endpoints for scope in e.scopes or ()})
    if not endpoints:
        return "no endpoints"
    if all(e.scopes is None for e in endpoints):
        return "open: no access token needed"
    open_ones = [f"{e.method} {e.path}" for e in endpoints if e.scopes is None]
    text = f"an access token with the scope each endpoint names ({', '.join(scopes)})"
    if open_ones:
        text += f"; open: {', '.join(open_ones)}"
    if owned and scopes:
        admin = f"{scopes[0].split(':', 1)[0]}:admin"
        text += (
            "; rows belong to the token's subject that created them (owner_id): another "
            f"owner's row is 404; {admin} reaches every row"
        )
    return text


def _scopes(operation: dict[str, Any]) -> tuple[str, ...] | None:
    """The access-token scopes the operation requires; None when it takes no access token or
    takes it optionally (an empty requirement among the alternatives, as the health details'
    token)."""
    requirements = operation.get("security") or []
    if not requirements or {} in requirements:
        return None
    needed = [each[ACCESS_TOKEN_SCHEME] for each in requirements if ACCESS_TOKEN_SCHEME in each]
    return tuple(scope for scopes in needed for scope in scopes) if needed else None


def _endpoints(document: dict[str, Any]) -> Iterator[Endpoint]:
    for path, operations in document.get("paths", {}).items():
        for method in DOCUMENTED_METHODS:
            if (operation := operations.get(method)) is not None:
                yield Endpoint(
                    method=method.upper(),
                    path=path,
                    summary=operation.get("summary", ""),
                    statuses=tuple(sorted(operation.get("responses", {}))),
                    scopes=_scopes(operation),
                )


def _fields(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each request and response model's fields with their rules, as OpenAPI states them."""
    schemas = document.get("components", {}).get("schemas", {})
    return {
        name: schema["properties"]
        for name, schema in sorted(schemas.items())
        if "properties" in schema and name not in PLATFORM_SCHEMAS
    }


def _table(table: Table) -> TableSummary:
    checks = sorted(
        f"{constraint.name}: {constraint.sqltext}"
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    )
    unique = {
        column.name
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint) and len(constraint.columns) == 1
        for column in constraint.columns
    }
    return TableSummary(
        name=table.name,
        columns=tuple(_column(column, unique) for column in table.columns),
        checks=tuple(checks),
    )


def _column(column: Column[Any], unique: set[str]) -> ColumnRule:
    rules = [rule for rule in _rules(column) if rule]
    if column.name in unique:
        rules.append("unique")
    return ColumnRule(
        name=column.name,
        # PostgreSQL's spelling: the exact type the production database holds.
        type=str(column.type.compile(dialect=_POSTGRESQL)),
        nullable=bool(column.nullable),
        rules=tuple(rules),
    )


def _rules(column: Column[Any]) -> Iterable[str]:
    yield "primary key" if column.primary_key else ""
    yield "unique" if column.unique else ""
    yield "indexed" if column.index else ""
    for key in column.foreign_keys:
        yield f"references {key.target_fullname} on delete {key.ondelete or 'no action'}"
    listing = listed_as(column)
    yield "filter" if listing.filter else ""
    yield "sort" if listing.sort else ""


def _settings(settings: type[FeatureSettings] | None) -> Iterator[SettingSummary]:
    if settings is None:
        return
    for name, field in settings.model_fields.items():
        default = "(required)" if field.is_required() else repr(field.get_default())
        yield SettingSummary(
            variable=f"{settings.env_prefix()}{name.upper()}",
            type=_type_name(field.annotation),
            default=default,
        )


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def render_text(summary: FeatureSummary) -> str:
    """The summary as a reader wants it in a terminal."""
    lines = [f"{summary.name}: {summary.summary}", "", summary.description]
    lines += ["", f"Requirements: {summary.requirements or 'none'}"]
    if summary.requires:
        lines.append(f"Requires features: {', '.join(summary.requires)}")
    lines += ["", f"Access: {summary.access}", "", "Endpoints:"]
    lines += [
        f"  {e.method:<6} {e.path}  {e.summary}  [{', '.join(e.statuses)}]  {_scope_text(e)}"
        for e in summary.endpoints
    ] or ["  (none)"]
    for model, fields in summary.fields.items():
        lines += ["", f"Fields of {model}:"]
        lines += [f"  {name}: {_rule_text(rules)}" for name, rules in fields.items()]
    for table in summary.tables:
        lines += ["", f"Table {table.name}:"]
        for column in table.columns:
            null = "null" if column.nullable else "not null"
            rules = "".join(f", {rule}" for rule in column.rules)
            lines.append(f"  {column.name}: {column.type} {null}{rules}")
        lines += [f"  check {check}" for check in table.checks]
    lines += ["", "Settings:"]
    lines += [f"  {s.variable} ({s.type}, default {s.default})" for s in summary.settings] or [
        "  (none)"
    ]
    return "\n".join(lines)


def _scope_text(endpoint: Endpoint) -> str:
    if endpoint.scopes is None:
        return "open"
    return f"token: {' '.join(endpoint.scopes) or 'any valid one'}"


def _rule_text(schema: dict[str, Any]) -> str:
    """`string, maxLength 100, pattern ^[0-9]{15}$`: a field's OpenAPI schema on one line. Each
    option of an `anyOf` keeps its own rules (`string, maxLength 100 | null`): an optional
    field's bounds are its first option's, not the field's."""
    kind = schema.get("type") or " | ".join(_option_text(o) for o in schema.get("anyOf", ()))
    if "$ref" in schema:
        kind = schema["$ref"].rsplit("/", 1)[-1]
    skipped = {"type", "anyOf", "$ref", "title", "description", "examples"}
    rules = [f"{key} {value}" for key, value in schema.items() if key not in skipped]
    return ", ".join([str(kind or "any"), *rules])


def _option_text(option: dict[str, Any]) -> str:
    text = _rule_text(option)
    # A nested choice (a Decimal's `number | string`, itself optional) stays one option.
    return f"({text})" if "anyOf" in option and "type" not in option else text
