"""deploy/kubernetes, what operating it needs: namespace, autoscaler, network policies, the
example Ingress's public paths, scrape discovery, one migration Job per release, and a Secret
whose placeholder token PetSage refuses.

ServiceMonitor and PodMonitor are the Prometheus Operator's CRDs, which kubernetes-validate has
no schema for: they are checked field by field against the Service and the pods they select.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from petsage.settings import ConfigurationError
from tests.deploy.settings_env import settings_from
from tests.deploy.test_kubernetes import (
    KUBERNETES_VERSIONS,
    MANIFESTS,
    RESOURCES,
    container,
    resource,
)
from tests.support.server import run_petsage

INGRESS = MANIFESTS / "examples" / "ingress.yaml"
MONITORS = MANIFESTS / "monitoring"
# Routes a public Ingress must reach, and routes it must not (README, Deployment).
PUBLIC = ["/", "/system/health", "/system/health/ready", "/system/health/checks",
          "/system/health/checks/database", "/system/info", "/openapi.json", "/docs",
          "/docs-static/swagger-ui.css", "/redoc"]  # fmt: skip
PRIVATE = ["/metrics", "/system/health/history", "/system/status", "/system/status.json",
           "/system/status/events", "/system/status/feed.atom", "/system/status/badge.svg",
           "/system/healthz", "/metricsx", "/docsx"]  # fmt: skip


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def api_pod_labels() -> dict[str, str]:
    labels: dict[str, str] = resource("Deployment")["spec"]["template"]["metadata"]["labels"]
    return labels


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return selector.items() <= labels.items()


# --- Namespace, autoscaler, network policies ---------------------------------------------------


def test_the_namespace_enforces_the_restricted_pod_security_standard() -> None:
    labels = resource("Namespace")["metadata"]["labels"]

    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_the_autoscaler_scales_the_deployment_on_cpu() -> None:
    spec = resource("HorizontalPodAutoscaler")["spec"]
    (metric,) = spec["metrics"]

    assert spec["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": resource("Deployment")["metadata"]["name"],
    }
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"
    # Utilization is of the request: there must be one.
    assert container("Deployment")["resources"]["requests"]["cpu"]
    assert spec["maxReplicas"] > spec["minReplicas"]


def test_network_policies_deny_by_default_and_open_only_the_api_port() -> None:
    policies = {r["metadata"]["name"]: r["spec"] for r in RESOURCES if r["kind"] == "NetworkPolicy"}
    deny, api = policies["default-deny-ingress"], policies["petsage-api"]
    ports = {p["name"] for p in container("Deployment")["ports"]}

    assert deny == {"podSelector": {}, "policyTypes": ["Ingress"]}
    assert selects(api["podSelector"]["matchLabels"], api_pod_labels())
    (rule,) = api["ingress"]
    assert {port["port"] for port in rule["ports"]} <= ports
    assert all("namespaceSelector" in source for source in rule["from"])


# --- The migration Job, once per release -------------------------------------------------------


def test_the_migration_job_is_named_after_the_release() -> None:
    kustomization = load(MANIFESTS / "kustomization.yaml")
    (image,) = kustomization["images"]
    job = resource("Job")

    assert job["metadata"]["name"] == "petsage-migrate-" + image["newTag"].replace(".", "-")
    assert container("Job")["image"] == f"{image['name']}:{image['newTag']}"
    assert job["spec"]["ttlSecondsAfterFinished"] > 0


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_every_resource_into_the_namespace() -> None:
    result = subprocess.run(
        ["kubectl", "kustomize", str(MANIFESTS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d]

    assert len(rendered) == len(RESOURCES)
    namespaced = [d for d in rendered if d["kind"] != "Namespace"]
    assert {d["metadata"]["namespace"] for d in namespaced} == {"petsage"}


# --- The Secret's placeholder ------------------------------------------------------------------


def shipped_env() -> dict[str, str]:
    return {**resource("ConfigMap")["data"], **resource("Secret")["stringData"]}


def test_the_shipped_placeholder_token_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="PETSAGE_HEALTH_TOKEN") as refused:
        settings_from(shipped_env())

    assert "placeholder" in str(refused.value)
    assert "CHANGE-ME" not in str(refused.value)  # a secret's value is never echoed


def test_serve_with_the_shipped_secret_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {**shipped_env(), "PETSAGE_DATA_DIR": str(tmp_path)}

    result = run_petsage("serve", env=env, timeout=60)

    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "PETSAGE_HEALTH_TOKEN" in line
    assert "placeholder" in line


# --- The example Ingress -----------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_the_example_ingress_is_valid_for_kubernetes(version: str) -> None:
    validated = kubernetes_validate.validate(load(INGRESS), version, strict=True)

    assert validated == version.rsplit(".", 1)[0]


def ingress_paths() -> list[tuple[str, str]]:
    (rule,) = load(INGRESS)["spec"]["rules"]
    return [(p["path"], p["pathType"]) for p in rule["http"]["paths"]]


def routed(path: str) -> bool:
    """Whether the Ingress sends `path` to PetSage, as Kubernetes matches paths: Exact is the
    whole path; Prefix matches element by element (`/docs` matches `/docs/x`, not `/docsx`)."""
    for rule, kind in ingress_paths():
        if kind == "Exact" and path == rule:
            return True
        if kind == "Prefix" and (path == rule or path.startswith(rule.rstrip("/") + "/")):
            return True
    return False


def test_the_ingress_reaches_the_api() -> None:
    assert [path for path in PUBLIC if not routed(path)] == []


def test_the_ingress_keeps_metrics_history_and_status_page_inside() -> None:
    assert [path for path in PRIVATE if routed(path)] == []


def test_every_ingress_path_goes_to_the_service_port() -> None:
    (rule,) = load(INGRESS)["spec"]["rules"]
    service = resource("Service")

    for path in rule["http"]["paths"]:
        backend = path["backend"]["service"]
        assert backend["name"] == service["metadata"]["name"]
        assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


# --- Scrape discovery --------------------------------------------------------------------------


def test_the_service_monitor_scrapes_metrics_from_the_service() -> None:
    monitor = load(MONITORS / "servicemonitor.yaml")
    service = resource("Service")
    (endpoint,) = monitor["spec"]["endpoints"]

    assert (monitor["apiVersion"], monitor["kind"]) == (
        "monitoring.coreos.com/v1",
        "ServiceMonitor",
    )
    assert selects(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"])
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics"


def test_the_pod_monitor_scrapes_metrics_from_the_api_pods() -> None:
    monitor = load(MONITORS / "podmonitor.yaml")
    job_labels = resource("Job")["spec"]["template"]["metadata"]["labels"]
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]

    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["kind"] == "PodMonitor"
    assert selects(monitor["spec"]["selector"]["matchLabels"], api_pod_labels())
    assert not selects(monitor["spec"]["selector"]["matchLabels"], job_labels)
    assert endpoint["port"] in {p["name"] for p in container("Deployment")["ports"]}
    assert endpoint["path"] == "/metrics"


@pytest.mark.parametrize("name", ["servicemonitor.yaml", "podmonitor.yaml"])
def test_monitors_live_beside_petsage_and_scrape_within_the_interval(name: str) -> None:
    monitor = load(MONITORS / name)
    (endpoint,) = monitor["spec"].get("endpoints") or monitor["spec"]["podMetricsEndpoints"]

    assert monitor["metadata"]["namespace"] == resource("Namespace")["metadata"]["name"]
    assert monitor["spec"]["jobLabel"] in resource("Service")["metadata"]["labels"]
    assert seconds(endpoint["scrapeTimeout"]) < seconds(endpoint["interval"])


def seconds(duration: str) -> int:
    assert duration.endswith("s"), duration
    return int(duration[:-1])


# --- checkov -----------------------------------------------------------------------------------


def test_every_checkov_skip_gives_its_reason() -> None:
    """checkov (run by hand: README, Deployment) reads skips from annotations; each says why."""
    skips = [
        value
        for r in RESOURCES
        for key, value in r["metadata"].get("annotations", {}).items()
        if key.startswith("checkov.io/skip")
    ]

    assert skips
    for skip in skips:
        check, reason = skip.split("=")
        assert check.startswith("CKV_K8S_")
        assert len(reason.split()) >= 8, skip


def test_the_prometheus_rule_holds_the_shipped_rules() -> None:
    rule = load(MONITORS / "prometheusrule.yaml")
    shipped = load(MANIFESTS.parent / "prometheus" / "petsage.rules.yaml")

    assert (rule["apiVersion"], rule["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    assert rule["metadata"]["namespace"] == resource("Namespace")["metadata"]["name"]
    assert rule["spec"]["groups"] == shipped["groups"]
