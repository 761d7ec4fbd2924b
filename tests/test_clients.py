"""Clients generated from the live `/openapi.json` read a real `petsage serve`, healthy and with
a critical check down, in JSON and in `application/health+json`.

- Python: `openapi-python-client` (a dev dependency). Its functions parse each status with the
  first media type the document lists, so JSON must come first: with `application/health+json`
  first, every 503 raised `ValueError: 'error' is not a valid ...Status`. It makes one parser
  per status, so a `health+json` answer is read with its generated model (`DraftHealthReport`,
  a named component) from the same client.
- TypeScript: `openapi-typescript` writes the types, `tsc --strict` compiles tests/clients/
  health.ts against them and node runs it on the same server (npm packages in tests/clients,
  installed by `.ci/run`; without them that half skips, unless PETSAGE_TEST_REQUIRE_NODE=1).

One server and one generation of each client per module.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx2 as httpx
import pytest

from petsage.features.health_checks.render import HEALTH_JSON
from tests.support.server import RunningServer, petsage_server
from tests.support.stub_http import StoppableDependency, stoppable_dependency

pytestmark = pytest.mark.slow

TOKEN = "generated-clients-token-0123456789"
CHECK = "http:vetapi"
READY = "/system/health/ready"
CHECKS = "/system/health/checks"
PACKAGE = "petsage_generated_client"
NODE_DIR = Path(__file__).parent / "clients"
REQUIRE_NODE = "PETSAGE_TEST_REQUIRE_NODE"
STATE_TIMEOUT_SECONDS = 30.0
# The generator formats with ruff by default: not needed to import the client, and slower.
GENERATOR_CONFIG = "post_hooks: []\n"
COVERAGE_HOOKS = ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")


def unmeasured_env() -> dict[str, str]:
    """This environment without coverage's subprocess hook: the generator runs no PetSage code,
    so tracing it (as `patch = ["subprocess"]` does every Python child) only cost CPU."""
    return {k: v for k, v in os.environ.items() if k not in COVERAGE_HOOKS}


@pytest.fixture(scope="module")
def dependency() -> Iterator[StoppableDependency]:
    with stoppable_dependency() as running:
        yield running


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, dependency: StoppableDependency
) -> Iterator[RunningServer]:
    checks = [{"name": "vetapi", "url": dependency.url, "timeout_seconds": 0.5, "critical": True}]
    env = {
        "PETSAGE_HEALTH_TOKEN": TOKEN,
        "PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(checks),
        "PETSAGE_HEALTH_INTERVAL_SECONDS": "0.2",
    }
    with petsage_server(tmp_path_factory.mktemp("clients"), env=env) as running:
        yield running


@pytest.fixture(scope="module")
def document(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("document") / "openapi.json"
    path.write_bytes(httpx.get(f"{server.base_url}/openapi.json", timeout=10).content)
    return path


@pytest.fixture(scope="module")
def python_client(document: Path) -> Iterator[ModuleType]:
    out = document.parent / "python"
    config = document.parent / "generator.yaml"
    config.write_text(GENERATOR_CONFIG, encoding="utf-8")
    generator = [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none"]
    options = ["--path", str(document), "--config", str(config), "--output-path"]
    run = subprocess.run(
        [*generator, *options, str(out / PACKAGE)],
        env=unmeasured_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def typescript_program(document: Path) -> list[str]:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "openapi-typescript").is_dir():
        what = f"node and tests/clients' npm packages (cd {NODE_DIR} && npm ci)"
        if os.environ.get(REQUIRE_NODE) == "1":
            pytest.fail(f"{what} are missing, and {REQUIRE_NODE}=1 requires them")
        pytest.skip(f"{what} are missing; set {REQUIRE_NODE}=1 to fail instead")
    build = document.parent / "typescript"
    build.mkdir()
    shutil.copy(NODE_DIR / "health.ts", build)
    bin_dir = NODE_DIR / "node_modules" / ".bin"
    _run([str(bin_dir / "openapi-typescript"), str(document), "-o", str(build / "schema.d.ts")])
    # Beside its package.json's `"type": "module"`, so tsc and node read it as a module.
    shutil.copy(NODE_DIR / "package.json", build)
    options = "--strict --target es2022 --module nodenext --moduleResolution nodenext"
    _run([str(bin_dir / "tsc"), *options.split(), "--lib", "es2022,dom", str(build / "health.ts")])
    return [node, str(build / "health.js")]


def _run(command: list[str]) -> None:
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.fixture(params=["healthy", "critical check down"])
def state(
    request: pytest.FixtureRequest, server: RunningServer, dependency: StoppableDependency
) -> int:
    """The server in that state: the readiness status it answers once there."""
    down = request.param != "healthy"
    dependency.stop()
    if not down:
        dependency.start()
    expected = 503 if down else 200
    deadline = time.monotonic() + STATE_TIMEOUT_SECONDS
    while httpx.get(f"{server.base_url}{READY}", timeout=5).status_code != expected:
        assert time.monotonic() < deadline, f"readiness never answered {expected}"
        time.sleep(0.1)
    return expected


def test_the_python_client_parses_every_health_answer(
    python_client: ModuleType, server: RunningServer, state: int
) -> None:
    api = importlib.import_module(f"{PACKAGE}.api.system_health")
    models = importlib.import_module(f"{PACKAGE}.models")
    with python_client.AuthenticatedClient(base_url=server.base_url, token=TOKEN) as client:
        ready = _call(api, "get_readiness", client)
        checks = _call(api, "list_health_checks", client)
        one = _call(api, "get_health_check", client, name=CHECK)
        drafts = [
            client.get_httpx_client().get(path, headers={"Accept": HEALTH_JSON})
            for path in (READY, CHECKS, f"{CHECKS}/{CHECK}")
        ]

    assert (ready.status_code, checks.status_code, one.status_code) == (state, state, state)
    assert isinstance(ready.parsed, models.HealthReport)
    assert ready.parsed.status.value == ("ok" if state == 200 else "error")
    assert CHECK in [each.name for each in checks.parsed.checks]
    assert isinstance(one.parsed, models.CheckReport)
    assert one.parsed.status.value == ("ok" if state == 200 else "error")
    if state == 503:
        assert one.parsed.reason  # the token's detail access: why it fails
    for answer in drafts:
        assert answer.headers["content-type"].startswith(HEALTH_JSON)
        draft = models.DraftHealthReport.from_dict(answer.json())
        assert (answer.status_code, draft.status.value) == (state, _draft_status(state))
        measured = draft.checks.additional_properties.values()
        assert CHECK in [each.component_id for measurements in measured for each in measurements]


def _call(api: ModuleType, operation: str, client: Any, **arguments: str) -> Any:
    return importlib.import_module(f"{api.__name__}.{operation}").sync_detailed(
        client=client, **arguments
    )


def _draft_status(state: int) -> str:
    return "pass" if state == 200 else "fail"


def test_the_typescript_types_read_every_health_answer(
    typescript_program: list[str], server: RunningServer, state: int
) -> None:
    run = subprocess.run(
        [*typescript_program, server.base_url, TOKEN, CHECK],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(answers) == 6  # three paths, two media types
    for answer in answers:
        assert answer["status"] == state, answer
        assert CHECK in answer["names"], answer
        if answer["media"].startswith(HEALTH_JSON):
            assert answer["state"] == _draft_status(state), answer
        else:
            assert answer["media"] == "application/json"
            assert answer["state"] == ("ok" if state == 200 else "error"), answer
