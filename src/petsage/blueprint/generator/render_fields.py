"""A resource's fields as the lines of its models.py, orm.py and migration.

Each field is stated once in the request; here it becomes its Annotated type (models.py), its
column (orm.py) and the same column, constraints and index in the migration. The templates
place these lines; `layout` gives them the shape ruff format gives them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from petsage.blueprint.generator.fields import DecimalField, EnumField, RefField, StrField
from petsage.blueprint.generator.layout import LINE_MAX, Call, Code, Text, flat, lay_out, literal
from petsage.blueprint.generator.request_rules import (
    EMAIL_MAX,
    OWNER_COLUMN,
    URL_MAX,
    ResourceField,
    constraints,
    slack_seconds,
)
from petsage.blueprint.generator.table_rules import index_name
from petsage.blueprint.generator.value_rules import PARTIAL_DATE_LENGTH

# field type -> (annotation in models.py, annotation in orm.py's Mapped[...])
TYPES = {
    "str": ("str", "str"),
    "text": ("str", "str"),
    "int": ("int", "int"),
    "decimal": ("Decimal", "Decimal"),
    "float": ("float", "float"),
    "bool": ("bool", "bool"),
    "date": ("date", "date"),
    "datetime": ("AwareDatetime", "datetime"),
    "partial_date": ("PartialDate", "str"),
    "enum": ("str", "str"),
    "email": ("EmailStr", "str"),
    "url": ("AnyHttpUrl", "str"),
    "uuid": ("UUID", "UUID"),
    "ref": ("int", "int"),
}
# field type -> the migration's column type; the ORM's is the same without `sa.` (or left to
# the Mapped annotation, which gives exactly this type, when it is "").
SQL_TYPES = {
    "text": ("sa.Text()", "Text()"),
    "int": ("sa.Integer()", ""),
    "float": ("sa.Float()", ""),
    "bool": ("sa.Boolean()", ""),
    "date": ("sa.Date()", ""),
    "datetime": ("sa.DateTime(timezone=True)", "UTCDateTime()"),
    # Its own type only so the kit knows the text is ordered (filters `_gte`/`_lte`).
    "partial_date": (f"sa.String(length={PARTIAL_DATE_LENGTH})", "PartialDateText()"),
    "email": (f"sa.String(length={EMAIL_MAX})", f"String({EMAIL_MAX})"),
    "url": (f"sa.String(length={URL_MAX})", f"String({URL_MAX})"),
    "uuid": ("sa.Uuid()", ""),
    "ref": ("sa.Integer()", ""),
}


RANGE_OPERATORS = (("min", ">="), ("max", "<="))


def python_value(value: Any) -> str:
    """A default as Python source."""
    if isinstance(value, str):
        return literal(value)
    if isinstance(value, Decimal):
        return f'Decimal("{value}")'
    if isinstance(value, date):
        return f"date({value.year}, {value.month}, {value.day})"
    return repr(value)


def json_value(value: Any) -> str:
    """An example as Python source of its JSON form (OpenAPI shows it as is)."""
    if isinstance(value, Decimal | date):
        return literal(str(value))
    return python_value(value)


def model_type(field: ResourceField) -> Code:
    """The field's type in models.py: its alias when it has rules, else a plain type."""
    spec = field.spec
    options = [f"{name}={python_value(value)}" for name, value in constraints(spec).items()]
    if spec.description:
        options.append(f"description={literal(spec.description)}")
    if getattr(spec, "example", None) is not None:
        options.append(f"examples=[{json_value(getattr(spec, 'example', None))}]")
    base: Code = TYPES[spec.type][0]
    if isinstance(spec, EnumField):
        base = Call("Literal", tuple(literal(value) for value in spec.values), "[]")
    # A URL is validated as one; the kit stores its text (the column is a String).
    parts: list[Code] = [base]
    if getattr(spec, "not_future", False):
        slack = slack_seconds(spec)
        parts.append(Call("NotFuture", (f"slack_seconds={slack}",) if slack else ()))
    if options:
        parts.append(Call("Field", tuple(options)))
    return Call("Annotated", tuple(parts), "[]") if len(parts) > 1 else base


def alias_lines(fields: tuple[ResourceField, ...]) -> list[str]:
    """`WeightKg = Annotated[Decimal, Field(...)]`, for each field with rules."""
    lines: list[str] = []
    for field in fields:
        kind = model_type(field)
        if isinstance(kind, Call):
            lines += lay_out(kind, prefix=f"{field.alias} = ")
    return lines


def _annotation(field: ResourceField) -> str:
    return field.alias if isinstance(model_type(field), Call) else flat(model_type(field))


def base_lines(fields: tuple[ResourceField, ...]) -> list[str]:
    """The Base model's fields: required, optional (`| None`) or with a default."""
    lines = []
    for field in fields:
        kind, default = _annotation(field), getattr(field.spec, "default", None)
        value = "" if default is None else f" = {python_value(default)}"
        if field.spec.optional:
            kind, value = f"{kind} | None", f" = {python_value(default)}"
        lines.append(f"    {field.name}: {kind}{value}")
    return lines


def update_lines(fields: tuple[ResourceField, ...]) -> list[str]:
    """The PATCH model's fields: all may be left out (MISSING); null only where the column
    takes it (it clears the value), else pydantic refuses it (422)."""
    lines = []
    for field in fields:
        left_out = "None" if field.spec.optional else "MISSING"
        lines.append(f"    {field.name}: {_annotation(field)} | {left_out} = {left_out}")
    return lines


def column_lines(
    fields: tuple[ResourceField, ...], *, owned: bool = False, own: tuple[str, ...] = ()
) -> list[str]:
    """orm.py's mapped columns (an owned table's unique values are unique per owner, in
    `__table_args__`); those in `own` get an index of their own (`index=True`)."""
    lines: list[str] = []
    for field in fields:
        spec = field.spec
        mapped = TYPES[spec.type][1] + (" | None" if spec.optional else "")
        arguments = [sql for sql in [_orm_type(field)] if sql]
        arguments += _column_options(field, owned=owned, indexed=field.name in own)
        column = Call("mapped_column", tuple(arguments))
        lines += lay_out(column, indent=4, prefix=f"{field.name}: Mapped[{mapped}] = ")
    return lines


def _orm_type(field: ResourceField) -> str:
    spec = field.spec
    if isinstance(spec, StrField):
        return f"String({spec.max_length})"
    if isinstance(spec, EnumField):
        return f"String({enum_length(spec)})"
    if isinstance(spec, DecimalField):
        return f"Numeric({spec.digits}, {spec.places})"
    if isinstance(spec, RefField):
        return f'ForeignKey("{field.ref_table}.id"{_on_delete(spec)})'
    return SQL_TYPES[spec.type][1]


def _on_delete(spec: RefField) -> str:
    """`, ondelete="CASCADE"`; restrict is the SQL default (NO ACTION), which refuses the
    delete at the statement's end, so one statement may still delete rows that refer to each
    other (RESTRICT would refuse that on SQLite)."""
    return ', ondelete="CASCADE"' if spec.on_delete == "cascade" else ""


def _column_options(field: ResourceField, *, owned: bool, indexed: bool) -> list[str]:
    spec, options = field.spec, []
    if spec.unique and not owned:
        options.append("unique=True")
    elif indexed:
        options.append("index=True")
    marks = [f"{mark}=True" for mark in ("filter", "sort") if getattr(spec, mark)]
    if marks:
        options.append(f"info=listed({', '.join(marks)})")
    return options


def enum_length(spec: EnumField) -> int:
    return max(len(value) for value in spec.values)


def checks(fields: tuple[ResourceField, ...]) -> list[tuple[str, str]]:
    """(name, SQL) of each CHECK constraint: enum values, and ranges."""
    found = []
    for field in fields:
        spec, name = field.spec, field.name
        if isinstance(spec, EnumField):
            values = ", ".join(f"'{value}'" for value in spec.values)
            found.append((f"{name}_values", f"{name} IN ({values})"))
        limits = [(operator, getattr(spec, bound, None)) for bound, operator in RANGE_OPERATORS]
        bounds = [f"{name} {op} {_sql_number(value)}" for op, value in limits if value is not None]
        if bounds:
            found.append((f"{name}_range", " AND ".join(bounds)))
    return found


def _sql_number(value: float | Decimal) -> str:
    return format(value, "f") if isinstance(value, Decimal) else repr(value)


def table_args_lines(
    fields: tuple[ResourceField, ...],
    table: str,
    indexes: tuple[tuple[str, ...], ...] = (),
    *,
    owned: bool = False,
) -> list[str]:
    """orm.py's `__table_args__`: the fields' checks, an owned table's unique values (unique
    per owner), then the composite indexes."""
    constraints_ = [
        Call("CheckConstraint", (Text(sql), f"name={literal(name)}"))
        for name, sql in checks(fields)
    ]
    # A shared table's unique value is its column's `unique=True`.
    constraints_ += [
        Call("UniqueConstraint", (*map(literal, columns), f"name={literal(name)}"))
        for name, columns in unique_sets(table, fields, owned=owned)
        if owned
    ]
    constraints_ += [
        Call("Index", (literal(index_name(table, columns)), *map(literal, columns)))
        for columns in indexes
    ]
    if not constraints_:
        return []
    # A one-element tuple's comma is not a "magic" one: ruff joins it when it fits.
    one_line = f"    __table_args__ = ({flat(constraints_[0])},)"
    if len(constraints_) == 1 and len(one_line) <= LINE_MAX:
        return [one_line]
    lines = ["    __table_args__ = ("]
    for constraint in constraints_:
        lines += lay_out(constraint, indent=8, suffix=",")
    return [*lines, "    )"]


def migration_column_lines(fields: tuple[ResourceField, ...], *, owned: bool) -> list[str]:
    """The create_table's columns of the fields, then the owner's (`OwnedRow`)."""
    lines = []
    for field in fields:
        spec = field.spec
        sql = SQL_TYPES.get(spec.type, ("",))[0]
        if isinstance(spec, StrField | EnumField):
            length = spec.max_length if isinstance(spec, StrField) else enum_length(spec)
            sql = f"sa.String(length={length})"
        elif isinstance(spec, DecimalField):
            sql = f"sa.Numeric(precision={spec.digits}, scale={spec.places})"
        column = Call("sa.Column", (literal(field.name), sql, f"nullable={spec.optional}"))
        lines += lay_out(column, indent=8, suffix=",")
    if owned:
        owner = Call(
            "sa.Column", (literal(OWNER_COLUMN), "sa.String(length=255)", "nullable=False")
        )
        lines += lay_out(owner, indent=8, suffix=",")
    return lines


def unique_sets(
    table: str, fields: tuple[ResourceField, ...], *, owned: bool
) -> list[tuple[str, tuple[str, ...]]]:
    """(name, columns) of each unique field's constraint: the field alone, or in an owned table
    the owner and the field (unique among one owner's rows: another owner's value is no
    clash, and a 409 tells no one what another owner holds). Named after the field either way."""
    owner = (OWNER_COLUMN,) if owned else ()
    return [(f"uq_{table}_{f.name}", (*owner, f.name)) for f in fields if f.spec.unique]


def migration_constraint_lines(
    table: str, fields: tuple[ResourceField, ...], *, owned: bool = False
) -> list[str]:
    found: list[Code] = []
    for field in fields:
        spec, name = field.spec, field.name
        if isinstance(spec, RefField):
            fk = f"fk_{table}_{name}_{field.ref_table}"
            found.append(
                Call(
                    "sa.ForeignKeyConstraint",
                    (
                        f"[{literal(name)}]",
                        f'["{field.ref_table}.id"]',
                        f'name=op.f("{fk}")',
                        *([_on_delete(spec).lstrip(", ")] if spec.on_delete == "cascade" else []),
                    ),
                )
            )
    for name, columns in unique_sets(table, fields, owned=owned):
        found.append(Call("sa.UniqueConstraint", (*map(literal, columns), f'name=op.f("{name}")')))
    for name, sql in checks(fields):
        found.append(Call("sa.CheckConstraint", (Text(sql), f'name=op.f("ck_{table}_{name}")')))
    return [line for code in found for line in lay_out(code, indent=8, suffix=",")]


def owner_index_lines(*, owned: bool, own: tuple[str, ...]) -> list[str]:
    """An owned table's `owner_indexed = False` (`OwnedRow`), when another index leads with
    the owner column."""
    if not owned or OWNER_COLUMN in own:
        return []
    return [
        f"    # An index above leads with {OWNER_COLUMN}: it needs no index of its own.",
        "    owner_indexed = False",
    ]


def index_lines(
    table: str, own: tuple[str, ...], *, indexes: tuple[tuple[str, ...], ...] = ()
) -> tuple[list[str], list[str]]:
    """The migration's `op.create_index` lines, and the downgrade's `op.drop_index` lines:
    the columns in `own` (an owned table's owner column last), then the composite
    `indexes`."""
    up, down = [], []
    single = [(index_name(table, (column,)), (column,)) for column in own]
    composite = [(index_name(table, columns), columns) for columns in indexes]
    for index, columns in [*single, *composite]:
        name = f'op.f("{index}")'
        listed = f"[{', '.join(map(literal, columns))}]"
        create = Call("op.create_index", (name, literal(table), listed))
        up += lay_out(Call(create.head, (*create.args, "unique=False")), indent=4)
        down += lay_out(Call("op.drop_index", (name, f"table_name={literal(table)}")), indent=4)
    return up, down
