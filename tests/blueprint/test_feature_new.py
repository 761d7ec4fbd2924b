"""`petsage feature new`: the name rules, all-or-nothing writes, --dry-run and --json, and
output that ruff leaves exactly as rendered."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from petsage.blueprint.catalog import Occupied, occupied
from petsage.blueprint.discovery import discover_features
from petsage.blueprint.generator import (
    GeneratorError,
    feature_names,
    locate_project,
    plan_feature,
    write_plan,
)
from petsage.main import platform_routes
from tests.support.server import run_petsage

from .conftest import REPO, copy_head, petsage, tree_digest, without_shipped_pets
from .golden_files import GOLDEN, REQUEST

LONGEST_NAME = "abcdefghij_abcdefghij_abcdefghij_abcdefg"
LONGEST_PATH = "/abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcd"
LONGEST_DESCRIPTION = "x" * 72

# Generated revisions are numbered after the head this project packages (the copy starts there).
HEAD = copy_head()
NEXT, AFTER = f"{int(HEAD) + 1:04d}", f"{int(HEAD) + 2:04d}"


def occupied_now() -> Occupied:
    return occupied(platform_routes(), without_shipped_pets(discover_features()))


def assert_refused(result_code: int, stdout: str, stderr: str, fragment: str) -> None:
    assert result_code == 2
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("petsage: ")
    assert fragment in lines[0]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("PetProfile", "snake_case"),
        ("pet-profile", "snake_case"),
        ("_pet", "snake_case"),
        ("pet__profile", "snake_case"),
        ("pet_", "snake_case"),
        ("9lives", "snake_case"),
        ("a" * 41, "longer than 40"),
        ("class", "keyword"),
        ("match", "keyword"),
        ("print", "builtin"),
        ("json", "standard-library"),
        ("system", "reserved"),
        ("health", "reserved"),
        ("docs", "reserved"),
        ("metrics", "reserved"),
        ("status", "reserved"),
        ("api", "reserved"),
        ("smoke_test", "already exists"),
        ("example_plugin", "already exists"),  # installed: an entry point, not a folder
    ],
)
def test_bad_names_exit_2_with_one_line_and_write_nothing(
    project: Path, name: str, fragment: str
) -> None:
    before = tree_digest(project)

    result = petsage("feature", "new", name, "--resource", "--root", str(project))

    assert_refused(result.exit_code, result.stdout, result.stderr, fragment)
    assert tree_digest(project) == before


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--path", "pets"),
        ("--path", "/Pets"),
        ("--path", "/pet_profiles"),
        ("--path", "/pets/"),
        ("--path", "/pets--x"),
        ("--path", "/" + "a" * 60),
        ("--description", 'say "hi"'),
        ("--description", "back\\slash"),
        ("--description", "two\nlines"),
        ("--description", "x" * 73),
    ],
)
def test_bad_options_exit_2_and_write_nothing(project: Path, option: str, value: str) -> None:
    before = tree_digest(project)

    result = petsage("feature", "new", "pet_profile", option, value, "--root", str(project))

    assert_refused(result.exit_code, result.stdout, result.stderr, option.lstrip("-"))
    assert tree_digest(project) == before


def test_the_real_command_refuses_with_one_line() -> None:
    before = tree_digest(REPO / "src")

    result = run_petsage("feature", "new", "json")

    assert_refused(result.returncode, result.stdout, result.stderr, "standard-library")
    assert tree_digest(REPO / "src") == before


def test_dry_run_lists_the_files_and_writes_nothing() -> None:
    """Against this very source tree (the default root): not one byte may change."""
    before = tree_digest(REPO / "src")

    result = petsage("feature", "new", "pet_sitter", "--resource", "--dry-run")

    assert result.exit_code == 0, result.output
    assert tree_digest(REPO / "src") == before
    lines = result.stdout.splitlines()
    assert "would create src/petsage/features/pet_sitter/__init__.py" in lines
    assert "would create src/petsage/features/pet_sitter/tests/test_pet_sitter.py" in lines
    assert any(line.endswith("_pet_sitter.py") and "/versions/" in line for line in lines)
    assert not (REPO / "src" / "petsage" / "features" / "pet_sitter").exists()


def test_json_says_what_was_written_and_revisions_chain(project: Path) -> None:
    first = petsage("feature", "new", "pet_profile", "--resource", "--json", "--root", str(project))
    second = petsage(
        "feature",
        "new",
        "vet_visit",
        "--resource",
        "--auth",
        "none",
        "--json",
        "--root",
        str(project),
    )

    assert first.exit_code == 0, first.output
    written = json.loads(first.stdout)
    assert {key: written[key] for key in ("name", "path", "tag", "revision", "down_revision")} == {
        "name": "pet_profile",
        "path": "/pet-profiles",
        "tag": "Pet Profile",
        "revision": NEXT,
        "down_revision": HEAD,
    }
    assert written["resource"] is True
    assert written["dry_run"] is False
    assert f"src/petsage/migrations/versions/{NEXT}_pet_profile.py" in written["files"]
    assert all((project / path).is_file() for path in written["files"])
    assert (written["auth"], written["owned"]) == ("scopes", True)
    assert (json.loads(second.stdout)["auth"], json.loads(second.stdout)["owned"]) == (
        "none",
        False,
    )
    assert (
        "access=Access.none(),"
        in (project / "src/petsage/features/vet_visit/router.py").read_text()
    )
    assert json.loads(second.stdout)["revision"] == AFTER
    assert json.loads(second.stdout)["down_revision"] == NEXT
    script = ScriptDirectory(str(project / "src" / "petsage" / "migrations"))
    assert script.get_heads() == [AFTER]


def test_a_plain_feature_has_no_migration(project: Path) -> None:
    result = petsage(
        "feature", "new", "pet_tip", "--path", "/tips", "--json", "--root", str(project)
    )

    written = json.loads(result.stdout)
    assert (written["path"], written["revision"], written["resource"]) == ("/tips", None, False)
    assert sorted(written["files"]) == [
        f"src/petsage/features/pet_tip/{name}"
        for name in (
            "__init__.py",
            "models.py",
            "router.py",
            "service.py",
            "tests/__init__.py",
            "tests/test_pet_tip.py",
        )
    ]


def test_an_existing_feature_folder_or_migration_is_never_overwritten(project: Path) -> None:
    plan = plan_feature(
        locate_project(project), "pet_profile", resource=True, occupied=occupied_now()
    )
    (project / "src" / "petsage" / "features" / "pet_profile").mkdir()
    (project / "src" / "petsage" / "features" / "pet_profile" / "keep.txt").write_text("mine")
    before = tree_digest(project)

    with pytest.raises(GeneratorError, match="already exists"):
        write_plan(plan)

    assert tree_digest(project) == before


def test_an_unwritable_tree_leaves_nothing_behind(project: Path) -> None:
    plan = plan_feature(
        locate_project(project), "pet_profile", resource=True, occupied=occupied_now()
    )
    versions = project / "src" / "petsage" / "migrations" / "versions"
    shutil.rmtree(versions)
    versions.write_text("not a folder")
    before = tree_digest(project)

    with pytest.raises(GeneratorError, match="nothing was written"):
        write_plan(plan)

    assert tree_digest(project) == before


def test_forked_migrations_are_refused(project: Path) -> None:
    versions = project / "src" / "petsage" / "migrations" / "versions"
    fork = (versions / "0001_health_events.py").read_text().replace('"0001"', '"0001a"')
    (versions / "0001a_fork.py").write_text(fork)

    result = petsage("feature", "new", "pet_profile", "--resource", "--root", str(project))

    assert_refused(result.exit_code, result.stdout, result.stderr, "one line")


def test_a_root_that_is_no_project_is_refused(tmp_path: Path) -> None:
    result = petsage("feature", "new", "pet_profile", "--root", str(tmp_path))

    assert_refused(result.exit_code, result.stdout, result.stderr, "--root")


@pytest.mark.parametrize(
    ("name", "path", "tag", "class_name", "table"),
    [
        ("pet_profile", "/pet-profiles", "Pet Profile", "PetProfile", "pet_profiles"),
        ("vet_visit", "/vet-visits", "Vet Visit", "VetVisit", "vet_visits"),
        ("child", "/children", "Child", "Child", "children"),
        ("food_class", "/food-classes", "Food Class", "FoodClass", "food_classes"),
        ("x2_ray", "/x2-rays", "X2 Ray", "X2Ray", "x2_rays"),
    ],
)
def test_names_derive_from_the_singular(
    name: str, path: str, tag: str, class_name: str, table: str
) -> None:
    names = feature_names(name)

    assert (names.path, names.tag, names.class_name, names.table) == (
        path,
        tag,
        class_name,
        table,
    )


def ruff_accepts(project: Path, files: list[str]) -> None:
    for command in (["format", "--check", "--diff"], ["check", "--no-cache"]):
        ruff = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *files],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert ruff.returncode == 0, ruff.stdout + ruff.stderr


def test_request_files_with_a_ref_give_chained_lint_clean_resources(project: Path) -> None:
    """The issue's request, then one whose `ref` names it (mypy --strict, lint-imports and the
    generated tests on both databases run in scripts/walkthrough.sh)."""
    written = []
    for request in (REQUEST, GOLDEN / "vet_visit.yaml"):
        result = petsage("feature", "new", "--from", str(request), "--json", "--root", str(project))
        assert result.exit_code == 0, result.output
        written.append(json.loads(result.stdout))

    pet, vet = written
    assert (pet["revision"], vet["down_revision"], vet["revision"]) == (NEXT, NEXT, AFTER)
    assert pet["fields"][:3] == ["name", "species", "breed"]
    init = project / "src" / "petsage" / "features" / "vet_visit" / "__init__.py"
    assert 'requires=("pet_profile",),' in init.read_text()
    ruff_accepts(project, [*pet["files"], *vet["files"]])


@pytest.mark.parametrize(
    "arguments",
    [
        ["pet_profile", "--resource"],
        ["pet_profile", "--field", "name:str:100", "--field", "species:enum(dog,cat):filter"],
        ["pet_tip"],
        [LONGEST_NAME, "--resource", "--path", LONGEST_PATH, "--description", LONGEST_DESCRIPTION],
        [LONGEST_NAME.replace("_", "x"), "--path", LONGEST_PATH, "--description", "y" * 72],
        ["abcdefghijabcdefghijabcdefghijabcdefghiz", "--resource"],
        ["z"],
    ],
    ids=["resource", "fields", "plain", "longest-resource", "longest-plain", "long-class", "short"],
)
def test_generated_code_is_already_formatted_and_lint_clean(
    project: Path, arguments: list[str]
) -> None:
    """ruff format --check and ruff check, with this project's settings, on what was written
    (mypy --strict and the generated tests run in scripts/walkthrough.sh)."""
    result = petsage("feature", "new", *arguments, "--json", "--root", str(project))
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]

    ruff_accepts(project, files)
