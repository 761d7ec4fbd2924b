"""`SessionDep` through real HTTP requests: one commit on success, a rollback on any error.

The routes live in a test-only router added to the real application (its lifespan creates
the `Database`); PetSage itself gains no feature for the sake of the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from petsage.database.session import Database
from petsage.errors import PetSageError
from petsage.health import history
from petsage.http.dependencies import SessionDep
from petsage.main import create_app
from petsage.settings import Settings


class RefusedError(PetSageError):
    status_code = 409
    code = "refused"


router = APIRouter(prefix="/test-only")
# Marks the sessions of these routes: the health engine commits history in the background.
WATCHED = "test_session_watched"


async def _record(session: SessionDep, check: str) -> int:
    session.info[WATCHED] = True
    created = await history.record_event(
        session,
        check_name=check,
        old_status="ok",
        new_status="error",
        reason="test",
        instance_id="test:1",
    )
    return created.id


@router.post("/events/{check}")
async def create_event(session: SessionDep, check: str) -> dict[str, int]:
    return {"id": await _record(session, check)}


@router.post("/events/{check}/refused")
async def create_event_then_refuse(session: SessionDep, check: str) -> None:
    await _record(session, check)
    raise RefusedError("refused after writing")


@router.post("/events/{check}/crash")
async def create_event_then_crash(session: SessionDep, check: str) -> None:
    await _record(session, check)
    raise RuntimeError("crashed after writing")


@router.post("/events/{check}/unflushed-invalid")
async def add_invalid_event(session: SessionDep, check: str) -> dict[str, str]:
    # Missing NOT NULL columns: nothing fails until the dependency commits.
    session.info[WATCHED] = True
    session.add(history.HealthEvent(check_name=check))
    return {"status": "accepted"}


@dataclass
class Transactions:
    """Commits and rollbacks of the sessions the test routes used, in order."""

    seen: list[str] = field(default_factory=list)

    @property
    def commits(self) -> int:
        return self.seen.count("commit")

    @property
    def rollbacks(self) -> int:
        return self.seen.count("rollback")

    @contextmanager
    def watching(self) -> Iterator[None]:
        hooks = {"after_commit": self._on("commit"), "after_rollback": self._on("rollback")}
        for name, hook in hooks.items():
            event.listen(Session, name, hook)
        try:
            yield
        finally:
            for name, hook in hooks.items():
                event.remove(Session, name, hook)

    def _on(self, kind: str) -> Callable[[Session], None]:
        def note(session: Session) -> None:
            if session.info.get(WATCHED):
                self.seen.append(kind)

        return note


@dataclass
class App:
    client: TestClient
    settings: Settings
    transactions: Transactions

    def stored(self, check: str) -> int:
        async def count() -> int:
            database = Database.from_settings(self.settings)
            try:
                async with database.session() as session:
                    return await history.count_events(session, check=check)
            finally:
                await database.dispose()

        return asyncio.run(count())


@pytest.fixture
def app(migrated_settings: Settings) -> Iterator[App]:
    # What these tests prove is which way a transaction ends, not how fast: room for a loaded
    # machine (CI's once stalled every PostgreSQL statement of this app past the 0.5 s default,
    # and the domain error's request answered 503; another time, under coverage, a new
    # connection took longer than the 0.5 s connect timeout and the crash answered 503).
    settings = migrated_settings.model_copy(
        update={
            "db_statement_timeout_ms": 5000,
            "db_pool_timeout_seconds": 5.0,
            "db_connect_timeout_seconds": 5.0,
        }
    )
    application = create_app(settings)
    application.include_router(router)
    transactions = Transactions()
    with TestClient(application, raise_server_exceptions=False) as client, transactions.watching():
        yield App(client, settings, transactions)


# The events name checks that do not exist: the app's own checks write their changes to the
# same table, and on a loaded machine `database` or `disk` may really change during a test.
def test_success_commits_once(app: App) -> None:
    response = app.client.post("/test-only/events/committed")

    assert response.status_code == 200
    assert response.json()["id"] >= 1
    assert app.transactions.seen == ["commit"]
    assert app.stored("committed") == 1


def test_domain_error_rolls_back_and_renders_its_status(app: App) -> None:
    response = app.client.post("/test-only/events/refused/refused")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "refused"
    assert app.transactions.seen == ["rollback"]
    assert app.stored("refused") == 0


def test_unexpected_error_rolls_back_and_answers_500(app: App) -> None:
    response = app.client.post("/test-only/events/crashed/crash")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert app.transactions.seen == ["rollback"]
    assert app.stored("crashed") == 0


def test_failed_commit_is_a_500_not_a_success(app: App) -> None:
    # The commit runs before the response is sent, so the client never sees a 200 for it.
    response = app.client.post("/test-only/events/ghost/unflushed-invalid")

    assert response.status_code == 500
    assert app.transactions.commits == 0
    assert app.transactions.rollbacks >= 1
    assert app.stored("ghost") == 0
