"""The Kubernetes manifests in deploy/k8s: valid against the Kubernetes schemas (offline, from the
kubernetes-validate wheel), and in step with the code and the compose file."""

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from grants_cli.system import SERVICES
from grants_shared.http.readiness import ReadinessSettings
from tests.test_compose import COMPOSE, env_names, exported_metric_names, known_env

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES = "1.30.0"  # the oldest version the manifests promise to work on; the newest is checked too
READ_BY_THE_LOGGING_SET_UP = {"GRANTS_LOG_FORMAT", "GRANTS_LOG_LEVEL"}  # grants_shared/logging_setup.py


def documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        found += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    assert found, "no manifests in deploy/k8s"
    return found


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in documents() if doc["kind"] == kind}


def containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(doc["spec"]["template"]["spec"]["containers"])


@pytest.mark.parametrize("version", [KUBERNETES, kubernetes_validate.latest_version()])
def test_every_manifest_is_valid_kubernetes(version: str) -> None:
    for name, doc in documents():
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            raise AssertionError(f"{name}: {doc['kind']} {doc['metadata']['name']}: {error}") from error


def test_the_validator_works_offline_and_refuses_a_broken_manifest() -> None:
    broken = yaml.safe_load((K8S / "payments.yaml").read_text().split("\n---\n")[1])
    assert broken["kind"] == "Deployment"
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)
    broken["spec"]["replicas"], broken["spec"]["replica_count"] = 2, 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def test_every_environment_name_the_manifests_set_is_read_by_the_code() -> None:
    known = known_env() | env_names(ReadinessSettings) | READ_BY_THE_LOGGING_SET_UP
    set_here = set(of_kind("ConfigMap")["grants-config"]["data"])
    for kind in ("Deployment", "Job"):
        for doc in of_kind(kind).values():
            set_here |= {env["name"] for c in containers(doc) for env in c.get("env", [])}
    assert not set_here - known, f"set in deploy/k8s but read by no code: {sorted(set_here - known)}"


def test_every_process_of_compose_has_a_deployment_and_every_service_a_migration_job() -> None:
    deployments = of_kind("Deployment")
    built = {name for name, spec in COMPOSE["services"].items() if "build" in spec and name != "migrate"}
    assert built - set(deployments) == set(), "compose runs processes the manifests do not"
    commands = {name: containers(doc)[0]["command"] for name, doc in deployments.items()}
    for name in built:
        assert commands[name] == COMPOSE["services"][name]["command"], name
    jobs = of_kind("Job")
    for svc in SERVICES:
        assert containers(jobs[f"{svc}-migrate"])[0]["command"] == ["python", "-m", "grants_shared.migrate", svc]


def test_every_deployment_has_probes_and_resources() -> None:
    for name, doc in of_kind("Deployment").items():
        for container in containers(doc):
            assert {"livenessProbe", "readinessProbe"} <= set(container), name
            assert {"requests", "limits"} <= set(container["resources"]), name
    for svc in SERVICES:
        api = containers(of_kind("Deployment")[f"{svc}-api"])[0]
        assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
        worker = containers(of_kind("Deployment")[f"{svc}-worker"])[0]
        assert worker["readinessProbe"]["exec"]["command"][-2:] == ["grants_shared.http.readiness", svc]


def test_workers_scale_on_their_groups_lag_and_apis_on_cpu() -> None:
    autoscalers, exported = of_kind("HorizontalPodAutoscaler"), exported_metric_names()
    for svc in SERVICES:
        worker = autoscalers[f"{svc}-worker"]["spec"]
        external = [m["external"]["metric"] for m in worker["metrics"] if m["type"] == "External"]
        assert external == [{"name": "grants_group_lag", "selector": {"matchLabels": {"group": svc}}}]
        assert external[0]["name"] in exported
        assert worker["minReplicas"] >= 2, "two replicas share a group's work from the start"
        api = autoscalers[f"{svc}-api"]["spec"]
        assert [m["resource"]["name"] for m in api["metrics"] if m["type"] == "Resource"] == ["cpu"]


def test_secrets_hold_placeholders_only() -> None:
    for name, secret in of_kind("Secret").items():
        assert "data" not in secret, f"{name}: base64 data could hide a real secret; use stringData placeholders"
        for key, value in secret["stringData"].items():
            assert "REPLACE-ME" in value, f"{name}.{key} is not a placeholder"
