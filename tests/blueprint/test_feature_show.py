"""`petsage feature show`: a feature's summary from its live declaration, in process."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from petsage.cli.app import app


def show(*args: str) -> Any:
    result = CliRunner().invoke(app, ["feature", "show", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result.stdout


def test_endpoints_come_with_their_summaries_and_status_codes() -> None:
    summary = show("health_checks", "--json")

    endpoints = {(e["method"], e["path"]): e for e in summary["endpoints"]}
    one = endpoints[("GET", "/system/health/checks/{name}")]
    assert one["summary"] == "One health check"
    assert {"200", "404", "503"} <= set(one["statuses"])
    assert summary["fields"]["HealthEventPublic"]["occurred_at"]["format"] == "date-time"
    assert "ValidationErrorResponse" not in summary["fields"]


def test_settings_are_the_features_own_variables() -> None:
    summary = show("status_page", "--json")

    variables = {setting["variable"] for setting in summary["settings"]}
    assert "PETSAGE_STATUS_PAGE_ENABLED" in variables
    assert "PETSAGE_STATUS_MAX_STREAMS" in variables


def test_text_names_requirements_endpoints_and_settings() -> None:
    text = show("status_page")

    assert text.startswith("status_page: ")
    assert "\nRequirements: none\n" in text
    (line,) = [each for each in text.splitlines() if "/system/status.json" in each]
    assert line.startswith("  GET    /system/status.json  The status page's data  [200")
    assert line.endswith("]  open")
    assert "\nAccess: open: no access token needed\n" in text
    assert "  PETSAGE_STATUS_PAGE_ENABLED (bool, default True)" in text
    assert "\nTable status_daily_rollups:\n  day: DATE not null, primary key\n" in text


def test_an_unknown_feature_exits_2_with_one_line() -> None:
    result = CliRunner().invoke(app, ["feature", "show", "no_such"])

    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("petsage: no feature 'no_such' (known: ")
