"""The pytest plugin that PetSage's `pytest11` entry point registers.

The fixture modules are imported when pytest configures, not when it loads this entry point:
entry points load before pytest-cov starts measuring, and those modules import most of PetSage,
whose module-level lines would then count as never run.
"""

from __future__ import annotations

import pytest

FIXTURE_MODULES = ("petsage.testing.app", "petsage.testing.databases", "petsage.testing.capture")


def pytest_configure(config: pytest.Config) -> None:
    # Declared here so that a plug-in's own suite can run with --strict-markers.
    config.addinivalue_line(
        "markers", "postgres: needs the PostgreSQL server named by PETSAGE_TEST_POSTGRES_URL"
    )
    for name in FIXTURE_MODULES:
        config.pluginmanager.import_plugin(name)
