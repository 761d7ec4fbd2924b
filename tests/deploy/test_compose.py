"""compose.yaml, checked without a Docker engine: PetSage, PostgreSQL and a one-shot migration."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.settings_env import settings_from, unknown_settings
from tests.support.server import run_petsage

# One xdist worker runs the module: its module-scoped fixtures are built once.

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "petsage")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return document["services"]  # type: ignore[no-any-return]


def interpolate(value: str) -> str:
    """Compose's `${VAR:-default}` with nothing set: every default applies."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def environment(service: dict[str, Any]) -> dict[str, str]:
    return {key: interpolate(str(value)) for key, value in service["environment"].items()}


def seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+)(s|m)", duration)
    assert match is not None, f"not a duration: {duration!r}"
    return int(match.group(1)) * {"s": 1, "m": 60}[match.group(2)]


def test_postgres_15_reports_health_with_pg_isready(services: dict[str, Any]) -> None:
    postgres = services["postgres"]

    assert postgres["image"] == "postgres:15"
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]


@pytest.mark.skipif(shutil.which("pg_isready") is None, reason="pg_isready is not installed")
def test_the_pg_isready_arguments_are_valid(services: dict[str, Any]) -> None:
    # Against the local server over TCP; in the container the same arguments use the socket.
    command = [*services["postgres"]["healthcheck"]["test"][1:], "--host=127.0.0.1"]

    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)

    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_run_once_as_a_one_shot_service(services: dict[str, Any]) -> None:
    migrate = services["migrate"]

    assert migrate["command"] == ["petsage", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_the_api_starts_after_a_healthy_database_and_a_completed_migration(
    services: dict[str, Any],
) -> None:
    assert services["petsage"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_share_the_image_and_a_valid_postgres_configuration(
    services: dict[str, Any], name: str
) -> None:
    env = environment(services[name])
    settings = settings_from(env)

    assert unknown_settings(env) == set()
    assert services[name]["image"] == services["petsage"]["image"]
    assert services[name]["build"]["context"] == "."
    assert settings.database_url is not None
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert "@postgres:5432/" in settings.database_url  # the service name is the host
    assert settings.db_migrate_on_start is False


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_are_locked_down(services: dict[str, Any], name: str) -> None:
    service = services[name]

    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert "user" not in service  # the image's numeric user applies


def test_the_api_gets_time_to_drain_and_shut_down(services: dict[str, Any]) -> None:
    petsage = services["petsage"]
    settings = settings_from(environment(petsage))
    budget = settings.shutdown_drain_seconds + settings.shutdown_timeout_seconds

    assert seconds(petsage["stop_grace_period"]) > budget


def test_the_api_publishes_its_port_on_loopback_only(services: dict[str, Any]) -> None:
    assert services["petsage"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "healthcheck" not in services["petsage"]  # the image's HEALTHCHECK applies


def test_the_migration_command_exists() -> None:
    result = run_petsage("db", "upgrade", "--help")

    assert result.returncode == 0, result.stderr
