"""pytest-alembic's fixtures, pointed at PetSage's packaged migrations and test databases."""

from __future__ import annotations

import alembic.config
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from petsage.database.engine import create_engine
from petsage.database.migrate import alembic_config as packaged_alembic_config
from petsage.settings import Settings


@pytest.fixture
def alembic_config() -> alembic.config.Config:
    return packaged_alembic_config()


@pytest.fixture
def alembic_engine(database_settings: Settings) -> AsyncEngine:
    # pytest-alembic runs each step in its own event loop and disposes the engine after it.
    return create_engine(database_settings, pool_size=1, max_overflow=0, statement_timeout_ms=0)
