"""The Dockerfile and .dockerignore, checked without a Docker engine.

Static rules first (BuildKit's own parser), then the builder stage replayed on this machine:
its own COPY and `uv sync` commands build the environment the runtime stage would copy, and
that environment serves and passes the image's HEALTHCHECK.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from petsage.probe_client import DEFAULT_TIMEOUT_SECONDS
from tests.deploy import dockerfiles
from tests.deploy.dockerfiles import ParsedDockerfile, Stage, flag
from tests.deploy.settings_env import settings_from, unknown_settings
from tests.support.server import RunningServer, free_port, wait_until_ready

# One xdist worker runs the module: its module-scoped fixtures are built once.

ROOT = Path(__file__).resolve().parents[2]
NUMERIC_USER = re.compile(r"^(\d+)(?::(\d+))?$")


@pytest.fixture(scope="module")
def parsed() -> ParsedDockerfile:
    return dockerfiles.parse(ROOT / "Dockerfile")


@pytest.fixture(scope="module")
def runtime(parsed: ParsedDockerfile) -> Stage:
    return parsed.stages[-1]


@pytest.fixture(scope="module")
def runtime_env(runtime: Stage) -> dict[str, str]:
    return runtime.env(runtime.args())


def seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)", duration)
    assert match is not None, f"not a duration: {duration!r}"
    return float(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[match.group(2)]


def test_builds_in_stages_and_runs_on_the_builders_python(parsed: ParsedDockerfile) -> None:
    builder, runtime = parsed.stage("builder"), parsed.stages[-1]

    assert len(parsed.stages) >= 2
    assert runtime.name == "runtime"
    assert runtime.base == builder.base
    assert re.fullmatch(r"python:3\.11-slim.*", runtime.base)


def test_the_runtime_stage_gets_the_environment_and_nothing_else(runtime: Stage) -> None:
    copies = runtime.all("COPY")

    assert copies, "the runtime stage must copy the built environment"
    assert all(flag(c, "from") == "builder" for c in copies)
    assert not any("uv" in r.value[0].split() for r in runtime.all("RUN"))


def test_dependencies_come_from_the_lock_file_without_dev_tools(parsed: ParsedDockerfile) -> None:
    syncs = [r.value[0] for r in parsed.stage("builder").all("RUN") if "uv sync" in r.value[0]]

    assert len(syncs) == 2  # dependencies (cached layer), then the project
    # --frozen: exactly the lock's pins (CI's `uv sync --locked` keeps the lock current).
    assert all("--frozen" in s and "--no-dev" in s for s in syncs)
    assert "--no-install-project" in syncs[0]
    assert "--no-editable" in syncs[1]


def test_runs_as_a_numeric_non_root_user(runtime: Stage) -> None:
    match = NUMERIC_USER.match(runtime.last("USER").value[0])

    assert match is not None, "Kubernetes' runAsNonRoot can only verify a numeric user"
    assert int(match.group(1)) != 0
    assert match.group(2) is None or int(match.group(2)) != 0


def test_cmd_is_exec_form_serve_and_there_is_no_shell_entrypoint(runtime: Stage) -> None:
    cmd = runtime.last("CMD")

    assert cmd.json, "shell form would make /bin/sh PID 1, and SIGTERM would not reach petsage"
    assert cmd.value == ("petsage", "serve")
    assert all(e.json for e in runtime.all("ENTRYPOINT"))


def test_healthcheck_runs_petsage_check_live_within_dockers_timeout(runtime: Stage) -> None:
    healthcheck = runtime.last("HEALTHCHECK")
    timeout = flag(healthcheck, "timeout")

    assert healthcheck.json
    assert healthcheck.value == ("CMD", "petsage", "check", "live")
    assert timeout is not None
    assert seconds(timeout) > DEFAULT_TIMEOUT_SECONDS


def test_listens_on_every_interface_and_exposes_the_port(runtime_env: dict[str, str]) -> None:
    settings = settings_from(runtime_env)

    assert settings.host == "0.0.0.0"
    assert settings.port == 8000


def test_data_directory_is_a_volume_the_user_owns(
    runtime: Stage, runtime_env: dict[str, str]
) -> None:
    data_dir = runtime_env["PETSAGE_DATA_DIR"]
    uid = runtime.last("USER").value[0].split(":")[0]
    volumes = {v for instruction in runtime.all("VOLUME") for v in instruction.value}
    setup = " ".join(r.value[0] for r in runtime.all("RUN"))

    assert data_dir in volumes
    owned = rf"install --directory --owner={uid} --group=\d+ .*{re.escape(data_dir)}"
    assert re.search(owned, setup)


def test_git_commit_is_a_build_argument_baked_into_the_environment(
    runtime: Stage, runtime_env: dict[str, str]
) -> None:
    assert "PETSAGE_GIT_COMMIT" in runtime.args()
    assert any("${PETSAGE_GIT_COMMIT}" in e.original for e in runtime.all("ENV"))
    assert settings_from(runtime_env).git_commit == runtime.args()["PETSAGE_GIT_COMMIT"]


def test_every_petsage_variable_is_a_real_setting(runtime_env: dict[str, str]) -> None:
    assert unknown_settings(runtime_env) == set()


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("pyproject.toml", True),
        ("uv.lock", True),
        ("README.md", True),
        ("src/petsage/main.py", True),
        ("src/petsage/migrations/alembic.ini", True),
        (".env", False),
        (".venv/bin/python", False),
        (".git/config", False),
        ("var/petsage.sqlite3", False),
        ("tests/test_cli.py", False),
        ("bench/run.py", False),
        ("src/petsage/features/root/tests/test_root.py", False),
        ("src/petsage/__pycache__/main.cpython-311.pyc", False),
    ],
)
def test_dockerignore_sends_only_what_the_build_needs(path: str, sent: bool) -> None:
    rules = dockerfiles.read_ignore_rules(ROOT / ".dockerignore")

    assert dockerfiles.is_ignored(path, rules) is not sent


def test_every_copy_source_is_in_the_build_context(parsed: ParsedDockerfile) -> None:
    rules = dockerfiles.read_ignore_rules(ROOT / ".dockerignore")
    copies = [c for s in parsed.stages for c in s.all("COPY") if flag(c, "from") is None]
    sources = [source for c in copies for source in c.value[:-1]]

    assert sources
    assert [s for s in sources if dockerfiles.is_ignored(s, rules)] == []


# --- the builder stage, replayed --------------------------------------------------------------


@dataclass
class BuiltImage:
    root: Path
    runtime_env: dict[str, str]

    def environment(self, **overrides: str) -> dict[str, str]:
        """The runtime ENV with container paths moved under `root`, plus `overrides`."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PETSAGE_", "VIRTUAL_"))}
        for key, value in self.runtime_env.items():
            env[key] = value
        env["PATH"] = f"{self.root / 'opt/petsage/bin'}:{os.environ['PATH']}"
        env.update(overrides)
        return env


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, parsed: ParsedDockerfile, runtime_env: dict[str, str]
) -> BuiltImage:
    work = tmp_path_factory.mktemp("image")
    context, root = work / "context", work / "root"
    rules = dockerfiles.read_ignore_rules(ROOT / ".dockerignore")
    dockerfiles.build_context(ROOT, rules, context)
    host_env = {k: v for k, v in os.environ.items() if not k.startswith(("PETSAGE_", "VIRTUAL_"))}
    dockerfiles.replay_stage(parsed.stage("builder"), context, root, host_env)
    return BuiltImage(root, runtime_env)


def image_python(built: BuiltImage, code: str) -> str:
    python = built.root / "opt/petsage/bin/python"
    result = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


@pytest.mark.slow
def test_the_built_environment_holds_the_package_and_no_dev_tools(built: BuiltImage) -> None:
    found = image_python(
        built,
        "import importlib.util as u, petsage; "
        "print(petsage.__file__, u.find_spec('pytest'), "
        "u.find_spec('petsage.features.smoke_test.tests'))",
    )
    location, pytest_spec, tests_spec = found.split(" ")

    assert location.startswith(str(built.root / "opt/petsage/lib"))  # installed, not editable
    assert pytest_spec == tests_spec == "None"
    assert list((Path(location).parent / "__pycache__").glob("main.*.pyc"))  # bytecode compiled


@pytest.fixture(scope="module")
def container(
    built: BuiltImage, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """`CMD` of the runtime stage, run from the built environment with the runtime ENV."""
    data_dir, port = tmp_path_factory.mktemp("volume"), free_port()
    env = built.environment(
        PETSAGE_HOST="127.0.0.1", PETSAGE_PORT=str(port), PETSAGE_DATA_DIR=str(data_dir)
    )
    log_path = data_dir.parent / "container.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            ["petsage", "serve"],
            env=env,
            cwd=data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = RunningServer(process, f"http://127.0.0.1:{port}", log_path)
    try:
        wait_until_ready(server, "/system/health")
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_the_healthcheck_command_passes_against_the_built_image(
    built: BuiltImage, container: RunningServer, runtime: Stage
) -> None:
    command = list(runtime.last("HEALTHCHECK").value[1:])
    port = container.base_url.rsplit(":", 1)[1]

    result = subprocess.run(
        command,
        env=built.environment(PETSAGE_PORT=port),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"live: ok (200) {container.base_url}/system/health\n"
