"""deploy/kubernetes: schema-valid for pinned Kubernetes versions, and consistent with PetSage.

kubernetes-validate checks every resource offline against the OpenAPI schemas of the pinned
versions, strictly (an unknown or misspelt field fails). The tests after it check what a
schema cannot: probe paths and timeouts against the health engine's settings, the grace
period against the drain, the security context against the image's user.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from petsage.settings import ConfigurationError, Settings
from tests.deploy import dockerfiles
from tests.deploy.settings_env import settings_from, unknown_settings
from tests.support.server import run_petsage

# One xdist worker runs the module: its module-scoped fixtures are built once.

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy" / "kubernetes"
# The oldest release we support (unhealthyPodEvictionPolicy is GA from 1.31) and the newest
# whose schemas the locked kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.31.0", "1.37.0")
# Time past drain and graceful shutdown for the lifespan to stop and the process to exit.
SHUTDOWN_MARGIN_SECONDS = 5
# Long enough for an endpoint removal to reach kube-proxy and load balancers.
MIN_DRAIN_SECONDS = 3


def load_resources() -> list[dict[str, Any]]:
    resources = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            resources += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return resources


RESOURCES = load_resources()


def resource(kind: str) -> dict[str, Any]:
    (found,) = [r for r in RESOURCES if r["kind"] == kind]
    return found


def pod_spec(kind: str) -> dict[str, Any]:
    spec: dict[str, Any] = resource(kind)["spec"]["template"]["spec"]
    return spec


def container(kind: str) -> dict[str, Any]:
    (only,) = pod_spec(kind)["containers"]
    return only  # type: ignore[no-any-return]


# What an operator puts in place of the Secret's placeholder token (which start-up refuses).
REAL_TOKEN = "3f9c2a7d1e5b8c4a6f0d2e9b7a1c3e5f"


@pytest.fixture(scope="module")
def settings() -> Settings:
    """What the pods run with: the ConfigMap plus the Secret, its token replaced."""
    env = {**resource("ConfigMap")["data"], **resource("Secret")["stringData"]}
    return settings_from({**env, "PETSAGE_HEALTH_TOKEN": REAL_TOKEN})


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    "document", RESOURCES, ids=lambda r: f"{r['kind']}/{r['metadata']['name']}"
)
def test_manifest_is_valid_for_kubernetes(document: dict[str, Any], version: str) -> None:
    validated = kubernetes_validate.validate(document, version, strict=True)

    assert validated == version.rsplit(".", 1)[0]  # that version's schema, not a fallback


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}

    assert sorted(kustomization["resources"]) == sorted(files)
    assert kustomization["namespace"] == resource("Namespace")["metadata"]["name"]
    assert {r["kind"] for r in RESOURCES} == {
        "Namespace", "ConfigMap", "Secret", "Service", "Deployment", "HorizontalPodAutoscaler",
        "PodDisruptionBudget", "NetworkPolicy", "Job",
    }  # fmt: skip


def test_the_strict_schema_refuses_a_misspelt_field() -> None:
    broken = yaml.safe_load(yaml.safe_dump(resource("Deployment")))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


def test_probes_hit_liveness_and_readiness_on_the_serving_port(settings: Settings) -> None:
    app = container("Deployment")
    ports = {p["name"]: p["containerPort"] for p in app["ports"]}
    probes = {name: app[name]["httpGet"] for name in ("startupProbe", "livenessProbe")}
    readiness = app["readinessProbe"]["httpGet"]

    assert {p["path"] for p in probes.values()} == {"/system/health"}
    assert readiness["path"] == "/system/health/ready"
    assert {ports[p["port"]] for p in [*probes.values(), readiness]} == {settings.port}


@pytest.mark.parametrize("probe", ["startupProbe", "livenessProbe", "readinessProbe"])
def test_probe_timeouts_exceed_the_check_budget(settings: Settings, probe: str) -> None:
    assert container("Deployment")[probe]["timeoutSeconds"] > settings.health_check_timeout_seconds


def test_liveness_is_more_patient_than_readiness() -> None:
    # A restart loses every request in flight; leaving the Service loses none.
    app = container("Deployment")
    liveness, readiness = app["livenessProbe"], app["readinessProbe"]

    def window(probe: dict[str, Any]) -> int:
        return int(probe["periodSeconds"] * probe["failureThreshold"])

    assert liveness["timeoutSeconds"] >= readiness["timeoutSeconds"]
    assert window(liveness) > window(readiness)


def test_readiness_probing_matches_the_health_interval(settings: Settings) -> None:
    readiness = container("Deployment")["readinessProbe"]

    assert readiness["periodSeconds"] <= settings.health_interval_seconds
    assert readiness["successThreshold"] == 1


def prestop_sleep_seconds(app: dict[str, Any]) -> int:
    pre_stop = app.get("lifecycle", {}).get("preStop")
    if pre_stop is None:
        return 0
    if "sleep" in pre_stop:
        return int(pre_stop["sleep"]["seconds"])
    command = " ".join(pre_stop["exec"]["command"])
    match = re.search(r"sleep (\d+)", command)
    assert match is not None, f"unexpected preStop hook: {command}"
    return int(match.group(1))


def test_grace_period_covers_prestop_drain_and_graceful_shutdown(settings: Settings) -> None:
    needed = (
        prestop_sleep_seconds(container("Deployment"))
        + settings.shutdown_drain_seconds
        + settings.shutdown_timeout_seconds
        + SHUTDOWN_MARGIN_SECONDS
    )

    assert pod_spec("Deployment")["terminationGracePeriodSeconds"] >= needed


def test_something_keeps_serving_while_the_endpoint_removal_spreads(settings: Settings) -> None:
    delay = prestop_sleep_seconds(container("Deployment")) + settings.shutdown_drain_seconds

    assert delay >= MIN_DRAIN_SECONDS


def test_replicas_never_migrate_the_schema_themselves(settings: Settings) -> None:
    job = container("Job")

    assert settings.db_migrate_on_start is False
    assert job["command"] == ["petsage", "db", "upgrade"]
    assert pod_spec("Job")["restartPolicy"] == "Never"
    assert run_petsage(*job["command"][1:], "--help").returncode == 0


def test_settings_are_real_and_valid(settings: Settings) -> None:
    config, secret = resource("ConfigMap")["data"], resource("Secret")["stringData"]

    assert unknown_settings({**config, **secret}) == set()
    assert set(secret) == {"PETSAGE_DATABASE_URL", "PETSAGE_HEALTH_TOKEN"}
    assert not set(config) & set(secret)
    assert settings.host == "0.0.0.0"
    assert settings.workers == 1
    assert settings.database_url is not None
    assert settings.database_url.startswith("postgresql+asyncpg://")


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_pods_take_every_setting_from_the_configmap_and_secret(kind: str) -> None:
    app = container(kind)

    assert app["envFrom"] == [
        {"configMapRef": {"name": resource("ConfigMap")["metadata"]["name"]}},
        {"secretRef": {"name": resource("Secret")["metadata"]["name"]}},
    ]
    assert unknown_settings({e["name"]: "" for e in app.get("env", [])}) == set()


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_service_links_are_off_because_they_would_collide_with_settings(kind: str) -> None:
    # A Service named `petsage` makes the kubelet inject PETSAGE_PORT=tcp://10.0.0.1:80.
    with pytest.raises(ConfigurationError, match="PETSAGE_PORT"):
        settings_from({"PETSAGE_PORT": "tcp://10.0.0.1:80"})
    assert pod_spec(kind)["enableServiceLinks"] is False


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_pods_meet_the_restricted_pod_security_standard(kind: str) -> None:
    image_user = dockerfiles.parse(ROOT / "Dockerfile").stages[-1].last("USER").value[0]
    uid, gid = (int(part) for part in image_user.split(":"))
    pod, app = pod_spec(kind), container(kind)

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (
        uid,
        gid,
    )
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert app["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert all(set(volume) == {"name", "emptyDir"} for volume in pod["volumes"])


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_the_read_only_root_leaves_the_data_directory_and_tmp_writable(
    kind: str, settings: Settings
) -> None:
    mounts = {m["mountPath"] for m in container(kind)["volumeMounts"]}

    assert {str(settings.data_dir), "/tmp"} <= mounts


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_resources_have_requests_and_limits(kind: str) -> None:
    resources = container(kind)["resources"]

    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    assert mebibytes(resources["limits"]["memory"]) >= mebibytes(resources["requests"]["memory"])


def mebibytes(quantity: str) -> int:
    match = re.fullmatch(r"(\d+)(Mi|Gi)", quantity)
    assert match is not None, f"unexpected quantity {quantity!r}"
    return int(match.group(1)) * {"Mi": 1, "Gi": 1024}[match.group(2)]


def test_deployment_and_job_run_the_same_image() -> None:
    assert container("Deployment")["image"] == container("Job")["image"]


def test_service_and_budget_select_the_api_pods_only() -> None:
    api_labels = resource("Deployment")["spec"]["template"]["metadata"]["labels"]
    job_labels = resource("Job")["spec"]["template"]["metadata"]["labels"]
    service = resource("Service")["spec"]
    budget = resource("PodDisruptionBudget")["spec"]

    def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
        return selector.items() <= labels.items()

    assert selects(service["selector"], api_labels)
    assert not selects(service["selector"], job_labels)
    assert (
        budget["selector"]["matchLabels"]
        == resource("Deployment")["spec"]["selector"]["matchLabels"]
    )
    assert service["ports"][0]["targetPort"] in {
        p["name"] for p in container("Deployment")["ports"]
    }


def test_rollouts_and_disruptions_keep_the_service_up() -> None:
    deployment = resource("Deployment")["spec"]
    budget = resource("PodDisruptionBudget")["spec"]
    autoscaler = resource("HorizontalPodAutoscaler")["spec"]

    # The autoscaler owns the count: a `replicas` here would reset it on every apply.
    assert "replicas" not in deployment
    assert autoscaler["minReplicas"] >= 2
    assert deployment["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert budget["maxUnavailable"] < autoscaler["minReplicas"]
