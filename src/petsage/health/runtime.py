"""The health engine's part of the app: built with the app, started and stopped by the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from petsage.database.session import Database
from petsage.health.checks import builtin_checks
from petsage.health.drain import stop_on_signals
from petsage.health.engine import HealthEngine
from petsage.health.history_recorder import HistoryRecorder
from petsage.health.registry import PLATFORM, CheckProvider, build_registry
from petsage.process import instance_id
from petsage.settings import Settings

BUILTIN_PROVIDERS: tuple[tuple[str, CheckProvider], ...] = ((PLATFORM, builtin_checks),)


def build_engine(
    settings: Settings, providers: Iterable[tuple[str, CheckProvider]]
) -> HealthEngine:
    """The engine with the built-in checks and the features' (`providers`, each with its
    owner's name); connects to nothing. A duplicate check name raises `DuplicateCheckError`
    (a `ConfigurationError`)."""
    registry = build_registry(settings, (*BUILTIN_PROVIDERS, *providers))
    return HealthEngine.from_settings(registry, settings)


@asynccontextmanager
async def running_health(
    engine: HealthEngine, database: Database, settings: Settings
) -> AsyncIterator[HealthEngine]:
    """Run the checks and record their changes; readiness turns `ok` once this has entered,
    so enter it last in the lifespan. On exit: stop the checks, flush the history."""
    recorder = HistoryRecorder(
        database, instance_id=instance_id(), retention_days=settings.health_history_days
    )
    engine.add_listener(recorder)
    recorder.start()
    engine.start()
    try:
        with stop_on_signals(engine.lifecycle, settings.shutdown_drain_seconds):
            engine.lifecycle.mark_serving()
            yield engine
    finally:
        await engine.stop()
        await recorder.stop()
