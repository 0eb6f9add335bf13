"""deploy/: the Kubernetes manifest and the Dockerfile agree with the service they run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from admin_web.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _documents() -> dict[str, Any]:
    docs = list(yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text(encoding="utf-8")))
    return {d["kind"]: d for d in docs}


def test_the_deployment_runs_several_replicas_probed_on_health_and_readiness() -> None:
    docs = _documents()
    deployment = docs["Deployment"]
    assert deployment["spec"]["replicas"] > 1
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["command"] == ["jingwei", "serve"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    secrets = {e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e}
    assert "jingwei-db" in secrets
    assert pod["initContainers"][0]["command"] == ["jingwei", "migrate"]


def test_the_service_selects_the_deployments_pods() -> None:
    docs = _documents()
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert docs["Service"]["spec"]["selector"].items() <= labels.items()


def test_every_configured_variable_is_a_setting() -> None:
    fields = {f"JINGWEI_{name.upper()}" for name in Settings.model_fields}
    config = _documents()["ConfigMap"]["data"]
    assert set(config) <= fields
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for line in dockerfile.splitlines():
        for word in line.replace("\\", " ").split():
            if word.startswith("JINGWEI_") and "=" in word:
                assert word.split("=", 1)[0] in fields, word
    assert 'CMD ["jingwei", "serve"]' in dockerfile
