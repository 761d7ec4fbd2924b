"""The rules of a request that compare keys or look at the project, each refused with one line
naming the key (`fields.weight_kg.min: 600 is above max 500`).

`value_type` is also the one statement of what a field's values may be: the generated models
state the same rules (render_fields.py renders `constraints` into them), and a field's own
`default` and `example` are checked against it here.
"""

from __future__ import annotations

import keyword
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    AwareDatetime,
    EmailStr,
    Field,
    TypeAdapter,
    ValidationError,
)
from sqlalchemy.dialects.postgresql.base import RESERVED_WORDS as POSTGRESQL_RESERVED
from sqlalchemy.dialects.sqlite.base import SQLiteIdentifierPreparer

from petsage.blueprint.generator.fields import (
    FILTERABLE,
    INT_MAX,
    INT_MIN,
    SORTABLE,
    AnyField,
    DatetimeField,
    DecimalField,
    EnumField,
    FloatField,
    IntField,
    RefField,
    StrField,
    TextField,
)
from petsage.blueprint.generator.names import SNAKE_CASE, FeatureNames, GeneratorError, table_of
from petsage.blueprint.generator.request import FeatureRequest
from petsage.blueprint.generator.value_rules import not_future, partial_date

# The owner column of an owned resource: `petsage.resources.OwnedRow`'s (the kit sits above the
# blueprint, so it is stated here; tests/blueprint holds it to the kit).
OWNER_COLUMN = "owner_id"

FIELD_NAME_MAX = 40
# PostgreSQL truncates longer names, which would no longer match the models' names.
IDENTIFIER_MAX = 63
INF = float("inf")
EMAIL_MAX = 254
URL_MAX = 2083
# Every resource row has these; SQLAlchemy's declarative classes reserve the last two.
RESERVED_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "metadata", "registry"})
SQL_RESERVED = frozenset(POSTGRESQL_RESERVED) | SQLiteIdentifierPreparer.reserved_words
# Names models.py imports: a field's type alias (its CamelCase name) must not shadow one.
MODEL_IMPORTS = frozenset(
    {"Annotated", "Literal", "BaseModel", "ConfigDict", "Field", "AnyHttpUrl", "AwareDatetime"}
    | {"EmailStr", "Decimal", "UUID", "ResourcePatch", "ResourcePublic", "NotFuture"}
    | {"PartialDate"}
)


@dataclass(frozen=True, slots=True)
class ResourceField:
    """A checked field, with what it points at when it is a `ref`."""

    name: str
    spec: AnyField
    ref_table: str | None = None

    @property
    def alias(self) -> str:
        """The name of its Annotated type in models.py: `weight_kg` -> `WeightKg`."""
        return "".join(word.capitalize() for word in self.name.split("_"))


def check_fields(
    request: FeatureRequest,
    names: FeatureNames,
    *,
    features: Collection[str],
    tables: Mapping[str, str],
) -> tuple[ResourceField, ...]:
    """The request's fields, checked; `features`: those of the project (and installed),
    `tables`: table -> owner (`feature 'x'`) of everything declared."""
    if request.fields and not request.resource:
        raise GeneratorError("fields: only a resource has fields (resource: true)")
    checked = []
    for name, spec in request.fields.items():
        _check_name(name, names)
        _check_rules(f"fields.{name}", spec)
        field = ResourceField(
            name, spec, _ref_table(f"fields.{name}", spec, names, features, tables)
        )
        for identifier in identifiers(names.table, field):
            if len(identifier) > IDENTIFIER_MAX:
                raise GeneratorError(
                    f"fields.{name}: {identifier!r}, a name in the database, is over "
                    f"{IDENTIFIER_MAX} characters; shorten the field's (or feature's) name"
                )
        checked.append(field)
    return tuple(checked)


def check_owned(request: FeatureRequest) -> bool:
    """Whether the resource's rows belong to their creators (`owned`, by default when it is
    protected); a contradictory or misplaced access key is refused."""
    if not request.resource:
        if request.owned or request.auth != "scopes":
            key = "owned" if request.owned else "auth"
            raise GeneratorError(f"{key}: only a resource has an access rule (resource: true)")
        return False
    if request.auth == "none":
        if request.owned:
            raise GeneratorError("owned: an open resource (auth: none) cannot have owners")
        return False
    if request.owned is not False and OWNER_COLUMN in request.fields:
        raise GeneratorError(
            f"fields.{OWNER_COLUMN}: reserved for the owner of an owned resource; choose "
            "another name, or set owned: false"
        )
    return request.owned is not False


def is_indexed(field: ResourceField) -> bool:
    """Filtered, sorted and referencing columns get an index (a unique one already has one)."""
    spec = field.spec
    return not spec.unique and (spec.index or spec.filter or spec.sort or spec.type == "ref")


def has_range(spec: AnyField) -> bool:
    return getattr(spec, "min", None) is not None or getattr(spec, "max", None) is not None


def identifiers(table: str, field: ResourceField) -> list[str]:
    """The names the field's index and constraints get (`petsage.database.base`'s convention)."""
    name, spec = field.name, field.spec
    found = [f"ix_{table}_{name}"] if is_indexed(field) else []
    found += [f"uq_{table}_{name}"] if spec.unique else []
    found += [f"ck_{table}_{name}_values"] if isinstance(spec, EnumField) else []
    found += [f"ck_{table}_{name}_range"] if has_range(spec) else []
    return found + ([f"fk_{table}_{name}_{field.ref_table}"] if field.ref_table else [])


def _check_name(name: str, names: FeatureNames) -> None:
    key = f"fields.{name}"
    if not SNAKE_CASE.fullmatch(name) or len(name) > FIELD_NAME_MAX:
        raise GeneratorError(f"{key}: not a snake_case name of at most {FIELD_NAME_MAX} chars")
    if keyword.iskeyword(name) or name in RESERVED_FIELDS or name.startswith("model_"):
        raise GeneratorError(f"{key}: {name!r} is reserved; choose another name")
    if name in SQL_RESERVED:
        raise GeneratorError(f"{key}: {name!r} is an SQL reserved word; choose another name")
    alias = ResourceField(name, StrField(type="str")).alias
    if alias in MODEL_IMPORTS or alias.removeprefix(names.class_name) in (
        "",
        "Base",
        "Create",
        "Update",
        "Public",
    ):
        raise GeneratorError(f"{key}: its type {alias} would shadow a name models.py defines")


def _check_rules(key: str, spec: AnyField) -> None:
    if spec.filter and spec.type not in FILTERABLE:
        raise GeneratorError(f"{key}.filter: a {spec.type} field cannot be filtered by")
    if spec.sort and spec.type not in SORTABLE:
        raise GeneratorError(f"{key}.sort: a {spec.type} field cannot be sorted by")
    if isinstance(spec, StrField | TextField) and spec.min_length > (spec.max_length or INF):
        raise GeneratorError(f"{key}.min_length: {spec.min_length} is above {spec.max_length}")
    if isinstance(spec, DatetimeField) and spec.future_slack_seconds is not None:
        _check_slack(key, spec)
    if isinstance(spec, IntField | DecimalField | FloatField):
        _check_range(key, spec)
    if isinstance(spec, EnumField):
        _check_enum(key, spec)
    adapter: TypeAdapter[Any] = TypeAdapter(value_type(spec))
    for option in ("default", "example"):
        value = getattr(spec, option, None)
        if value is None:
            continue
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            problem = exc.errors()[0]["msg"]
            message = f"{key}.{option}: {value} breaks the field's rules: {problem}"
            raise GeneratorError(message) from exc


def _check_slack(key: str, spec: DatetimeField) -> None:
    if not spec.not_future:
        raise GeneratorError(f"{key}.future_slack_seconds: only with not_future: true")


def _check_enum(key: str, spec: EnumField) -> None:
    if len(set(spec.values)) < len(spec.values):
        raise GeneratorError(f"{key}.values: a value is listed twice")
    for option in ("default", "example"):
        value = getattr(spec, option)
        if value is not None and value not in spec.values:
            raise GeneratorError(f"{key}.{option}: {value!r} is not one of the values")


def _check_range(key: str, spec: IntField | DecimalField | FloatField) -> None:
    if spec.min is not None and spec.max is not None and spec.min > spec.max:
        raise GeneratorError(f"{key}.min: {spec.min} is above max {spec.max}")
    if not isinstance(spec, DecimalField):
        return
    if spec.places > spec.digits:
        raise GeneratorError(f"{key}.places: {spec.places} is above digits {spec.digits}")
    limit = Decimal(10) ** (spec.digits - spec.places)
    for bound in ("min", "max"):
        value: Decimal | None = getattr(spec, bound)
        if value is None:
            continue
        exponent = value.normalize().as_tuple().exponent
        if abs(value) >= limit or (isinstance(exponent, int) and -exponent > spec.places):
            raise GeneratorError(
                f"{key}.{bound}: {value} does not fit {spec.digits} digits, {spec.places} places"
            )


def _ref_table(
    key: str,
    spec: AnyField,
    names: FeatureNames,
    features: Collection[str],
    tables: Mapping[str, str],
) -> str | None:
    if not isinstance(spec, RefField):
        return None
    if spec.feature == names.name:
        return names.table
    if spec.feature not in features:
        raise GeneratorError(f"{key}.feature: no feature {spec.feature!r} in this project")
    table = table_of(spec.feature)
    owned = sorted(name for name, owner in tables.items() if owner == f"feature {spec.feature!r}")
    if owned and table not in owned:
        if len(owned) != 1:
            raise GeneratorError(f"{key}.feature: {spec.feature!r} has several tables: {owned}")
        return owned[0]
    return table


def constraints(spec: AnyField) -> dict[str, Any]:
    """The Pydantic `Field` constraints of a field's values, in the order they are rendered."""
    found: dict[str, Any] = {}
    if isinstance(spec, StrField):
        found = {"min_length": spec.min_length, "max_length": spec.max_length}
        found["pattern"] = spec.pattern
    elif isinstance(spec, TextField):
        found = {"min_length": spec.min_length, "max_length": spec.max_length}
    elif isinstance(spec, IntField):
        found = {"ge": _or(spec.min, INT_MIN), "le": _or(spec.max, INT_MAX)}
    elif isinstance(spec, DecimalField):
        found = {"max_digits": spec.digits, "decimal_places": spec.places}
        found |= {"ge": spec.min, "le": spec.max}
    elif isinstance(spec, FloatField):
        found = {"ge": spec.min, "le": spec.max}
    elif spec.type == "email":
        found = {"max_length": EMAIL_MAX}
    elif spec.type == "url":
        found = {"max_length": URL_MAX}
    elif isinstance(spec, RefField):
        found = {"ge": 1, "le": INT_MAX}
    # min_length 0 is no rule at all.
    return {
        name: value
        for name, value in found.items()
        if value is not None and not (name == "min_length" and value == 0)
    }


def _or(value: int | None, fallback: int) -> int:
    return fallback if value is None else value


def value_type(spec: AnyField) -> Any:
    """The field's values as a type Pydantic checks: its Python type and its constraints."""
    base: Any = {
        "str": str,
        "text": str,
        "int": int,
        "decimal": Decimal,
        "float": float,
        "bool": bool,
        "date": date,
        "datetime": AwareDatetime,
        "partial_date": Annotated[str, AfterValidator(partial_date)],
        "email": EmailStr,
        "url": AnyHttpUrl,
        "uuid": UUID,
        "ref": int,
        "enum": str,  # its values are checked by _check_enum
    }[spec.type]
    rules: list[Any] = [Field(**constraints(spec))]
    if getattr(spec, "not_future", False):
        rules.append(AfterValidator(not_future(slack_seconds(spec))))
    return Annotated[(base, *rules)]


def slack_seconds(spec: AnyField) -> int:
    """How far ahead of now a not-future datetime may be (0 for a date: a day has no slack)."""
    return (spec.future_slack_seconds or 0) if isinstance(spec, DatetimeField) else 0
