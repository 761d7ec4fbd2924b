"""The suite's order and workers; its fixtures come from PetSage's pytest plugin (below)."""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

# The fixtures (make_settings, client, sqlite_url, database_url, migrated_settings, ...) come
# from PetSage's own pytest plugin, petsage.testing, registered by its `pytest11` entry point.

# Server tests run `petsage` subprocesses in temporary directories; coverage measures them
# (patch = ["subprocess"]) but would write their data files there. Anchor the data file here.
os.environ.setdefault("COVERAGE_FILE", str(Path(__file__).parent / ".coverage"))

# About two minutes on their own (90 s of load by default), mostly waiting on a paced load.
# First, so that under xdist (`--dist loadfile --no-loadscope-reorder`, the README's test
# command) one worker starts them at once while the others share the rest: the suite then
# takes about as long as the longer of the two, not their sum.
RUN_FIRST = ("tests/soak/",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(RUN_FIRST))


@pytest.hookimpl(wrapper=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Generator[None, int, int]:
    """`-n auto`: xdist's count (the cores), plus two. The soak's worker waits on a paced load
    for three minutes, using about a third of a core, and many server tests wait on a process
    or a timeout: on 2 cores, four workers took the suite from 6 min 17 s to 5 min 17 s (same
    tree, same machine, one run each), where the third worker had taken it from 6 min 58 s to
    6 min 12 s (README, "The test suite"). PYTEST_XDIST_AUTO_NUM_WORKERS is taken as it is."""
    cores: int = yield
    return cores if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") else cores + 2
