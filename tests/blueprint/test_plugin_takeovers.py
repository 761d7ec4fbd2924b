"""A plug-in can neither take over another's requests or the probes (issue 16, D8 and D9), nor
fail in any way other than one line and exit code 2 (D10): each stops a real `petsage serve`.

Only what a subprocess alone can show runs one: the exit of `sys.exit(0)`, a lifespan failing
after the port is bound, hangs cut by the watchdog. The other refusals go through the same
`create_app` path and are proven in process (`test_plugin_guards.py`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.plugins import env_with_site, install_feature
from tests.support.server import free_port

from .test_start_up_errors import serve_fails, serve_to_the_end

pytestmark = pytest.mark.slow

CAPTURING_ROUTE = """
from fastapi import APIRouter

from petsage.blueprint import Feature

router = APIRouter(prefix="/system")


@router.get("/{id}")
async def get_item(id: int) -> dict[str, int]:
    return {"id": id}


feature = Feature(name="capture", summary="Items under /system", routers=(router,))
"""
READINESS_RESPONDER = """
from petsage.blueprint import Feature
from petsage.http.probes import RenderedResponse, constant


def probes(_services):
    return {"/system/health/ready": constant(RenderedResponse(200, b'{"status": "ok"}'))}


feature = Feature(name="always_ready", summary="Ready whatever happens", probes=probes)
"""
EVERYTHING_A_PROBE = """
from fastapi import APIRouter

from petsage.blueprint import Feature

router = APIRouter()


@router.get("/quiet")
async def quiet() -> dict[str, str]:
    return {}


feature = Feature(name="quiet", summary="Hides", routers=(router,), probe_paths=("/",))
"""
PLATFORM_TABLE_EXTENDED = """
from sqlalchemy.orm import Mapped, mapped_column

from petsage.blueprint import Feature
from petsage.database.base import Base


class Event(Base):
    __tablename__ = "health_events"
    __table_args__ = {"extend_existing": True}
    id: Mapped[int] = mapped_column(primary_key=True)


feature = Feature(name="extender", summary="Redefines a table", models=(Event,))
"""
EXITS_AT_IMPORT = """
import sys

sys.exit(0)
"""
LIFESPAN_RAISES = """
from contextlib import asynccontextmanager

from petsage.blueprint import Feature


@asynccontextmanager
async def lifespan(_services):
    raise RuntimeError("cannot reach the queue")
    yield


feature = Feature(name="queue_worker", summary="Fails to start", lifespan=lifespan)
"""
IMPORT_HANGS = """
import time

time.sleep(3600)
"""
LIFESPAN_BLOCKS = """
import time
from contextlib import asynccontextmanager

from petsage.blueprint import Feature


@asynccontextmanager
async def lifespan(_services):
    time.sleep(3600)  # blocks the event loop itself: only the watchdog thread can end it
    yield


feature = Feature(name="blocker", summary="Never starts", lifespan=lifespan)
"""
QUIET = {"PETSAGE_LOG_LEVEL": "warning"}  # uvicorn's info lines before the lifespan fails
ONE_SECOND = {"PETSAGE_FEATURE_START_TIMEOUT_SECONDS": "1", **QUIET}


CASES = [
    (
        "capture",
        CAPTURING_ROUTE,
        {},
        "feature 'capture': GET /system/{id} overlaps GET /system/health of feature "
        "'smoke_test': a request matching both would go to whichever is mounted first",
    ),
    (
        "always_ready",
        READINESS_RESPONDER,
        {},
        "feature 'always_ready' gives a probe responder for /system/health/ready, a path "
        "none of its own routes serves (GET)",
    ),
    (
        "quiet",
        EVERYTHING_A_PROBE,
        {},
        "feature 'quiet': probe path '/' would hide GET /openapi.json of the platform from "
        "the access log and metrics",
    ),
    (
        "extender",
        PLATFORM_TABLE_EXTENDED,
        {},
        "feature 'extender': table 'health_events' is already declared by the platform",
    ),
    ("exits", EXITS_AT_IMPORT, {}, "feature 'exits' failed to import: SystemExit: 0"),
    (
        "queue_worker",
        LIFESPAN_RAISES,
        QUIET,
        "feature 'queue_worker' failed to start: RuntimeError: cannot reach the queue",
    ),
    (
        "hangs",
        IMPORT_HANGS,
        ONE_SECOND,
        "feature 'hangs' did not finish importing within 1 s "
        "(PETSAGE_FEATURE_START_TIMEOUT_SECONDS)",
    ),
    (
        "blocker",
        LIFESPAN_BLOCKS,
        ONE_SECOND,
        "feature 'blocker': its lifespan did not start within 1 s "
        "(PETSAGE_FEATURE_START_TIMEOUT_SECONDS)",
    ),
]


@pytest.mark.parametrize(
    ("name", "source", "settings", "line"), CASES, ids=[case[0] for case in CASES]
)
def test_serve_stops_with_one_line(
    tmp_path: Path, name: str, source: str, settings: dict[str, str], line: str
) -> None:
    site = install_feature(tmp_path / "site", name, source)

    assert serve_fails(tmp_path, env_with_site(site, settings)) == f"petsage: {line}"


def test_a_worker_that_fails_to_start_stops_serve_with_exit_2(tmp_path: Path) -> None:
    """With --workers, uvicorn's supervisor stops when a worker fails, and returned as after a
    signal: `petsage serve` exited 0. Each worker that got as far prints the same one line."""
    site = install_feature(tmp_path / "site", "queue_worker", LIFESPAN_RAISES)
    env = env_with_site(site, QUIET)

    result = serve_to_the_end(tmp_path, env, free_port(), "--workers", "2")

    assert result.returncode == 2, result.stderr
    ours = [line for line in result.stderr.splitlines() if line.startswith("petsage: ")]
    assert ours, result.stderr
    assert set(ours) == {
        "petsage: feature 'queue_worker' failed to start: RuntimeError: cannot reach the queue"
    }
