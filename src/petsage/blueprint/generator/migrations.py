"""The next migration revision: numbered after the newest, chained to the current head.

Read from the tree being written to at generation time (not from the installed package), so
a migration added since the last generation is the one the new revision follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from petsage.blueprint.generator.names import GeneratorError

REVISION_DIGITS = 4


@dataclass(frozen=True, slots=True)
class Revision:
    id: str
    down_revision: str | None
    # True when the file `<id>_<name>.py` is already there, left by an interrupted run.
    replaces_orphan: bool = False


def next_revision(migrations_dir: Path) -> Revision:
    script = ScriptDirectory(str(migrations_dir))
    try:
        head = script.get_current_head()
    except CommandError as exc:
        raise GeneratorError(f"the migrations do not form one line: {exc}") from exc
    numbers = [int(rev.revision) for rev in script.walk_revisions() if rev.revision.isdigit()]
    return Revision(id=f"{max(numbers, default=0) + 1:0{REVISION_DIGITS}d}", down_revision=head)


def orphan_revision(migrations_dir: Path, name: str) -> Revision | None:
    """The revision of a migration an interrupted `feature new NAME --resource` left behind.

    The migration is put in place a moment before the feature's folder (both by rename), so
    a kill in between leaves it without its feature. The caller has checked that no feature
    of that name exists; the rerun then writes the migration again under the same revision,
    replacing the orphan, instead of numbering a second one that creates the table again.
    """
    versions = migrations_dir / "versions"
    marker = f"petsage feature new {name} --resource"
    orphans = sorted(
        path
        for path in versions.glob(f"*_{name}.py")
        if path.stem.removesuffix(f"_{name}").isdigit() and marker in path.read_text("utf-8")
    )
    if not orphans:
        return None
    if len(orphans) > 1:
        listed = ", ".join(path.name for path in orphans)
        raise GeneratorError(
            f"several migrations of feature {name!r} but no feature: {listed}; remove all "
            "but the first (and downgrade any database past it)"
        )
    revision_id = orphans[0].stem.removesuffix(f"_{name}")
    try:
        found = ScriptDirectory(str(migrations_dir)).get_revision(revision_id)
    except CommandError as exc:
        raise GeneratorError(f"the migrations do not form one line: {exc}") from exc
    if found is None or not isinstance(found.down_revision, str | None):
        raise GeneratorError(f"{orphans[0].name} is not a revision of one line")
    return Revision(id=revision_id, down_revision=found.down_revision, replaces_orphan=True)
