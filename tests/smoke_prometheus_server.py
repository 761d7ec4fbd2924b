"""A real Prometheus scrapes a real `petsage serve` for about 30 s, with deploy/prometheus's
rules loaded: the target is up, every rule evaluates without error, and every expression of
the rules and of the Grafana dashboard is a query Prometheus answers.

CI runs it as its own step (`.ci/run`), outside the README's test command, which it would
lengthen by half a minute: `uv run pytest -n 0 tests/smoke_prometheus_server.py` (a file name
pytest does not collect by itself). Needs Debian's `prometheus` package.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import yaml

from tests.support.promql import RULES, dashboard_exprs, load_rules
from tests.support.server import RunningServer, free_port, petsage_server

# How long Prometheus scrapes before the checks: several scrapes and rule evaluations, and
# enough samples for rate() over the rules' 5-minute windows to have two points.
SCRAPE_SECONDS = 30.0
SCRAPE_INTERVAL = "2s"
START_TIMEOUT_SECONDS = 30.0
# The dashboard's template variables, as Grafana would fill them in for "All".
DASHBOARD_VARIABLES = {"$__rate_interval": "1m", "$job": ".*", "$instance": ".*"}


@dataclass
class Prometheus:
    base_url: str
    log_path: Path

    def query(self, expr: str) -> dict[str, Any]:
        response = httpx.get(f"{self.base_url}/api/v1/query", params={"query": expr}, timeout=10)
        answer: dict[str, Any] = response.json()
        return answer

    def api(self, path: str) -> Any:
        return httpx.get(f"{self.base_url}/api/v1/{path}", timeout=10).json()["data"]


@pytest.fixture(scope="module")
def petsage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"PETSAGE_HEALTH_INTERVAL_SECONDS": "1"}
    with petsage_server(tmp_path_factory.mktemp("petsage"), env=env) as running:
        yield running


@pytest.fixture(scope="module")
def prometheus(
    petsage: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Prometheus]:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is not installed (Debian: apt-get install prometheus)")
    work = tmp_path_factory.mktemp("prometheus")
    config = {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": SCRAPE_INTERVAL},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {
                "job_name": "petsage",
                "static_configs": [{"targets": [petsage.base_url.removeprefix("http://")]}],
            }
        ],
    }
    (work / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log_path = work / "prometheus.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={work / 'prometheus.yml'}",
                f"--storage.tsdb.path={work / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Prometheus(f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_ready(server, process)
        _scrape_a_while(petsage)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_ready(server: Prometheus, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = server.log_path.read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"prometheus exited with {process.returncode}:\n{log}")
        try:
            if httpx.get(f"{server.base_url}/-/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("prometheus did not become ready")


def _scrape_a_while(petsage: RunningServer) -> None:
    """Some traffic while Prometheus scrapes, so the HTTP series and rates have samples."""
    deadline = time.monotonic() + SCRAPE_SECONDS
    with httpx.Client(base_url=petsage.base_url, timeout=5) as client:
        while time.monotonic() < deadline:
            for path in ("/", "/system/info", "/no/such/page", "/system/status.json"):
                client.get(path)
            time.sleep(0.5)


def test_the_target_is_up(prometheus: Prometheus, petsage: RunningServer) -> None:
    (target,) = prometheus.api("targets")["activeTargets"]
    up = prometheus.query('up{job="petsage"}')

    assert target["health"] == "up", target
    assert target["scrapeUrl"] == petsage.base_url + "/metrics"
    assert [float(r["value"][1]) for r in up["data"]["result"]] == [1.0]


def test_every_rule_evaluates_without_error(prometheus: Prometheus) -> None:
    groups = prometheus.api("rules")["groups"]
    rules = {rule.get("name"): rule for group in groups for rule in group["rules"]}

    expected = {rule.get("record") or rule.get("alert") for rule in load_rules()}
    assert set(rules) == expected
    failing = {
        name: rule.get("lastError") for name, rule in rules.items() if rule["health"] != "ok"
    }
    assert failing == {}


@pytest.mark.parametrize("rule", load_rules(), ids=lambda r: r.get("record") or r.get("alert"))
def test_each_rule_expression_is_a_query_prometheus_answers(
    prometheus: Prometheus, rule: dict[str, Any]
) -> None:
    answer = prometheus.query(rule["expr"])

    assert answer["status"] == "success", answer


@pytest.mark.parametrize("expr", dashboard_exprs())
def test_each_dashboard_query_is_answered(prometheus: Prometheus, expr: str) -> None:
    for variable, value in DASHBOARD_VARIABLES.items():
        expr = expr.replace(variable, value)

    answer = prometheus.query(expr)

    assert answer["status"] == "success", answer
    # Each panel shows something on a healthy instance, but the list of what is failing.
    if "==" not in expr:
        assert answer["data"]["result"], f"no series for {expr}"


def test_the_instance_is_ready_and_no_alert_fires(prometheus: Prometheus) -> None:
    ready = prometheus.query("job:petsage_ready:sum")
    alerts = prometheus.api("alerts")["alerts"]

    assert [float(r["value"][1]) for r in ready["data"]["result"]] == [1.0]
    firing = [a["labels"]["alertname"] for a in alerts if a["state"] == "firing"]
    assert firing == [], json.dumps(alerts)
