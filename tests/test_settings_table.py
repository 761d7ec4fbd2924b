"""The README's configuration table lists exactly the variables that exist: the core settings'
and those of every built-in feature's settings class."""

from __future__ import annotations

import re
from pathlib import Path

from petsage.blueprint.discovery import core_variables, discover_features

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `(PETSAGE_\w+)` \|", re.MULTILINE)


def listed_variables() -> list[str]:
    section = README.read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1]
    return ROW.findall(section.split("\n## ", 1)[0])


def existing_variables() -> set[str]:
    builtin = [
        feature.settings
        for feature in discover_features()
        if feature.settings is not None
        and feature.settings.__module__.startswith("petsage.features.")
    ]
    return {*core_variables(), *(v for settings in builtin for v in settings.variables())}


def test_the_configuration_table_lists_every_variable_once() -> None:
    listed = listed_variables()

    assert sorted(set(listed)) == sorted(existing_variables())
    assert len(listed) == len(set(listed))


def test_the_features_own_their_variables_under_the_names_operators_set() -> None:
    feature_variables = existing_variables() - set(core_variables())

    assert {
        "PETSAGE_STATUS_PAGE_ENABLED",
        "PETSAGE_STATUS_INCIDENT_MERGE_SECONDS",
        "PETSAGE_STATUS_ROLLUP_DAYS",
        "PETSAGE_STATUS_MAX_STREAMS",
        "PETSAGE_METRICS_ENABLED",
        "PETSAGE_METRICS_INCLUDE_PROBES",
    } <= feature_variables
    assert not [
        v for v in core_variables() if v.startswith(("PETSAGE_STATUS_", "PETSAGE_METRICS_"))
    ]
