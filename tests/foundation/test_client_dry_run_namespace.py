"""A client dry run renders into the namespace kubectl would use, reading the kubeconfig without
connecting: -n, else the context's namespace (--context, else the current one), else "default"
(kubernetes/client-go tools/clientcmd/client_config.go DirectClientConfig.Namespace; kubectl create
--dry-run=client reads it in Complete, kubernetes/kubectl pkg/cmd/create/create_deployment.go)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from akscli import yamlio
from tests.cli import invoke

KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "lab", "cluster": {"server": "https://127.0.0.1:1"}}],
    "users": [{"name": "me", "user": {"token": "t"}}],
    "contexts": [
        {"name": "team", "context": {"cluster": "lab", "user": "me", "namespace": "team-a"}},
        {"name": "bare", "context": {"cluster": "lab", "user": "me"}},
    ],
    "current-context": "team",
}
RENDERS = {
    "model deploy": ["model", "deploy", "phi-4", "--dry-run"],
    "ray cluster create": ["ray", "cluster", "create", "rc", "--dry-run=client"],
    "ray service deploy": ["ray", "service", "deploy", "svc", "-f", "SERVE", "--dry-run=client"],
    "ray job submit": ["ray", "job", "submit", "--cluster", "rc", "--dry-run=client", "-o", "yaml"],
    "baremetal test nccl": ["baremetal", "test", "nccl", "--gpus-per-node", "8", "--dry-run=client"],
}
SERVE = "applications: [{name: app, import_path: text_ml:app, route_prefix: /}]\n"


@pytest.fixture
def kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    path.write_text(json.dumps(KUBECONFIG))
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


def rendered_namespaces(tmp_path: Path, argv: list[str], *more: str) -> set[str]:
    serve = tmp_path / "serve.yaml"
    serve.write_text(SERVE)
    words = [str(serve) if word == "SERVE" else word for word in argv]
    tail = ["--", "python", "x.py"] if words[:3] == ["ray", "job", "submit"] else []
    result = invoke(*words, *more, *tail)
    assert result.exit_code == 0, result
    docs = yamlio.load_all(result.stdout, "stdout")
    return {doc["metadata"]["namespace"] for doc in docs if doc and "namespace" in doc["metadata"]}


@pytest.mark.parametrize("argv", RENDERS.values(), ids=RENDERS.keys())
def test_a_client_dry_run_renders_into_the_current_contexts_namespace(
    kubeconfig: Path, tmp_path: Path, argv: list[str]
) -> None:
    assert rendered_namespaces(tmp_path, argv) == {"team-a"}


@pytest.mark.parametrize("argv", RENDERS.values(), ids=RENDERS.keys())
def test_a_client_dry_run_renders_into_default_for_a_context_without_a_namespace(
    kubeconfig: Path, tmp_path: Path, argv: list[str]
) -> None:
    assert rendered_namespaces(tmp_path, argv, "--context", "bare") == {"default"}


@pytest.mark.parametrize("argv", RENDERS.values(), ids=RENDERS.keys())
def test_namespace_flag_wins_over_the_contexts_on_a_client_dry_run(
    kubeconfig: Path, tmp_path: Path, argv: list[str]
) -> None:
    assert rendered_namespaces(tmp_path, argv, "-n", "mine") == {"mine"}


def test_a_client_dry_run_without_a_kubeconfig_renders_into_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    assert rendered_namespaces(tmp_path, RENDERS["ray cluster create"]) == {"default"}


def test_the_context_namespace_is_read_without_the_kubernetes_client_when_no_kubeconfig_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import context_namespace

    monkeypatch.delitem(sys.modules, "kubernetes.config", raising=False)
    assert context_namespace(KubeTarget(kubeconfig=str(tmp_path / "none"))) is None
    assert "kubernetes.config" not in sys.modules


def test_apply_policy_findings_on_a_client_dry_run_name_the_contexts_namespace(
    kubeconfig: Path, tmp_path: Path
) -> None:
    container = {"name": "web", "image": "nginx:latest"}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}},
        },
    }
    manifest = tmp_path / "web.json"
    manifest.write_text(json.dumps(deployment))
    result = invoke("apply", "-f", str(manifest), "--dry-run=client", "--allow", "image-latest")
    assert result.exit_code == 0, result
    assert "warning: policy image-latest (error): Deployment team-a/web" in result.stderr
