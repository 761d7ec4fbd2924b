"""A broken or clashing feature stops `petsage serve` with one line and exit code 2, before
any port is bound. The features are installed for real (a module and its `.dist-info`)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tests.support.plugins import env_with_site, install_feature
from tests.support.server import free_port, petsage_command

pytestmark = pytest.mark.slow

BROKEN = """
import petsage_no_such_dependency  # the feature's own bug
"""
TABLE_OF = """
from sqlalchemy.orm import Mapped, mapped_column

from petsage.blueprint import Feature
from petsage.database.base import Base


class Row(Base):
    __tablename__ = "{table}"
    id: Mapped[int] = mapped_column(primary_key=True)


feature = Feature(name="{name}", summary="Declares a table", models=(Row,))
"""
ROUTE_OF = """
from fastapi import APIRouter

from petsage.blueprint import Feature

router = APIRouter()


@router.get("{path}")
async def answer() -> dict[str, str]:
    return {{}}


feature = Feature(name="{name}", summary="Serves a path", routers=(router,))
"""


def serve_to_the_end(
    tmp_path: Path, env: dict[str, str], port: int, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run `petsage serve` on `port` until it exits by itself (bounded), data under tmp_path."""
    return subprocess.run(
        petsage_command("serve", "--port", str(port), *args),
        env={**env, "PETSAGE_DATA_DIR": str(tmp_path / "var")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def serve_fails(tmp_path: Path, env: dict[str, str]) -> str:
    """Run `petsage serve` and return its one line of output, checking the port stayed free."""
    port = free_port()
    result = serve_to_the_end(tmp_path, env, port)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    with socket.socket() as sock:  # nothing was left listening
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    return lines[0]


def test_a_feature_that_fails_to_import(tmp_path: Path) -> None:
    site = install_feature(tmp_path / "site", "broken_feature", BROKEN)

    line = serve_fails(tmp_path, env_with_site(site))

    assert line == (
        "petsage: feature 'broken_feature' failed to import: ModuleNotFoundError: "
        "No module named 'petsage_no_such_dependency'"
    )


def test_a_table_the_platform_owns(tmp_path: Path) -> None:
    source = TABLE_OF.format(table="health_events", name="squatter")
    site = install_feature(tmp_path / "site", "squatter", source)

    line = serve_fails(tmp_path, env_with_site(site))

    assert (
        line
        == "petsage: feature 'squatter': table 'health_events' is already declared by the platform"
    )


def test_two_features_sharing_a_table(tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_feature(site, "first_pets", TABLE_OF.format(table="pets", name="first_pets"))
    install_feature(site, "second_pets", TABLE_OF.format(table="pets", name="second_pets"))

    line = serve_fails(tmp_path, env_with_site(site))

    assert line == (
        "petsage: feature 'second_pets': table 'pets' is already declared by feature 'first_pets'"
    )


def test_two_features_serving_the_same_route(tmp_path: Path) -> None:
    # Installed features load in entry-point name order: `copycat` before `example_plugin`.
    source = ROUTE_OF.format(path="/example-plugin", name="copycat")
    site = install_feature(tmp_path / "site", "copycat", source)

    line = serve_fails(tmp_path, env_with_site(site))

    assert line == (
        "petsage: feature 'example_plugin': GET /example-plugin is already served by feature "
        "'copycat'"
    )


def test_disabling_the_liveness_feature(tmp_path: Path) -> None:
    env = env_with_site(tmp_path, {"PETSAGE_FEATURES_DISABLED": "smoke_test"})

    line = serve_fails(tmp_path, env)

    assert line.startswith(
        "petsage: invalid setting PETSAGE_FEATURES_DISABLED: feature 'smoke_test' cannot be "
        "disabled"
    )
