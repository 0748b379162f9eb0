"""Every documented exit code, reached the way a user reaches it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli.kube import client as kube_client
from akscli.kube.client import RetryPolicy
from tests.cli import invoke

WORKSPACE = """\
apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: llm
resource:
  instanceType: Standard_NC24ads_A100_v4
  labelSelector:
    matchLabels:
      apps: llm
inference:
  preset:
    name: phi-4
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: main
        image: nginx@sha256:{digest}
        resources:
          requests: {{cpu: 100m, memory: 64Mi}}
          limits: {{cpu: "1", memory: 128Mi}}
"""


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kube_client, "DEFAULT_RETRY", RetryPolicy(attempts=2, base_delay=0.01, deadline=5))


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def deployment(replicas: int) -> str:
    return DEPLOYMENT.format(replicas=replicas, digest="a" * 64)


def test_0_on_success(kubeconfig: Path, tmp_path: Path) -> None:
    assert invoke("apply", "-f", write(tmp_path, "d.yaml", deployment(1))).exit_code == 0


def test_2_on_bad_input(tmp_path: Path) -> None:
    assert invoke("apply", "-f", str(tmp_path / "missing.yaml")).exit_code == 2


def test_3_when_the_object_is_not_found(kubeconfig: Path) -> None:
    result = invoke("model", "status", "nosuch")
    assert result.exit_code == 3, result


def test_4_on_a_field_manager_conflict(kubeconfig: Path, tmp_path: Path, kube_emulator: Any) -> None:
    assert invoke("apply", "-f", write(tmp_path, "d.yaml", deployment(1))).exit_code == 0
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    obj = kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web")
    other = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 4, "selector": obj["spec"]["selector"], "template": obj["spec"]["template"]},
    }
    connect(KubeTarget(kubeconfig=str(kubeconfig))).apply(other, field_manager="someone-else", force=True)
    result = invoke("apply", "-f", write(tmp_path, "d2.yaml", deployment(2)))
    assert result.exit_code == 4, result
    assert "someone-else" in result.stderr


def test_5_when_wait_times_out(kubeconfig: Path, tmp_path: Path) -> None:
    result = invoke("apply", "-f", write(tmp_path, "w.yaml", WORKSPACE), "--wait", "--timeout", "1s")
    assert result.exit_code == 5, result


def test_6_when_credentials_are_rejected(kube_emulator: Any, tmp_path: Path) -> None:
    config = kube_emulator.write_kubeconfig(tmp_path / "bad", token="wrong-token")
    result = invoke("apply", "-f", write(tmp_path, "d.yaml", deployment(1)), "--kubeconfig", str(config))
    assert result.exit_code == 6, result
    assert "wrong-token" not in result.stderr


def test_7_when_the_operator_is_not_installed(kube_emulator_factory: Any, tmp_path: Path) -> None:
    emu = kube_emulator_factory(crd_dirs=[])
    config = emu.write_kubeconfig(tmp_path / "config")
    result = invoke("apply", "-f", write(tmp_path, "w.yaml", WORKSPACE), "--kubeconfig", str(config))
    assert result.exit_code == 7, result
    assert "KAITO is not installed" in result.stderr


def test_9_when_a_policy_rule_blocks_the_change(tmp_path: Path) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n"
        "    image: busybox:latest\n    securityContext: {privileged: true}\n"
    )
    result = invoke("apply", "-f", write(tmp_path, "p.yaml", pod), "--dry-run=client")
    assert result.exit_code == 9, result
    assert "--allow" in result.stderr


def test_130_when_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    from akscli.cli import version_body as version_module

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(version_module.output, "emit_object", interrupted)
    result = invoke("version")
    assert result.exit_code == 130
    assert result.stderr == "interrupted\n"
