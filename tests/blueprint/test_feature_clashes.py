"""`petsage feature new` refuses, before writing anything, a feature that would clash with the
platform or another feature (issue 16, D8), and a rerun after an interrupted `--resource`
replaces the orphan migration instead of adding a second one (D12)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from tests.support.server import child_env, run_petsage

from .conftest import copy_head, copy_project, petsage, tree_digest
from .test_feature_new import assert_refused

HEAD = copy_head()
NEXT, AFTER = f"{int(HEAD) + 1:04d}", f"{int(HEAD) + 2:04d}"


@pytest.fixture(scope="module")
def untouched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy for every refusal: each proves it wrote nothing, so the next starts clean."""
    return copy_project(tmp_path_factory.mktemp("clashes") / "project")


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (
            ["health_event", "--resource"],
            "feature 'health_event': table 'health_events' is already declared by the platform",
        ),
        (
            ["status_incident", "--resource"],
            "feature 'status_incident': table 'status_incidents' is already declared by "
            "feature 'status_page'",
        ),
        (["metric"], "path '/metrics': GET /metrics is already served by feature 'metrics'"),
        (["doc"], "path '/docs': GET /docs is already served by the platform"),
        (
            ["pet_tip", "--path", "/metrics"],
            "path '/metrics': GET /metrics is already served by feature 'metrics'",
        ),
        (
            ["feature", "--resource"],
            "feature name 'feature' would bind Feature twice in __init__.py (from "
            "petsage.blueprint import Feature, then from .orm import Feature); choose another "
            "name",
        ),
        (
            ["owned_row", "--resource"],
            "feature name 'owned_row' would bind OwnedRow twice in orm.py (from "
            "petsage.resources import OwnedRow, then class OwnedRow); choose another name",
        ),
        (
            ["kiwi", "--path", "/system", "--resource"],
            "path '/system': GET /system/{id} would overlap GET /system/health of feature "
            "'smoke_test'",
        ),
        (
            ["kiwi", "--path", "/system/status/badge", "--resource"],
            "path '/system/status/badge': GET /system/status/badge/{id} would overlap GET "
            "/system/status/badge/{check}.svg of feature 'status_page'",
        ),
        (
            ["kiwi", "--path", "/docs-static", "--resource"],
            "path '/docs-static': GET /docs-static/{id} would overlap everything under "
            "/docs-static/ of the platform",
        ),
        (
            ["kiwi", "--path", "/system/health/kiwi"],
            "path '/system/health/kiwi': /system/health/kiwi lies under /system/health, probe "
            "paths of feature 'health_checks', whose requests stay out of the access log and "
            "metrics",
        ),
    ],
    ids=[
        "platform-table",
        "feature-table",
        "metric",
        "doc",
        "path-metrics",
        "class-Feature",
        "class-OwnedRow",
        "item-under-system",
        "item-beside-badges",
        "under-docs-mount",
        "under-probe-prefix",
    ],
)
def test_clashes_are_refused_before_writing(
    untouched: Path, arguments: list[str], line: str
) -> None:
    before = tree_digest(untouched)

    result = petsage("feature", "new", *arguments, "--root", str(untouched))

    assert_refused(result.exit_code, result.stdout, result.stderr, line)
    assert result.stderr == f"petsage: {line}\n"
    assert tree_digest(untouched) == before


def test_a_path_below_a_plain_one_is_accepted(untouched: Path) -> None:
    """The control case: nothing captures `/example-plugin/extra` (a dry run writes nothing)."""
    result = petsage(
        "feature",
        "new",
        "kiwi",
        "--path",
        "/example-plugin/extra",
        "--resource",
        "--dry-run",
        "--root",
        str(untouched),
    )

    assert result.exit_code == 0, result.output


def interrupted(project: Path, name: str) -> None:
    """The tree a kill between the migration's move and the folder's leaves: the migration in
    place, no feature folder, and the hidden staging folders no cleanup removed."""
    features = project / "src" / "petsage" / "features"
    staging = features / ".petsage-new-killed"
    (features / name).rename(staging)
    (project / "src" / "petsage" / "migrations" / "versions" / ".petsage-new-killed").mkdir()


def migrations_of(project: Path, name: str) -> list[str]:
    versions = project / "src" / "petsage" / "migrations" / "versions"
    return sorted(path.name for path in versions.glob(f"*_{name}.py"))


def upgrade(project: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`alembic upgrade head` with the project's migrations, on a fresh SQLite file."""
    ini = tmp_path / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {project}/src/petsage/migrations\n")
    database = f"sqlite+aiosqlite:///{tmp_path / 'upgrade.sqlite3'}"
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
        env=child_env({"PETSAGE_DATABASE_URL": database}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_rerun_replaces_the_orphan_migration_of_an_interrupted_run(
    project: Path, tmp_path: Path
) -> None:
    first = petsage("feature", "new", "kiwi", "--resource", "--root", str(project))
    assert first.exit_code == 0, first.output
    interrupted(project, "kiwi")
    assert migrations_of(project, "kiwi") == [f"{NEXT}_kiwi.py"]

    rerun = run_petsage("feature", "new", "kiwi", "--resource", "--json", "--root", str(project))

    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["revision"] == NEXT
    assert migrations_of(project, "kiwi") == [f"{NEXT}_kiwi.py"]
    assert (project / "src" / "petsage" / "features" / "kiwi" / "orm.py").is_file()
    script = ScriptDirectory(str(project / "src" / "petsage" / "migrations"))
    assert script.get_heads() == [NEXT]
    upgraded = upgrade(project, tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr


def test_an_orphan_below_a_later_migration_keeps_its_place_in_the_chain(project: Path) -> None:
    for name in ("kiwi", "plum"):
        result = petsage("feature", "new", name, "--resource", "--root", str(project))
        assert result.exit_code == 0, result.output
    interrupted(project, "kiwi")

    rerun = petsage("feature", "new", "kiwi", "--resource", "--json", "--root", str(project))

    assert rerun.exit_code == 0, rerun.output
    written = json.loads(rerun.stdout)
    assert (written["revision"], written["down_revision"]) == (NEXT, HEAD)
    assert migrations_of(project, "kiwi") == [f"{NEXT}_kiwi.py"]
    script = ScriptDirectory(str(project / "src" / "petsage" / "migrations"))
    assert script.get_heads() == [AFTER]


def test_the_clash_check_knows_the_routes_the_kit_serves() -> None:
    """The generator states the kit's routes (it may not import the kit): held to the kit."""
    from petsage.blueprint.generator.clashes import KIT_ROUTES  # noqa: PLC0415
    from tests.resources.example_pets.router import router  # noqa: PLC0415

    served = {
        (method, route.path.removeprefix(router.prefix))
        for route in router.routes
        for method in getattr(route, "methods", ())
    }
    assert served == set(KIT_ROUTES)
