"""`petsage db revision -m MESSAGE`: Alembic's autogenerate, numbered and chained our way.

The models are compared with a database at the head: by default a SQLite file made for the
occasion in a temporary directory and migrated there (no server needed, and never the
operator's data), or the database `--database-url` names, which must already be at the head.
The file takes the next number (`0003`), revises the one head (several heads are refused),
and is named `<number>_<slug of the message>.py` in the project's versions folder. Against
SQLite, Alembic writes table changes in batch mode, which both databases run: SQLite alters a
table by copying it, PostgreSQL runs the plain ALTER.

The written file is for a person to read before upgrading: autogenerate cannot tell a rename
from a drop and an add, and it never sees a CHECK constraint's change.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import tempfile
from argparse import Namespace
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Index, MetaData, Table
from sqlalchemy.engine import Connection
from sqlalchemy.schema import Constraint

from petsage.blueprint.generator.migrations import next_revision
from petsage.blueprint.generator.project import Project
from petsage.database.engine import SQLITE, create_engine
from petsage.database.sqlite_threads import dispose_engine
from petsage.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.operations.ops import MigrationScript
    from alembic.runtime.migration import MigrationContext

# Alembic's banner around generated commands ("please adjust!"): the project's migrations go
# without; the command's own output says to read the file.
_ALEMBIC_BANNER = re.compile(r"^\s*# ### .* ###\n", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RevisionOutcome:
    """What `write_revision` did: the file written (None when nothing changed) and, one
    line each, the operations its upgrade runs."""

    path: Path | None
    revision: str
    down_revision: str | None
    operations: tuple[str, ...]


def write_revision(
    project: Project,
    message: str,
    metadata: MetaData,
    settings: Settings,
    *,
    compare_on_temporary_sqlite: bool = True,
) -> RevisionOutcome:
    """Write the next migration: what `metadata` has that the schema at the head lacks."""
    planned = next_revision(project.migrations_dir)
    found: list[str] = []
    with tempfile.TemporaryDirectory(prefix="petsage-revision-") as scratch:
        if compare_on_temporary_sqlite:
            url = f"{SQLITE}:///{Path(scratch) / 'compare.sqlite3'}"
            settings = settings.model_copy(update={"database_url": url})
        job = _Job(
            _alembic_config(project, metadata), message, planned.id, compare_on_temporary_sqlite
        )
        path = asyncio.run(_autogenerate(settings, job, found))
    if path is not None:
        _tidy(path, project.root)
    return RevisionOutcome(path, planned.id, planned.down_revision, tuple(found))


def _alembic_config(project: Project, metadata: MetaData) -> Config:
    from alembic.config import Config  # noqa: PLC0415 (Alembic only when a command needs it)

    # Quiet: Alembic's "Generating ... done" would precede the command's own report.
    config = Config(project.migrations_dir / "alembic.ini", cmd_opts=Namespace(quiet=True))
    # The ini's `%(here)s` already points at the project's migrations; say it outright so
    # a copy of the tree (the tests use one) never reaches back into the installed package.
    config.set_main_option("script_location", str(project.migrations_dir))
    config.attributes["target_metadata"] = metadata
    return config


@dataclass(frozen=True, slots=True)
class _Job:
    config: Config
    message: str
    revision_id: str
    migrate_first: bool  # the temporary database starts empty


async def _autogenerate(settings: Settings, job: _Job, found: list[str]) -> Path | None:
    engine = create_engine(settings, pool_size=1, max_overflow=0, statement_timeout_ms=0)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_run_alembic, job, found)
    finally:
        await dispose_engine(engine)


def _run_alembic(connection: Connection, job: _Job, found: list[str]) -> Path | None:
    from alembic import command  # noqa: PLC0415 (Alembic only when a command needs it)
    from alembic.script import Script  # noqa: PLC0415

    def keep_or_drop(
        _context: MigrationContext, _revision: object, directives: list[MigrationScript]
    ) -> None:
        upgrade = directives[0].upgrade_ops
        if upgrade is None or upgrade.is_empty():
            directives.clear()  # nothing to migrate: write no empty file
            return
        found.extend(describe(upgrade.as_diffs()))

    job.config.attributes["connection"] = connection
    if job.migrate_first:
        command.upgrade(job.config, "head")
    # Alembic itself refuses a database below the head ("Target database is not up to date").
    written = command.revision(
        job.config,
        message=job.message,
        autogenerate=True,
        rev_id=job.revision_id,
        process_revision_directives=keep_or_drop,
    )
    # One script, or none (an empty list) when keep_or_drop found nothing to write.
    return Path(written.path) if isinstance(written, Script) else None


def describe(diffs: Iterable[Any]) -> list[str]:
    """One line per operation, from Alembic's diff tuples: `add_column pets.species`."""
    lines: list[str] = []
    for diff in diffs:
        if isinstance(diff, list):  # a column's modifications come as a list of tuples
            lines.extend(describe(diff))
            continue
        kind, *rest = diff
        lines.append(f"{kind} {_target(kind, rest)}")
    return lines


def _target(kind: str, rest: Sequence[Any]) -> str:
    if kind.startswith("modify_"):  # (schema, table, column, info, existing, new)
        return f"{rest[1]}.{rest[2]}"
    if kind in {"add_column", "remove_column"}:  # (schema, table, column)
        return f"{rest[1]}.{rest[2].name}"
    item = rest[0]
    if isinstance(item, Table):
        return item.name
    if isinstance(item, Index | Constraint) and item.table is not None:
        return f"{item.name or 'unnamed'} on {item.table.name}"
    if isinstance(item, Column):
        return str(item.name)
    return " ".join(str(part) for part in rest if part is not None)


def _tidy(path: Path, root: Path) -> None:
    """Drop Alembic's banner and format the file as the project's own (ruff, when the
    development tools are installed; a wheel's user gets Alembic's layout)."""
    path.write_text(_ALEMBIC_BANNER.sub("", path.read_text("utf-8")), "utf-8")
    config = root / "pyproject.toml"
    options = ["--config", str(config)] if config.is_file() else []
    for step in (["check", "--fix-only", "--quiet"], ["format", "--quiet"]):
        subprocess.run(
            [sys.executable, "-m", "ruff", *step, *options, str(path)],
            capture_output=True,
            check=False,
        )
