"""The detail policy on every health endpoint: each mode, with no token, a wrong and the right one.

The failing check is real: a PostgreSQL URL where nothing listens, so the withheld reason is a
real driver error that names a host and port.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from petsage.main import AppOptions, assemble_app
from petsage.settings import Settings
from petsage.testing.health import Switch, wait_for_rounds
from petsage.testing.server import free_port

from .conftest import HEALTH_JSON, RIGHT, STEADY, TOKEN, WRONG, HealthClientFactory

DETAIL_FIELDS = {"duration_ms", "checked_at", "last_success_at", "last_failure_at"}
NONE: dict[str, str] = {}
CASES = [
    ("never", NONE, False),
    ("never", WRONG, False),
    ("never", RIGHT, False),
    ("authorized", NONE, False),
    ("authorized", WRONG, False),
    ("authorized", RIGHT, True),
    ("always", NONE, True),
    ("always", WRONG, True),
    ("always", RIGHT, True),
]


@pytest.fixture(scope="module")
def failing_client(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], TestClient]]:
    """One app per mode for the module (each case only reads it): its shutdown, which waits for
    the round against the dead database, was most of the module's time when each case had one."""
    clients: dict[str, TestClient] = {}

    def start(mode: str) -> TestClient:
        if mode not in clients:
            dead = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/petsage"
            data_dir = tmp_path_factory.mktemp(f"details-{mode}") / "var"
            data_dir.mkdir()
            settings = Settings(
                _env_file=None,
                data_dir=data_dir,
                shutdown_drain_seconds=0,
                database_url=dead,
                health_details=mode,
                health_token=TOKEN,
                **STEADY,
            )
            app = assemble_app(settings, AppOptions(health_checks=[Switch().provider()]))
            clients[mode] = TestClient(app).__enter__()
            wait_for_rounds(app)
        return clients[mode]

    yield start
    for client in clients.values():
        client.__exit__(None, None, None)


@pytest.mark.parametrize(("mode", "headers", "sees_details"), CASES)
def test_check_list(
    failing_client: Callable[[str], TestClient],
    mode: str,
    headers: dict[str, str],
    sees_details: bool,
) -> None:
    response = failing_client(mode).get("/system/health/checks", headers=headers)

    assert response.status_code == 503
    database, disk = response.json()["checks"][0], response.json()["checks"][2]
    if sees_details:
        assert set(database) >= DETAIL_FIELDS
        assert "Connect call failed" in database["reason"] or "refused" in database["reason"]
        assert database["last_success_at"] is None  # it never passed
        assert database["last_failure_at"] == database["checked_at"]
        assert disk["observed_unit"] == "MiB"
        assert disk["observed_value"] > 0
    else:
        assert database["reason"] == "reason withheld"
        assert not (DETAIL_FIELDS | {"observed_value", "observed_unit"}) & set(database)
        assert set(disk) == {"name", "status", "critical"}


@pytest.mark.parametrize(("mode", "headers", "sees_details"), CASES)
def test_readiness_and_single_check(
    failing_client: Callable[[str], TestClient],
    mode: str,
    headers: dict[str, str],
    sees_details: bool,
) -> None:
    client = failing_client(mode)
    ready = client.get("/system/health/ready", headers=headers).json()
    one = client.get("/system/health/checks/database", headers=headers).json()

    for database in (ready["checks"][0], one):
        assert database["status"] == "error"
        assert (database["reason"] != "reason withheld") is sees_details
        assert ("duration_ms" in database) is sees_details


@pytest.mark.parametrize(("mode", "headers", "sees_details"), CASES)
def test_health_json(
    failing_client: Callable[[str], TestClient],
    mode: str,
    headers: dict[str, str],
    sees_details: bool,
) -> None:
    response = failing_client(mode).get("/system/health/ready", headers={**headers, **HEALTH_JSON})

    assert response.headers["content-type"] == "application/health+json"
    database = response.json()["checks"]["database:responseTime"][0]
    disk = response.json()["checks"]["disk:freeSpace"][0]
    assert database["status"] == "fail"
    assert (database["output"] != "reason withheld") is sees_details
    assert ("time" in database) is sees_details
    assert ("observedValue" in disk) is sees_details


def test_bearer_scheme_is_case_insensitive_and_other_schemes_are_ignored(
    failing_client: Callable[[str], TestClient],
) -> None:
    client = failing_client("authorized")

    lower = client.get(
        "/system/health/checks/database", headers={"Authorization": f"bearer {TOKEN}"}
    )
    basic = client.get(
        "/system/health/checks/database", headers={"Authorization": f"Basic {TOKEN}"}
    )

    assert "duration_ms" in lower.json()
    assert basic.json()["reason"] == "reason withheld"


def test_authorized_without_a_configured_token_shows_nobody(
    health_client: HealthClientFactory, migrated: Callable[..., Settings]
) -> None:
    client = health_client(migrated(health_details="authorized"))

    response = client.get("/system/health/checks/database", headers=RIGHT)

    assert set(response.json()) == {"name", "status", "critical"}
