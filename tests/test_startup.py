"""What `petsage serve` imports: start-up pays for Alembic only when a migration must run.

The real command, over HTTP; `PYTHONPROFILEIMPORTTIME` makes the interpreter log every import
to the server's log, those after the first answer included.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.server import petsage_server, wait_until_ready

pytestmark = pytest.mark.slow

IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)$", re.MULTILINE)
# Only a migration, an HTTP check or the command line's other commands need these.
NOT_AT_HEAD = {"alembic", "mako", "pygments", "httpx2", "jinja2", "inflect"}
# The other database's driver and dialect: the embedded SQLite needs neither.
NOT_ON_SQLITE = {"asyncpg", "sqlalchemy.dialects.postgresql"}


def modules_imported_by_serve(tmp_path: Path, *, fresh_database: bool = False) -> set[str]:
    env = {"PYTHONPROFILEIMPORTTIME": "1"}
    with petsage_server(tmp_path, env=env, fresh_database=fresh_database) as server:
        wait_until_ready(server, "/system/health/ready")
        log = server.log()
    return set(IMPORT_LINE.findall(log))


def packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_serve_imports_alembic_only_when_a_migration_is_pending(tmp_path: Path) -> None:
    migrating = modules_imported_by_serve(tmp_path, fresh_database=True)
    at_head = modules_imported_by_serve(tmp_path)  # same data directory, schema now at head

    assert "alembic" in packages(migrating)
    assert {"fastapi", "sqlalchemy", "uvicorn"} <= packages(at_head)
    assert packages(at_head) & NOT_AT_HEAD == set()
    assert at_head & NOT_ON_SQLITE == set()
