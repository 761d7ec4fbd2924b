"""The README's Authentication table lists exactly the identity platform's variables."""

from __future__ import annotations

import re
from pathlib import Path

from petsage.auth.settings import AuthSettings
from petsage.settings import ENV_PREFIX

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(PETSAGE_\w+)` \|", re.MULTILINE)


def test_the_authentication_table_lists_every_variable_once() -> None:
    section = README.read_text(encoding="utf-8").split("\n## Authentication\n", 1)[1]
    listed = ROW.findall(section.split("\n## ", 1)[0])

    assert sorted(listed) == sorted(
        f"{ENV_PREFIX}{name.upper()}" for name in AuthSettings.model_fields
    )
