"""The request keys of a resource's rows and table: `noun` (`noun: activity` in
`activity_tracker`: the rows' names follow the noun, the feature's package, tag and scopes its
name) and `order` (its lists' default order). In process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from petsage.blueprint.generator import (
    GeneratorError,
    feature_names,
    feature_spec,
    parse_request,
    render_feature,
)
from petsage.blueprint.generator.table_rules import ALWAYS_SORTABLE
from petsage.resources.row import ALWAYS_SORTABLE as KIT_ALWAYS_SORTABLE

from .conftest import petsage
from .golden_files import REVISION
from .test_feature_new import assert_refused

TRACKER: dict[str, Any] = {
    "feature": "activity_tracker",
    "resource": True,
    "noun": "activity",
    "fields": {
        "pet_id": {"type": "ref", "feature": "pet_profile", "on_delete": "cascade"},
        "minutes": {"type": "int", "min": 1, "sort": True},
    },
}


def render(request: dict[str, Any], tables: dict[str, str] | None = None) -> dict[str, str]:
    features = {"pet_profile", request["feature"]}
    spec = feature_spec(parse_request(request), features=features, tables=tables or {})
    rendered = render_feature(spec, revision=REVISION)
    files = {str(generated.path): generated.content for generated in rendered.feature_files}
    assert rendered.migration is not None
    return files | {f"versions/{rendered.migration.path}": rendered.migration.content}


def test_the_rows_are_named_by_the_noun_and_the_feature_by_its_name() -> None:
    files = render(TRACKER)

    assert sorted(files) == [
        "__init__.py",
        "models.py",
        "orm.py",
        "router.py",
        "service.py",
        "tests/__init__.py",
        "tests/test_activity_tracker.py",
        "versions/0042_activity_tracker.py",
    ]
    assert 'name="activity_tracker",' in files["__init__.py"]
    assert "models=(Activity,)," in files["__init__.py"]
    assert "class Activity(OwnedRow, Base):" in files["orm.py"]
    assert '__tablename__ = "activities"' in files["orm.py"]
    for model in ("ActivityCreate(ActivityBase)", "ActivityUpdate(", "ActivityPublic("):
        assert f"class {model}" in files["models.py"]
    assert "One stored activity." in files["models.py"]
    assert 'activities = Resource(Activity, ActivityPublic, noun="activity")' in files["service.py"]
    router = files["router.py"]
    for line in ('prefix="/activities"', 'tag="Activity Tracker"', 'one="an activity"'):
        assert line in router
    assert 'plural="activities"' in router
    assert 'access=Access.scopes("activity_tracker")' in router
    assert "class TestActivity(ResourceContract):" in files["tests/test_activity_tracker.py"]
    migration = files["versions/0042_activity_tracker.py"]
    assert 'op.create_table(\n        "activities",' in migration
    assert 'op.f("ix_activities_pet_id")' in migration


def test_without_a_noun_the_rows_take_the_features_name() -> None:
    names = feature_names("activity_tracker")

    assert (names.singular, names.class_name, names.table, names.path) == (
        "activity_tracker",
        "ActivityTracker",
        "activity_trackers",
        "/activity-trackers",
    )


@pytest.mark.parametrize(
    ("noun", "path", "class_name", "table", "description"),
    [
        ("activity", None, "Activity", "activities", "Activities, served by PetSage."),
        ("medical_record", "/records", "MedicalRecord", "medical_records", None),
    ],
)
def test_the_noun_names_class_table_path_and_default_description(
    noun: str, path: str | None, class_name: str, table: str, description: str | None
) -> None:
    names = feature_names("pet_tracker", noun=noun, path=path)

    assert (names.class_name, names.table, names.tag) == (class_name, table, "Pet Tracker")
    assert names.path == (path or f"/{table.replace('_', '-')}")
    assert description is None or names.description == description


@pytest.mark.parametrize(
    ("request_", "line"),
    [
        ({**TRACKER, "noun": "Activity"}, "noun: 'Activity' is not a snake_case singular noun"),
        ({**TRACKER, "noun": "a" * 41}, "noun: "),
        ({"feature": "pet_tip", "noun": "tip"}, "noun: only a resource has rows to name"),
    ],
)
def test_a_bad_noun_is_refused_naming_the_key(request_: dict[str, Any], line: str) -> None:
    with pytest.raises(GeneratorError) as refused:
        render(request_)

    assert str(refused.value).startswith(line)


def test_a_ref_to_a_feature_with_a_noun_finds_its_table() -> None:
    request = {
        "feature": "activity_note",
        "resource": True,
        "fields": {"activity_id": {"type": "ref", "feature": "activity_tracker"}},
    }
    tables = {"activities": "feature 'activity_tracker'", "pet_profiles": "feature 'pet_profile'"}
    features = {"activity_tracker", "activity_note"}
    spec = feature_spec(parse_request(request), features=features, tables=tables)

    orm = next(
        f for f in render_feature(spec, revision=REVISION).feature_files if f.path.name == "orm.py"
    )
    assert 'ForeignKey("activities.id")' in orm.content


def test_a_ref_to_its_own_feature_uses_the_nouns_table() -> None:
    fields = {**TRACKER["fields"], "follows_id": {"type": "ref", "feature": "activity_tracker"}}

    files = render({**TRACKER, "fields": fields})

    assert 'ForeignKey("activities.id")' in files["orm.py"]
    assert "fk_activities_follows_id_activities" in files["versions/0042_activity_tracker.py"]


def test_noun_on_the_command_line(project: Path) -> None:
    result = petsage(
        "feature", "new", "exercise_log", "--noun", "exercise", "--field", "minutes:int",
        "--dry-run", "--json", "--root", str(project),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    assert (written["name"], written["noun"], written["path"], written["tag"]) == (
        "exercise_log",
        "exercise",
        "/exercises",
        "Exercise Log",
    )
    assert "src/petsage/features/exercise_log/orm.py" in written["files"]


def test_a_noun_whose_table_is_taken_is_refused(project: Path) -> None:
    result = petsage(
        "feature", "new", "event_log", "--noun", "health_event", "--resource",
        "--dry-run", "--root", str(project),
    )  # fmt: skip

    assert_refused(result.exit_code, result.stdout, result.stderr, "table 'health_events'")


@pytest.mark.parametrize(
    ("order", "line"),
    [
        (
            "-minutes",
            'activities = Resource(Activity, ActivityPublic, noun="activity", order="-minutes")',
        ),
        (" minutes , -id", 'order="minutes,-id"'),
        ("-created_at", 'order="-created_at"'),
    ],
)
def test_order_is_the_resources_default_list_order(order: str, line: str) -> None:
    files = render({**TRACKER, "order": order})

    assert line in files["service.py"]


def test_without_an_order_the_resource_keeps_the_kits() -> None:
    assert "order=" not in render(TRACKER)["service.py"]


@pytest.mark.parametrize(
    ("order", "line"),
    [
        (
            "pet_id",
            "order: 'pet_id' cannot be sorted by (a field needs sort: true); sortable: id, ",
        ),
        ("-minutes,minutes", "order: 'minutes' is named twice"),
        ("id,minutes", "order: 'minutes' comes after id"),
        ("minutes,", "order: '' cannot be sorted by"),
    ],
)
def test_an_order_over_unsortable_keys_is_refused_naming_order(order: str, line: str) -> None:
    with pytest.raises(GeneratorError) as refused:
        render({**TRACKER, "order": order})

    assert str(refused.value).startswith(line)


def test_order_is_a_resources_key() -> None:
    with pytest.raises(GeneratorError, match=r"^order: only a resource"):
        feature_spec(parse_request({"feature": "pet_tip", "order": "id"}), features=(), tables={})


def test_the_generators_always_sortable_keys_are_the_kits() -> None:
    assert ALWAYS_SORTABLE == KIT_ALWAYS_SORTABLE


def test_composite_indexes_are_in_the_orm_and_the_migration() -> None:
    request = {**TRACKER, "indexes": [["pet_id", "minutes"], ["owner_id", "created_at"]]}

    files = render(request)

    orm, migration = files["orm.py"], files["versions/0042_activity_tracker.py"]
    assert "from sqlalchemy import CheckConstraint, ForeignKey, Index" in orm
    assert '        Index("ix_activities_pet_id_minutes", "pet_id", "minutes"),' in orm
    assert '        Index("ix_activities_owner_id_created_at", "owner_id", "created_at"),' in orm
    create = [
        "    op.create_index(",
        '        op.f("ix_activities_pet_id_minutes"),',
        '        "activities",',
        '        ["pet_id", "minutes"],',
        "        unique=False,",
        "    )",
    ]
    assert "\n".join(create) in migration
    assert 'op.drop_index(op.f("ix_activities_pet_id_minutes"), table_name="activities")' in (
        migration
    )


def test_without_indexes_nothing_imports_index() -> None:
    assert "Index" not in render(TRACKER)["orm.py"]


@pytest.mark.parametrize(
    ("indexes", "line"),
    [
        ([["pet_id"]], "indexes.0: List should have at least 2 items"),
        ([["pet_id", "kind"]], "indexes.0: 'kind' is not a column; columns: ['pet_id', "),
        ([["pet_id", "pet_id"]], "indexes.0: a column is named twice"),
        ([["pet_id", "minutes"], ["pet_id", "minutes"]], "indexes.1: the same index as indexes.0"),
        ([["pet_id", "created_at", "owner_id", "id"]], "indexes.0: 'id' is not a column"),
    ],
)
def test_bad_indexes_are_refused_naming_the_key(indexes: list[list[str]], line: str) -> None:
    with pytest.raises(GeneratorError) as refused:
        render({**TRACKER, "indexes": indexes})

    assert str(refused.value).startswith(line)


def test_an_index_name_over_63_characters_is_refused() -> None:
    fields = {**TRACKER["fields"], "a" * 30: {"type": "int"}, "b" * 30: {"type": "int"}}
    request = {**TRACKER, "fields": fields, "indexes": [["a" * 30, "b" * 30]]}

    with pytest.raises(GeneratorError, match=r"^indexes\.0: 'ix_activities_a+_b+', its name"):
        render(request)


def test_owner_id_is_a_column_only_of_an_owned_table() -> None:
    request = {**TRACKER, "owned": False, "indexes": [["owner_id", "minutes"]]}

    with pytest.raises(GeneratorError, match=r"^indexes\.0: 'owner_id' is not a column"):
        render(request)


def test_an_owned_tables_unique_values_are_unique_per_owner() -> None:
    fields = {**TRACKER["fields"], "tag_code": {"type": "str", "max_length": 8, "unique": True}}

    files = render({**TRACKER, "fields": fields})

    orm, migration = files["orm.py"], files["versions/0042_activity_tracker.py"]
    assert 'UniqueConstraint("owner_id", "tag_code", name="uq_activities_tag_code"),' in orm
    assert "tag_code: Mapped[str] = mapped_column(String(8))" in orm
    assert "UniqueConstraint" in orm.split("class Activity")[0]  # imported
    assert (
        'sa.UniqueConstraint("owner_id", "tag_code", name=op.f("uq_activities_tag_code")),'
        in migration
    )


def test_a_shared_tables_unique_values_are_unique_alone() -> None:
    fields = {**TRACKER["fields"], "tag_code": {"type": "str", "max_length": 8, "unique": True}}

    files = render({**TRACKER, "owned": False, "fields": fields})

    assert "mapped_column(String(8), unique=True)" in files["orm.py"]
    assert "UniqueConstraint" not in files["orm.py"]
    assert (
        'sa.UniqueConstraint("tag_code", name=op.f("uq_activities_tag_code")),'
        in (files["versions/0042_activity_tracker.py"])
    )


@pytest.mark.parametrize(
    ("access", "public"),
    [
        ({}, "OwnedPublic"),
        ({"owned": False}, "ResourcePublic"),
        ({"auth": "none"}, "ResourcePublic"),
    ],
)
def test_an_owned_resources_answer_says_whose_row_it_is(
    access: dict[str, Any], public: str
) -> None:
    models = render({**TRACKER, **access})["models.py"]

    assert f"class ActivityPublic(ActivityBase, {public}):" in models
    assert f"from petsage.resources import {public}, ResourcePatch" in models or (
        f"from petsage.resources import ResourcePatch, {public}" in models
    )


def test_the_kits_names_are_imported_in_isort_order() -> None:
    fields = {
        **TRACKER["fields"],
        "born": {"type": "partial_date", "optional": True, "not_future": True},
    }

    models = render({**TRACKER, "fields": fields})["models.py"]

    imports = "from petsage.resources import NotFuture, OwnedPublic, PartialDate, ResourcePatch"
    assert imports in models


@pytest.mark.parametrize(
    ("changes", "index"),
    [
        ({"order": "-minutes"}, '"ix_activities_owner_id_minutes", "owner_id", "minutes"'),
        ({"order": "created_at,id"}, '"ix_activities_owner_id_created_at", "owner_id"'),
        ({"order": "id"}, None),
        ({}, None),
        ({"order": "-minutes", "owned": False}, None),
    ],
)
def test_an_owned_resources_order_gets_the_index_of_an_owners_list(
    changes: dict[str, Any], index: str | None
) -> None:
    files = render({**TRACKER, **changes})

    owner_indexes = files["orm.py"].count('"owner_id", ')
    assert owner_indexes == (0 if index is None else 1)
    assert index is None or index in files["orm.py"]


def test_the_owners_list_index_is_not_doubled() -> None:
    request = {**TRACKER, "order": "-minutes", "indexes": [["owner_id", "minutes"]]}

    assert render(request)["orm.py"].count('Index("ix_activities_owner_id_minutes"') == 1
