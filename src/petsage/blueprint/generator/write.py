"""Writing a new feature all or nothing, and never over an existing file.

Everything is first written into temporary folders beside its targets (same file system, so
the final moves are renames). The migration is hard-linked into place, which fails rather
than replace a file of that name; the feature's folder is then renamed into place. If that
fails, the migration is removed again; the temporary folders go in every case.

A kill between the two moves (SIGKILL, a power cut) runs no cleanup: it leaves the migration
without its feature. No order of two renames avoids that, so the rerun detects the orphan
(`migrations.orphan_revision`: the same name, no feature) and replaces it under its own
revision (`replace_migration`), rather than numbering a second migration of the same table.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from petsage.blueprint.generator.names import GeneratorError
from petsage.blueprint.generator.render import GeneratedFile


def write_feature(
    feature_dir: Path,
    files: Sequence[GeneratedFile],
    migration: tuple[Path, GeneratedFile] | None = None,
    *,
    replace_migration: bool = False,
) -> None:
    """Create `feature_dir` holding `files`, and the migration (its folder, its file), or
    nothing at all. `replace_migration`: the migration's file is an orphan to replace."""
    refuse_existing(feature_dir, None if replace_migration else migration)
    try:
        _stage_and_move(feature_dir, files, migration, replace_migration)
    except OSError as exc:
        raise GeneratorError(f"could not write the feature: {exc}; nothing was written") from exc


def _stage_and_move(
    feature_dir: Path,
    files: Sequence[GeneratedFile],
    migration: tuple[Path, GeneratedFile] | None,
    replace_migration: bool,
) -> None:
    with _staging(feature_dir.parent) as staged_features:
        staged_feature = staged_features / feature_dir.name
        _write_all(staged_feature, files)
        if migration is None:
            _move_folder(staged_feature, feature_dir)
            return
        versions_dir, migration_file = migration
        with _staging(versions_dir) as staged_versions:
            _write_all(staged_versions, [migration_file])
            target = versions_dir / migration_file.path
            if replace_migration:
                # The orphan stays in place until the new file replaces it in one rename,
                # and is left alone if the folder cannot follow: a rerun finds it again.
                (staged_versions / migration_file.path).replace(target)
                _move_folder(staged_feature, feature_dir)
                return
            _link_file(staged_versions / migration_file.path, target)
            try:
                _move_folder(staged_feature, feature_dir)
            except BaseException:
                target.unlink()
                raise


def refuse_existing(feature_dir: Path, migration: tuple[Path, GeneratedFile] | None) -> None:
    targets = [feature_dir]
    if migration is not None:
        targets.append(migration[0] / migration[1].path)
    for target in targets:
        if target.exists():
            raise GeneratorError(f"{target} already exists; nothing was written")


@contextmanager
def _staging(beside: Path) -> Iterator[Path]:
    # A hidden folder: neither Python nor Alembic looks at it while it briefly exists.
    staging = Path(tempfile.mkdtemp(prefix=".petsage-new-", dir=beside))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_all(folder: Path, files: Sequence[GeneratedFile]) -> None:
    for generated in files:
        target = folder / generated.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(generated.content, encoding="utf-8")


def _link_file(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileExistsError as exc:
        raise GeneratorError(f"{target} already exists; nothing was written") from exc


def _move_folder(source: Path, target: Path) -> None:
    if target.exists():
        raise GeneratorError(f"{target} already exists; nothing was written")
    source.rename(target)
