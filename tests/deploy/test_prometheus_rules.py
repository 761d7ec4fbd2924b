"""deploy/prometheus: promtool accepts the rules and their unit tests pass, every alert is
tested firing and quiet, and the Grafana dashboard reads only series that exist.

promtool is Debian's `prometheus` package. Without it these tests skip, unless
PETSAGE_TEST_REQUIRE_PROMTOOL=1 (CI) makes them fail. That every name the rules and the
dashboard read is in a real scrape is checked in tests/test_observability_server.py, against
its server; scripts/prometheus_smoke.sh runs them in a real Prometheus.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.promql import (
    DASHBOARD,
    RULE_TESTS,
    RULES,
    RULES_DIR,
    load_rules,
    metric_names,
    names_read_by_rules_and_dashboard,
)

REQUIRE_VARIABLE = "PETSAGE_TEST_REQUIRE_PROMTOOL"


@pytest.fixture(scope="module")
def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        reason = "promtool is not installed (Debian: apt-get install prometheus)"
        if os.environ.get(REQUIRE_VARIABLE, "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}; {REQUIRE_VARIABLE}=1 requires it", pytrace=False)
        pytest.skip(reason)
    return path


def run(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *args], cwd=RULES_DIR, capture_output=True, text=True, timeout=60, check=False
    )


def test_promtool_accepts_the_rules(promtool: str) -> None:
    result = run(promtool, "check", "rules", RULES.name)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(load_rules())} rules found" in result.stdout


def test_the_rules_unit_tests_pass(promtool: str) -> None:
    result = run(promtool, "test", "rules", RULE_TESTS.name)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_a_broken_expectation_fails_the_unit_tests(promtool: str, tmp_path: Path) -> None:
    """The unit tests can fail: a wrong expected label set is reported."""
    broken = RULE_TESTS.read_text(encoding="utf-8").replace('instance: "b:8000"}', 'instance: "z"}')
    (tmp_path / RULES.name).write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / RULE_TESTS.name).write_text(broken, encoding="utf-8")

    result = subprocess.run(
        [promtool, "test", "rules", RULE_TESTS.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_quiet() -> None:
    alerts = {rule["alert"] for rule in load_rules() if "alert" in rule}
    document = yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))
    cases = [case for test in document["tests"] for case in test.get("alert_rule_test", [])]

    firing = {case["alertname"] for case in cases if case["exp_alerts"]}
    quiet = {case["alertname"] for case in cases if not case["exp_alerts"]}

    assert alerts == {"PetSageInstanceNotReady", "PetSageCriticalCheckFailing",
                      "PetSageCheckFailing", "PetSageChecksStale", "PetSageHighErrorRatio",
                      "PetSageLatencyObjectiveMissed"}  # fmt: skip
    assert firing == alerts
    assert quiet == alerts


def test_every_recording_rule_is_tested_or_read_by_another_rule() -> None:
    rules = load_rules()
    records = {rule["record"] for rule in rules if "record" in rule}
    document = yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))
    tested = set()
    for test in document["tests"]:
        for case in test.get("promql_expr_test", []):
            tested |= metric_names(case["expr"])
    read = set()
    for rule in rules:
        read |= metric_names(rule["expr"])

    assert records <= tested | read


def test_recording_rules_follow_the_naming_convention() -> None:
    # level:metric:operations (prometheus.io/docs/practices/rules).
    for rule in load_rules():
        if "record" in rule:
            level, metric, operations = rule["record"].split(":")
            assert level
            assert metric.startswith("petsage_")
            assert operations


def test_the_dashboard_is_grafana_json_with_unique_panels() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    ids = [panel["id"] for panel in dashboard["panels"]]

    assert dashboard["uid"] == "petsage"
    assert len(ids) == len(set(ids))
    assert all(panel["targets"] for panel in dashboard["panels"])
    assert {"job", "instance", "datasource"} <= {v["name"] for v in dashboard["templating"]["list"]}


def test_rules_and_dashboard_read_petsage_and_process_series() -> None:
    names = names_read_by_rules_and_dashboard()

    assert names
    assert all(name.startswith(("petsage_", "process_")) for name in names), names
