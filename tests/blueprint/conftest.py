"""A throwaway PetSage source tree to generate into, and a digest to prove what changed."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from petsage.cli import app

REPO = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project's features and migrations (and its lint settings)."""
    return copy_project(tmp_path / "project")


def copy_project(root: Path) -> Path:
    package = root / "src" / "petsage"
    shutil.copytree(REPO / "src" / "petsage" / "features", package / "features", ignore=SKIP)
    migrations = REPO / "src" / "petsage" / "migrations"
    shutil.copytree(migrations, package / "migrations", ignore=SKIP)
    shutil.copy2(REPO / "src" / "petsage" / "__init__.py", package / "__init__.py")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def tree_digest(root: Path) -> str:
    """Every file under `root`, names and contents, as one hash."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def petsage(*args: str) -> Result:
    """`petsage ...` in process (the subprocess tests live in tests/test_cli.py's style)."""
    return CliRunner().invoke(app, list(args))
