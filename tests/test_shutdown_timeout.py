"""PETSAGE_SHUTDOWN_TIMEOUT_SECONDS on a real `petsage serve`: fractions are honoured, and a
request it cuts short is answered 503, never uvicorn's 500 with a traceback.

A history request is held in flight by a lock on `health_events` (as in test_drain) across a
SIGTERM with no drain, so it is still running when uvicorn starts its graceful shutdown.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.support.server import petsage_server
from tests.test_drain import FAST, history_request_on_lock

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def history_request_across_shutdown(
    tmp_path: Path, postgres_url: str, timeout_seconds: str, release_after: float | None
) -> tuple[httpx.Response | BaseException, str, int]:
    """A history request held in flight on a lock across SIGTERM (no drain): the lock goes
    `release_after` seconds after uvicorn starts shutting down, or never (None). Returns the
    answer, the server's log and its exit code."""
    dsn = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    env = {
        **FAST,
        "PETSAGE_DATABASE_URL": postgres_url,
        "PETSAGE_DB_MIGRATE_ON_START": "true",
        "PETSAGE_DB_STATEMENT_TIMEOUT_MS": "30000",
        "PETSAGE_SHUTDOWN_TIMEOUT_SECONDS": timeout_seconds,
    }
    with petsage_server(tmp_path, env=env, ready_path="/system/health/ready") as server:
        with history_request_on_lock(server, dsn) as held:
            server.signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            while "Shutting down" not in server.log():
                assert time.monotonic() < deadline
                time.sleep(0.02)
            if release_after is not None:
                time.sleep(release_after)
                held.release.set()
            held.thread.join(timeout=30)
        code = server.process.wait(timeout=30)
        (answer,) = held.answers
        return answer, server.log(), code


def test_a_fractional_shutdown_timeout_is_honoured(tmp_path: Path, postgres_url: str) -> None:
    """0.9 s used to become int(0.9) = 0: the request in flight was cancelled at once (500)."""
    answer, log, code = history_request_across_shutdown(
        tmp_path, postgres_url, "0.9", release_after=0.2
    )

    assert isinstance(answer, httpx.Response), answer
    assert answer.status_code == 200
    assert "Traceback" not in log
    assert code == -signal.SIGTERM


def test_a_request_past_the_shutdown_timeout_gets_a_503_not_a_500(
    tmp_path: Path, postgres_url: str
) -> None:
    answer, log, code = history_request_across_shutdown(
        tmp_path, postgres_url, "0.5", release_after=None
    )

    assert isinstance(answer, httpx.Response), answer
    assert answer.status_code == 503
    assert answer.headers["connection"] == "close"
    assert answer.json()["error"]["code"] == "shutting_down"
    assert "GET /system/health/history cut short" in log
    assert "Traceback" not in log
    assert "Exception in ASGI application" not in log
    assert code == -signal.SIGTERM
