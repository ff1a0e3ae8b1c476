"""deploy/: the Kubernetes manifest is linted, not applied (no cluster runs in CI).

No schema validator works offline (kubeconform downloads its schemas), so this checks by hand
what a typo would break in a way ``kubectl apply`` would not tell: every object is well-formed,
the pieces point at each other (selectors, ports, the Secret), the container agrees with the
Dockerfile it runs (port, uid, probes on ``/health``), every variable it sets is one the server
reads, and sessions are sticky at both the Service and the ingress.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "deploy" / "kubernetes" / "graderlib-env.yaml"
API_VERSIONS = {
    "Secret": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "Ingress": "networking.k8s.io/v1",
    "PodDisruptionBudget": "policy/v1",
}


def _objects() -> dict[str, dict[str, Any]]:
    documents = [d for d in yaml.safe_load_all(MANIFEST.read_text()) if d is not None]
    by_kind: dict[str, dict[str, Any]] = {}
    for document in documents:
        kind = document["kind"]
        assert document["apiVersion"] == API_VERSIONS[kind], kind
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", document["metadata"]["name"])
        assert kind not in by_kind, f"two {kind} objects"
        by_kind[kind] = document
    assert set(by_kind) == set(API_VERSIONS)
    return by_kind


def _dockerfile(instruction: str) -> str:
    for line in (REPO / "Dockerfile").read_text().splitlines():
        if line.startswith(instruction + " "):
            return line.split(" ", 1)[1]
    raise AssertionError(f"no {instruction} in the Dockerfile")


def test_manifest_pieces_point_at_each_other() -> None:
    objects = _objects()
    deployment, service = objects["Deployment"], objects["Service"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    for selector in (
        deployment["spec"]["selector"]["matchLabels"],
        service["spec"]["selector"],
        objects["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
    ):
        assert selector.items() <= pod_labels.items()
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    (service_port,) = service["spec"]["ports"]
    assert service_port["targetPort"] in ports
    backend = objects["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] == service_port["name"]
    secret = objects["Secret"]
    for variable in container["env"]:
        reference = variable.get("valueFrom", {}).get("secretKeyRef")
        if reference:
            assert reference["name"] == secret["metadata"]["name"]
            assert reference["key"] in secret["stringData"]
    assert objects["PodDisruptionBudget"]["spec"]["minAvailable"] < deployment["spec"]["replicas"]


def test_container_agrees_with_the_dockerfile_and_the_server() -> None:
    deployment = _objects()["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    port = container["ports"][0]["containerPort"]
    assert str(port) == _dockerfile("EXPOSE")
    uid = re.search(r"--uid (\d+)", (REPO / "Dockerfile").read_text())
    assert uid is not None and pod["securityContext"]["runAsUser"] == int(uid.group(1))
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}
    env = {v["name"]: v.get("value") for v in container["env"]}
    assert env["PORT"] == str(port)
    sources = (
        "\n".join(
            p.read_text() for folder in ("env", "graderlib") for p in (REPO / folder).rglob("*.py")
        )
        + (REPO / "Dockerfile").read_text()
    )
    for name in env:
        assert re.search(rf"\b{name}\b", sources), (
            f"{name} is read by nothing in env/ or graderlib/"
        )
    assert env["GRADERLIB_TASK_ID_KEY"] is None  # from the Secret, never inline


def test_sessions_are_sticky_and_websockets_stay_open() -> None:
    objects = _objects()
    service = objects["Service"]["spec"]
    assert service["sessionAffinity"] == "ClientIP"
    assert service["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"] >= 600
    annotations = objects["Ingress"]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 600
