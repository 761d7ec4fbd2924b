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


def next_revision(migrations_dir: Path) -> Revision:
    script = ScriptDirectory(str(migrations_dir))
    try:
        head = script.get_current_head()
    except CommandError as exc:
        raise GeneratorError(f"the migrations do not form one line: {exc}") from exc
    numbers = [int(rev.revision) for rev in script.walk_revisions() if rev.revision.isdigit()]
    return Revision(id=f"{max(numbers, default=0) + 1:0{REVISION_DIGITS}d}", down_revision=head)
