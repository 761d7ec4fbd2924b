"""The rules of a resource's table-wide request keys, each refused with one line naming the key:
`order` (its lists' default order) and `indexes` (composite indexes); and which columns get an
index of their own beside those."""

from __future__ import annotations

from collections.abc import Sequence

from petsage.blueprint.generator.names import GeneratorError
from petsage.blueprint.generator.request import FeatureRequest
from petsage.blueprint.generator.request_rules import (
    IDENTIFIER_MAX,
    OWNER_COLUMN,
    ResourceField,
    is_indexed,
)

# What a list may always sort by: `petsage.resources.row.ALWAYS_SORTABLE` (the kit sits above
# the blueprint, so it is stated here; tests/blueprint holds it to the kit).
ALWAYS_SORTABLE = ("id", "created_at")


def check_order(request: FeatureRequest) -> str | None:
    """The resource's default list order (`-started_at`), its keys sortable and each named
    once; None when the request gives none (the kit's default, by id)."""
    if request.order is None:
        return None
    if not request.resource:
        raise GeneratorError("order: only a resource has lists to order (resource: true)")
    sortable = [*ALWAYS_SORTABLE, *(name for name, spec in request.fields.items() if spec.sort)]
    parts = [part.strip() for part in request.order.split(",")]
    named: list[str] = []
    for part in parts:
        name = part.removeprefix("-")
        if name not in sortable:
            raise GeneratorError(
                f"order: {name!r} cannot be sorted by (a field needs sort: true); "
                f"sortable: {', '.join(sortable)}"
            )
        if name in named:
            raise GeneratorError(f"order: {name!r} is named twice")
        if "id" in named:
            raise GeneratorError(f"order: {name!r} comes after id, which never ties")
        named.append(name)
    return ",".join(parts)


def check_indexes(
    request: FeatureRequest, table: str, *, owned: bool, order: str | None = None
) -> tuple[tuple[str, ...], ...]:
    """The request's composite indexes (`[[pet_id, started_at]]`), each over two or more
    distinct columns of the table (its fields, `created_at`, an owned table's `owner_id`),
    none twice, each name (`ix_<table>_<a>_<b>`) short enough for PostgreSQL and unlike a
    single column's index; then an owned table's index for its `order`."""
    if request.indexes and not request.resource:
        raise GeneratorError("indexes: only a resource has a table (resource: true)")
    columns = [*request.fields, "created_at", *([OWNER_COLUMN] if owned else [])]
    single = {f"ix_{table}_{name}" for name in [*columns, "id"]}
    found: list[tuple[str, ...]] = []
    for number, index in enumerate(request.indexes):
        key = f"indexes.{number}"
        for name in index:
            if name not in columns:
                raise GeneratorError(f"{key}: {name!r} is not a column; columns: {columns}")
        if len(set(index)) < len(index):
            raise GeneratorError(f"{key}: a column is named twice")
        if tuple(index) in found:
            raise GeneratorError(f"{key}: the same index as indexes.{found.index(tuple(index))}")
        name = index_name(table, index)
        if len(name) > IDENTIFIER_MAX:
            raise GeneratorError(
                f"{key}: {name!r}, its name in the database, is over {IDENTIFIER_MAX} "
                "characters; shorten the fields' (or noun's) names"
            )
        if name in single:
            raise GeneratorError(f"{key}: {name!r} is also a single column's index name")
        found.append(tuple(index))
    return tuple(found) + owner_order_index(table, order, found, owned=owned)


def owner_order_index(
    table: str, order: str | None, found: Sequence[tuple[str, ...]], *, owned: bool
) -> tuple[tuple[str, ...], ...]:
    """An owned resource's own list, every caller's default one (`owner_id = ?` in `order`),
    as one index walk: (owner_id, the order's first key), unless the request has it. Without
    it SQLite reads every row of the owner through `ix_<table>_owner_id` and sorts them (a
    1,000-row owner's first page: p50 1.1 ms, against 0.16 ms with it)."""
    first = order.split(",")[0].removeprefix("-") if order else "id"
    index = (OWNER_COLUMN, first)
    if not owned or first == "id" or index in found:
        return ()
    if len(index_name(table, index)) > IDENTIFIER_MAX:
        raise GeneratorError(
            f"order: {index_name(table, index)!r}, the index of an owner's list in that order, "
            f"is over {IDENTIFIER_MAX} characters; shorten the field's (or noun's) name"
        )
    return (index,)


def own_indexes(
    fields: Sequence[ResourceField],
    indexes: Sequence[tuple[str, ...]],
    *,
    owned: bool,
    order: str | None = None,
) -> tuple[str, ...]:
    """The columns that get an index of their own (`ix_<table>_<column>`), in the table's
    order: each filtered, sorted, `index` or `ref` field, then an owned table's `owner_id`
    (every call filters on it). Not one that leads another index of the table, a composite
    one (`indexes`, the owner's list) or an owned table's `UniqueConstraint(owner_id, field)`
    (a unique index on PostgreSQL and SQLite alike): a B-tree on (a, b) finds `a = ?` too, a
    foreign key's cascade included, and a second index would cost every write for nothing.

    Unless the column's own index gives a list an order the other does not: SQLite ends every
    index with the rowid, so (a) holds a's rows in id order, which (a, b) does not. Then it
    serves `?sort=a` (`ORDER BY a, id`) and, in a table listed by id, `a = ?` (a filter; the
    owner's rows of every call) without sorting every matching row: (owner_id, microchip_id)
    instead of (owner_id) under an owner's default page took 0.30 ms for 0.03 ms, 1,000 rows.
    """
    leading = {columns[0] for columns in indexes}
    if owned and any(field.spec.unique for field in fields):
        leading.add(OWNER_COLUMN)
    first = order.split(",")[0].removeprefix("-") if order else "id"
    # (name, sorted by, filtered by) of each column that would have its own index.
    wanted = [(f.name, f.spec.sort, f.spec.filter) for f in fields if is_indexed(f)]
    wanted += [(OWNER_COLUMN, False, True)] if owned else []
    return tuple(
        name
        for name, sort, filter_ in wanted
        if name not in leading or sort or (filter_ and first == "id")
    )


def index_name(table: str, columns: Sequence[str]) -> str:
    """`petsage.database.base`'s convention: `ix_activities_pet_id_started_at`."""
    return f"ix_{table}_{'_'.join(columns)}"
