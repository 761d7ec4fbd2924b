"""Which columns get an index of their own beside the composite ones: none that leads another
index of the table (a B-tree on (a, b) finds `a = ?` too, a foreign key's cascade included),
unless SQLite's (a), which ends in the rowid, gives a list an order (a, b) does not. In process.
"""

from __future__ import annotations

from typing import Any

import pytest

from petsage.blueprint.generator import feature_spec, parse_request

from .test_request_table_keys import TRACKER, render

PET_ID = {"type": "ref", "feature": "pet_profile", "on_delete": "cascade"}
MINUTES = {"type": "int", "min": 1, "sort": True}


def own_indexes(**changes: Any) -> tuple[str, ...]:
    request = parse_request({**TRACKER, **changes})
    spec = feature_spec(request, features={"pet_profile", "activity_tracker"}, tables={})
    return spec.own_indexes


def test_a_ref_leading_a_composite_index_has_no_index_of_its_own() -> None:
    files = render({**TRACKER, "order": "-minutes", "indexes": [["pet_id", "minutes"]]})

    orm, migration = files["orm.py"], files["versions/0042_activity_tracker.py"]
    # pet_id: its foreign key stays, its lookups (and cascades) go through the composite index.
    assert 'op.f("ix_activities_pet_id")' not in migration
    assert 'op.f("ix_activities_pet_id_minutes")' in migration
    assert 'name=op.f("fk_activities_pet_id_pet_profiles")' in migration
    column = 'mapped_column(ForeignKey("pet_profiles.id", ondelete="CASCADE"))'
    assert f"    pet_id: Mapped[int] = {column}" in orm.splitlines()
    # minutes: second in that index and first in none, so it keeps its own.
    assert 'op.f("ix_activities_minutes")' in migration
    assert "    minutes: Mapped[int] = mapped_column(index=True, info=listed(sort=True))" in orm
    # owner_id leads the owner's list index, (owner_id, minutes): OwnedRow is told so.
    assert 'op.f("ix_activities_owner_id")' not in migration
    assert 'op.f("ix_activities_owner_id_minutes")' in migration
    assert "\n    owner_indexed = False\n" in orm


def test_without_composite_indexes_every_column_keeps_its_own() -> None:
    files = render(TRACKER)

    migration = files["versions/0042_activity_tracker.py"]
    for column in ("pet_id", "minutes", "owner_id"):
        assert f'op.f("ix_activities_{column}")' in migration
    assert "owner_indexed" not in files["orm.py"]


@pytest.mark.parametrize(
    ("changes", "own"),
    [
        ({}, ("pet_id", "minutes", "owner_id")),
        # The owner's list index (owner_id, minutes) leads with owner_id.
        ({"order": "-minutes"}, ("pet_id", "minutes")),
        ({"indexes": [["pet_id", "minutes"]]}, ("minutes", "owner_id")),
        ({"owned": False, "indexes": [["pet_id", "minutes"]]}, ("minutes",)),
        ({"order": "-minutes", "indexes": [["pet_id", "created_at"]]}, ("minutes",)),
        # Listed by id: SQLite's (owner_id) reads an owner's page in order, (owner_id, x) and
        # the unique (owner_id, tag_code) do not, so it stays (pet_profile's case).
        ({"indexes": [["owner_id", "created_at"]]}, ("pet_id", "minutes", "owner_id")),
        (
            {"fields": {**TRACKER["fields"], "tag_code": {"type": "str", "unique": True}}},
            ("pet_id", "minutes", "owner_id"),
        ),
        # A filter in a table listed by id: (pet_id) reads `pet_id = ?` in id order.
        (
            {"fields": {"pet_id": {**PET_ID, "filter": True}, "minutes": MINUTES},
             "indexes": [["pet_id", "minutes"]]},
            ("pet_id", "minutes", "owner_id"),
        ),
        (
            {"fields": {"pet_id": {**PET_ID, "filter": True}, "minutes": MINUTES},
             "indexes": [["pet_id", "minutes"]], "order": "-minutes"},
            ("minutes",),
        ),
        # A sorted column: (minutes) reads `?sort=minutes` (minutes, id) in order.
        ({"order": "-minutes", "indexes": [["minutes", "pet_id"]]}, ("pet_id", "minutes")),
    ],
)  # fmt: skip
def test_own_indexes_leave_out_the_columns_other_indexes_lead_with(
    changes: dict[str, Any], own: tuple[str, ...]
) -> None:
    assert own_indexes(**changes) == own
