"""`petsage feature list`: every feature with its routes, checks and tables, and whether the
current settings serve it."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from petsage.cli.app import app


def listed(env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(app, ["feature", "list", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return {entry["name"]: entry for entry in json.loads(result.stdout)}


def test_lists_each_feature_with_its_routes() -> None:
    features = listed()

    assert {"smoke_test", "root", "health_checks", "metrics", "system_info"} <= set(features)
    assert features["smoke_test"]["routes"] == ["GET /system/health"]
    assert features["smoke_test"]["enabled"] is True
    assert features["smoke_test"]["required"]
    assert "GET /system/health/history" in features["health_checks"]["routes"]
    assert features["example_plugin"]["enabled"] is True  # installed, found by entry point


def test_disabled_by_name_or_by_setting() -> None:
    features = listed({"PETSAGE_FEATURES_DISABLED": "root", "PETSAGE_METRICS_ENABLED": "false"})

    assert features["root"]["enabled"] is False
    assert features["metrics"]["enabled"] is False
    assert features["system_info"]["enabled"] is True


def test_text_output_names_routes() -> None:
    result = CliRunner().invoke(app, ["feature", "list"])

    assert result.exit_code == 0
    assert "smoke_test (enabled): " in result.stdout
    assert "  route  GET /system/health\n" in result.stdout


def test_an_unknown_disabled_feature_exits_2_with_one_line() -> None:
    result = CliRunner().invoke(
        app, ["feature", "list"], env={"PETSAGE_FEATURES_DISABLED": "no_such"}
    )

    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        "petsage: invalid setting PETSAGE_FEATURES_DISABLED: no feature 'no_such' (known: "
    )
