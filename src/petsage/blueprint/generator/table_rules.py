"""The rules of a resource's table-wide request keys, each refused with one line naming the key:
`order` (its lists' default order) and `indexes` (composite indexes)."""

from __future__ import annotations

from petsage.blueprint.generator.names import GeneratorError
from petsage.blueprint.generator.request import FeatureRequest

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
