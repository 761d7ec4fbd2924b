"""A throwaway PetSage source tree to generate into, and a digest to prove what changed."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from petsage.blueprint import Feature, discovery
from petsage.cli.app import app

REPO = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")
# The pet features ship built in, generated from requests/*.yaml. These tests generate the
# issue's requests (tests/blueprint/golden/) into a copy of the project as it was before them,
# where those requests are new: the copy leaves them out, and so does what the generator
# finds installed (`without_shipped_pets`).
SHIPPED_PETS = ("pet_profile", "activity_tracker")
VERSIONS = REPO / "src" / "petsage" / "migrations" / "versions"


def _shipped_pet_file(name: str) -> bool:
    return any(name == pet or name.endswith(f"_{pet}.py") for pet in SHIPPED_PETS)


def copy_head() -> str:
    """The head revision of the copy: the last one that is not a pet feature's."""
    numbers = [
        path.name[:4]
        for path in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py")
        if not _shipped_pet_file(path.name)
    ]
    return max(numbers)


def without_shipped_pets(features: tuple[Feature, ...]) -> tuple[Feature, ...]:
    return tuple(feature for feature in features if feature.name not in SHIPPED_PETS)


@pytest.fixture(autouse=True)
def _generator_sees_no_shipped_pets(monkeypatch: pytest.MonkeyPatch) -> None:
    """`petsage feature new` in process checks clashes against the installed features: leave
    the shipped pet features out, as the copy does."""
    found = discovery.discover_features
    monkeypatch.setattr(
        discovery, "discover_features", lambda *a, **k: without_shipped_pets(found(*a, **k))
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this project's features and migrations (and its lint settings)."""
    return copy_project(tmp_path / "project")


def copy_project(root: Path) -> Path:
    package = root / "src" / "petsage"
    features = REPO / "src" / "petsage" / "features"
    shutil.copytree(features, package / "features", ignore=_skip_with_pets)
    migrations = REPO / "src" / "petsage" / "migrations"
    shutil.copytree(migrations, package / "migrations", ignore=_skip_with_pets)
    shutil.copy2(REPO / "src" / "petsage" / "__init__.py", package / "__init__.py")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def _skip_with_pets(directory: str, names: list[str]) -> set[str]:
    return set(SKIP(directory, names)) | {name for name in names if _shipped_pet_file(name)}


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
