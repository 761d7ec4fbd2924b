"""deploy/prometheus/ for tests: its files, and the metric names a PromQL expression reads.

Not a PromQL parser: label matchers, ranges, strings, numbers and `by (...)` clauses are cut
out, and what is left is a metric name unless it is a PromQL function or keyword. Enough for
the expressions deploy/prometheus/ ships, which the tests also hand to promtool and Prometheus.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

KEYWORDS = frozenset({
    "abs", "absent", "and", "avg", "bool", "by", "ceil", "clamp_min", "count", "delta", "group",
    "group_left", "group_right", "histogram_quantile", "ignoring", "increase", "irate",
    "label_replace", "max", "min", "offset", "on", "or", "rate", "sum", "time", "topk", "unless",
    "without", "vector",
})  # fmt: skip
_CUT = (
    re.compile(r'"(?:[^"\\]|\\.)*"'),  # strings
    re.compile(r"\{[^}]*\}"),  # label matchers
    re.compile(r"\[[^\]]*\]"),  # ranges
    re.compile(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)"),  # grouping labels
)
_NAME = re.compile(r"(?<![\w$.])[a-zA-Z_:][\w:]*")


def metric_names(expr: str) -> set[str]:
    for pattern in _CUT:
        expr = pattern.sub(" ", expr)
    return {name for name in _NAME.findall(expr) if name not in KEYWORDS}


ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "deploy" / "prometheus"
RULES = RULES_DIR / "petsage.rules.yaml"
RULE_TESTS = RULES_DIR / "petsage.rules.test.yaml"
DASHBOARD = RULES_DIR / "grafana-dashboard.json"


def load_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def names_read_by_rules_and_dashboard() -> set[str]:
    """Every series name the rules and the dashboard read, minus the rules' own records."""
    rules = load_rules()
    records = {rule["record"] for rule in rules if "record" in rule}
    names = set()
    for expr in [rule["expr"] for rule in rules] + dashboard_exprs():
        names |= metric_names(expr)
    return names - records
