"""`petsage db revision -m MESSAGE`: a model gains a column, the command writes the migration,
the migration runs up and down, on SQLite and on PostgreSQL.

Each test works on a copy of the project's migrations (a `Project` rooted in tmp_path), so
the repository's tree is never written to. A feature's `orm.py` gaining a column is stood in
for by a copy of the models' metadata with that column added: the command compares whatever
metadata it is given, and the real one is the same tables.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from petsage.blueprint.generator.project import Project
from petsage.cli.app import app
from petsage.cli.revision import write_revision
from petsage.database import migrate
from petsage.database.engine import create_engine
from petsage.migrations import target_metadata
from petsage.settings import Settings

REPOSITORY = Path(__file__).resolve().parents[2]
# A table a feature brings (the status page's), so the path is the one a feature's orm.py takes.
TABLE = "status_incidents"
T = TypeVar("T")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of the project's migrations and ruff settings, to write revisions into."""
    root = tmp_path / "project"
    shutil.copytree(
        migrate.MIGRATIONS_DIR,
        root / "src" / "petsage" / "migrations",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (root / "src" / "petsage" / "features").mkdir()
    shutil.copy(REPOSITORY / "pyproject.toml", root / "pyproject.toml")
    return Project(root)


def head_of(project: Project) -> str:
    # The copy's own head: the tree may have gained a revision since this process started.
    head = ScriptDirectory(str(project.migrations_dir)).get_current_head()
    assert head is not None
    return head


def models_with_a_new_column() -> sa.MetaData:
    """Every table of the platform and the features, and `status_incidents.acknowledged_by`."""
    models = target_metadata()
    copy = sa.MetaData(naming_convention=models.naming_convention)
    for table in models.tables.values():
        table.to_metadata(copy)
    copy.tables[TABLE].append_column(sa.Column("acknowledged_by", sa.String(100)))
    return copy


def project_config(project: Project, connection: Connection) -> Config:
    config = Config(project.migrations_dir / "alembic.ini")
    config.set_main_option("script_location", str(project.migrations_dir))
    config.attributes["connection"] = connection
    return config


def run_on(settings: Settings, step: Callable[[Connection], T]) -> T:
    async def run() -> T:
        engine = create_engine(settings, pool_size=1, max_overflow=0, statement_timeout_ms=0)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(step)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def columns_of(connection: Connection) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns(TABLE)}


def test_a_new_column_becomes_a_numbered_migration_that_runs_up_and_down(
    project: Project, database_settings: Settings
) -> None:
    # The default comparison (a temporary SQLite at the head) writes batch operations, which
    # the test then runs on both databases.
    models = models_with_a_new_column()

    head = head_of(project)
    number = f"{int(head) + 1:04d}"

    outcome = write_revision(project, "Incidents: who acknowledged them", models, database_settings)

    assert outcome.path == project.versions_dir / f"{number}_incidents_who_acknowledged_them.py"
    assert (outcome.revision, outcome.down_revision) == (number, head)
    assert outcome.operations == (f"add_column {TABLE}.acknowledged_by",)
    source = outcome.path.read_text("utf-8")
    assert f'revision: str = "{number}"' in source
    assert 'batch_op.add_column(sa.Column("acknowledged_by", sa.String(length=100)' in source
    assert "###" not in source  # Alembic's banner is dropped
    ruff = [sys.executable, "-m", "ruff", "--config", str(project.root / "pyproject.toml")]
    for check in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [*ruff, *check, str(outcome.path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout

    def up_then_down(connection: Connection) -> tuple[set[str], list[object], set[str], set[str]]:
        config = project_config(project, connection)
        command.upgrade(config, "head")
        upgraded = columns_of(connection)
        differences = list(compare_metadata(MigrationContext.configure(connection), models))
        command.downgrade(config, "-1")
        downgraded = columns_of(connection)
        command.upgrade(config, "head")
        return upgraded, differences, downgraded, columns_of(connection)

    upgraded, differences, downgraded, again = run_on(database_settings, up_then_down)

    assert "acknowledged_by" in upgraded
    assert differences == []
    assert "acknowledged_by" not in downgraded
    assert "acknowledged_by" in again


@pytest.mark.postgres
def test_database_url_compares_with_that_database_at_the_head(
    project: Project, postgres_url: str, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(database_url=postgres_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    run_on(
        settings, lambda connection: command.upgrade(project_config(project, connection), "head")
    )

    outcome = write_revision(
        project,
        "acknowledged",
        models_with_a_new_column(),
        settings,
        compare_on_temporary_sqlite=False,
    )

    assert outcome.operations == (f"add_column {TABLE}.acknowledged_by",)
    assert outcome.path is not None
    # Compared with PostgreSQL itself, Alembic writes the plain ALTER.
    assert 'op.add_column(\n        "status_incidents"' in outcome.path.read_text("utf-8")


runner = CliRunner()


def test_no_changes_writes_nothing_and_exits_0(project: Project) -> None:
    before = sorted(project.versions_dir.iterdir())

    result = runner.invoke(app, ["db", "revision", "-m", "nothing", "--root", str(project.root)])

    assert result.exit_code == 0, result.output
    head = head_of(project)
    assert result.output == f"no changes: the models match the migrations at {head}\n"
    assert sorted(project.versions_dir.iterdir()) == before


def test_two_heads_are_refused_with_one_line(project: Project) -> None:
    first = project.versions_dir / "0001_health_events.py"
    branch = first.read_text("utf-8").replace('revision: str = "0001"', 'revision: str = "0099"')
    branch = branch.replace(
        "down_revision: str | None = None", 'down_revision: str | None = "0001"'
    )
    (project.versions_dir / "0099_branch.py").write_text(branch, "utf-8")

    result = runner.invoke(app, ["db", "revision", "-m", "x", "--root", str(project.root)])

    assert result.exit_code == 2
    assert result.output.startswith("petsage: the migrations do not form one line")
    assert len(result.output.strip().splitlines()) == 1


def test_a_database_below_the_head_is_refused(
    project: Project, sqlite_url: str, tmp_path: Path
) -> None:
    before = sorted(path.name for path in project.versions_dir.glob("*.py"))
    (tmp_path / "var").mkdir()  # the empty database's directory: sqlite_url's file is in it

    result = runner.invoke(
        app,
        ["db", "revision", "-m", "x", "--root", str(project.root), "--database-url", sqlite_url],
    )

    assert result.exit_code == 2
    assert result.output == "petsage: Target database is not up to date.\n"
    assert sorted(path.name for path in project.versions_dir.glob("*.py")) == before
