"""What a resource's templates are given: its fields' lines and each file's imports.

Imports are worked out from the field types (or, for a few names, from the rendered lines that
use them), in the order ruff's isort keeps: standard library, third party, first party, local;
modules alphabetically, names by kind (constants, classes, functions) then alphabetically.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from petsage.blueprint.generator import render_fields as lines
from petsage.blueprint.generator.fields import RefField
from petsage.blueprint.generator.layout import INDENT, LINE_MAX
from petsage.blueprint.generator.request_rules import ResourceField

# (module, name, when): when is the field types needing it, ALWAYS, or USED (if the lines the
# fields render name it); a blank module starts the next group.
ALWAYS, USED = ("*",), ()
MODEL_IMPORTS = (
    ("datetime", "date", ("date",)),
    ("decimal", "Decimal", ("decimal",)),
    ("typing", "Annotated", USED),
    ("typing", "Literal", ("enum",)),
    ("uuid", "UUID", ("uuid",)),
    ("", "", ()),
    ("pydantic", "MISSING", USED),
    ("pydantic", "AnyHttpUrl", ("url",)),
    ("pydantic", "AwareDatetime", ("datetime",)),
    ("pydantic", "BaseModel", ALWAYS),
    ("pydantic", "ConfigDict", ALWAYS),
    ("pydantic", "EmailStr", ("email",)),
    ("pydantic", "Field", USED),
    ("", "", ()),
    ("petsage.resources", "NotFuture", USED),
    ("petsage.resources", "OwnedPublic", USED),
    ("petsage.resources", "PartialDate", ("partial_date",)),
    ("petsage.resources", "ResourcePatch", ALWAYS),
    ("petsage.resources", "ResourcePublic", USED),
)
ORM_IMPORTS = (
    ("datetime", "date", ("date",)),
    ("datetime", "datetime", ("datetime",)),
    ("decimal", "Decimal", ("decimal",)),
    ("uuid", "UUID", ("uuid",)),
    ("", "", ()),
    ("sqlalchemy", "CheckConstraint", USED),
    ("sqlalchemy", "ForeignKey", ("ref",)),
    ("sqlalchemy", "Index", USED),
    ("sqlalchemy", "Numeric", ("decimal",)),
    ("sqlalchemy", "String", ("str", "enum", "email", "url")),
    ("sqlalchemy", "Text", ("text",)),
    ("sqlalchemy", "UniqueConstraint", USED),
    ("sqlalchemy.orm", "Mapped", ALWAYS),
    ("sqlalchemy.orm", "mapped_column", ALWAYS),
    ("", "", ()),
    ("petsage.database.base", "Base", ALWAYS),
    ("petsage.database.columns", "PartialDateText", ("partial_date",)),
    ("petsage.database.columns", "UTCDateTime", ("datetime",)),
    ("petsage.resources", "OwnedRow", USED),
    ("petsage.resources", "ResourceRow", USED),
    ("petsage.resources", "listed", USED),
)
DOCSTRING_WIDTH = 100


def resource_context(
    fields: tuple[ResourceField, ...],
    name: str,
    table: str,
    *,
    owned: bool,
    indexes: tuple[tuple[str, ...], ...] = (),
    own: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The lines of the feature `name` (its table `table`, its rows `owned` by their
    creators, `own` the columns with an index of their own); `requires`: the other features
    its refs point at (a ref to its own table requires nothing)."""
    up, down = lines.index_lines(table, own, indexes=indexes)
    table_args = lines.table_args_lines(fields, table, indexes, owned=owned)
    table_args += lines.owner_index_lines(owned=owned, own=own)
    model_body = [*lines.alias_lines(fields), *lines.base_lines(fields)]
    model_body += lines.update_lines(fields)
    row_base = "OwnedRow" if owned else "ResourceRow"
    # An owned row's answer says whose it is (`owner_id`), for an admin reaching every row.
    public_base = "OwnedPublic" if owned else "ResourcePublic"
    columns = lines.column_lines(fields, owned=owned, own=own)
    orm_body = [row_base, *table_args, *columns]
    return {
        "model_imports": _imports(MODEL_IMPORTS, fields, "\n".join([*model_body, public_base])),
        "public_base": public_base,
        "aliases": lines.alias_lines(fields),
        "base_fields": lines.base_lines(fields),
        "update_fields": lines.update_lines(fields),
        "orm_imports": _imports(ORM_IMPORTS, fields, "\n".join(orm_body)),
        "table_args": table_args,
        "row_base": row_base,
        "columns": columns,
        "migration_columns": lines.migration_column_lines(fields, owned=owned),
        "migration_constraints": lines.migration_constraint_lines(table, fields, owned=owned),
        "create_indexes": up,
        "drop_indexes": down,
        "requires": sorted(
            {field.spec.feature for field in fields if isinstance(field.spec, RefField)} - {name}
        ),
    }


def _imports(
    candidates: tuple[tuple[str, str, tuple[str, ...]], ...],
    fields: tuple[ResourceField, ...],
    body: str,
) -> list[str]:
    """The import blocks, one per group (joined by a blank line in the template)."""
    types = {field.spec.type for field in fields}
    groups: list[dict[str, list[str]]] = [{}]
    for module, name, when in candidates:
        if not module:
            groups.append({})
        elif when == ALWAYS or (when == USED and _uses(body, name)) or types & set(when):
            groups[-1].setdefault(module, []).append(name)
    return ["\n".join(_from_import(*item) for item in group.items()) for group in groups if group]


def _from_import(module: str, names: list[str]) -> str:
    one_line = f"from {module} import {', '.join(names)}"
    if len(one_line) <= LINE_MAX:
        return one_line
    indent = " " * INDENT
    return "\n".join([f"from {module} import (", *(f"{indent}{n}," for n in names), ")"])


def _uses(body: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", body) is not None


def wrapped(text: str, indent: str = "") -> str:
    """A docstring paragraph, wrapped to the line length."""
    return textwrap.fill(text, DOCSTRING_WIDTH - len(indent), subsequent_indent=indent)
