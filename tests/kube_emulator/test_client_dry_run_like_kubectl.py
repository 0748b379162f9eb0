"""`akscli apply -f --dry-run=client -o yaml` prints each object in the namespace the real kubectl
prints it in, against the same emulator and kubeconfig (context namespace team-a): kubectl's builder
puts -n, else the context's namespace, on a namespaced object that names none and leaves a
cluster-scoped one without (k8s.io/cli-runtime pkg/resource/builder.go NamespaceParam(ns)
.DefaultNamespace(), pkg/resource/visitor.go SetNamespace and RequireNamespace; kubernetes/kubectl
pkg/cmd/apply/apply.go). kubectl 1.32 was run for each case and its answer is asserted here too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli import yamlio
from tests.cli import invoke
from tests.emulators.kube import KubeEmulator

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"a": "1"}}
IN_TEAM_B = {**CONFIGMAP, "metadata": {"name": "web", "namespace": "team-b"}}
CLUSTER_ROLE = {
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "ClusterRole",
    "metadata": {"name": "reader", "namespace": "team-b"},
    "rules": [],
}


@pytest.fixture
def team_kubeconfig(kube_emulator: KubeEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = kube_emulator.write_kubeconfig(tmp_path / "kubeconfig", context="emulator", namespace="team-a")
    monkeypatch.setenv("KUBECONFIG", str(path))
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "kube-cache"))
    return path


def manifest(tmp_path: Path, obj: dict[str, Any]) -> str:
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(obj), encoding="utf-8")
    return str(path)


def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)


def namespace_printed(stdout: str) -> str | None:
    (doc,) = yamlio.load_all(stdout, "stdout")
    return doc["metadata"].get("namespace")


@pytest.mark.parametrize(
    ("obj", "flags", "expected"),
    [
        (CONFIGMAP, [], "team-a"),
        (CONFIGMAP, ["-n", "team-c"], "team-c"),
        (IN_TEAM_B, [], "team-b"),
        (CLUSTER_ROLE, ["-n", "team-c"], None),
    ],
    ids=["no namespace: the context's", "no namespace, -n", "its own namespace", "cluster-scoped, -n"],
)
def test_a_client_dry_run_prints_the_namespace_kubectl_prints(
    team_kubeconfig: Path, tmp_path: Path, obj: dict[str, Any], flags: list[str], expected: str | None
) -> None:
    path = manifest(tmp_path, obj)
    theirs = kubectl("apply", "-f", path, "--dry-run=client", "-o", "yaml", *flags)
    assert theirs.returncode == 0, theirs.stderr
    assert namespace_printed(theirs.stdout) == expected
    ours = invoke("apply", "-f", path, "--dry-run=client", "-o", "yaml", *flags)
    assert ours.exit_code == 0, ours
    assert namespace_printed(ours.stdout) == expected


def test_an_object_in_another_namespace_than_n_is_refused_in_kubectls_words(
    team_kubeconfig: Path, tmp_path: Path
) -> None:
    path = manifest(tmp_path, IN_TEAM_B)
    theirs = kubectl("apply", "-f", path, "--dry-run=client", "-o", "yaml", "-n", "team-c")
    assert theirs.returncode == 1 and theirs.stdout == ""
    said = 'the namespace from the provided object "team-b" does not match the namespace "team-c"'
    assert theirs.stderr.startswith(f"error: {said}.")
    ours = invoke("apply", "-f", path, "--dry-run=client", "-o", "yaml", "-n", "team-c")
    assert ours.exit_code == 2 and ours.stdout == ""
    assert ours.stderr.splitlines()[0] == f"error: {said}"


def test_a_kind_the_cluster_does_not_serve_is_refused_as_kubectl_refuses_it(
    team_kubeconfig: Path, tmp_path: Path
) -> None:
    path = manifest(tmp_path, {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
    theirs = kubectl("apply", "-f", path, "--dry-run=client", "-o", "yaml", "--validate=false")
    assert theirs.returncode == 1 and 'no matches for kind "Widget" in version "example.com/v1"' in theirs.stderr
    ours = invoke("apply", "-f", path, "--dry-run=client", "-o", "yaml")
    assert ours.exit_code == 7 and ours.stdout == ""
    assert ours.stderr.splitlines()[0] == "error: the cluster does not serve example.com/v1 Widget"


def test_a_context_the_kubeconfig_lacks_is_refused_as_kubectl_refuses_it(team_kubeconfig: Path, tmp_path: Path) -> None:
    path = manifest(tmp_path, CONFIGMAP)
    theirs = kubectl("apply", "-f", path, "--dry-run=client", "-o", "yaml", "--context", "nosuch")
    assert (theirs.returncode, theirs.stdout, theirs.stderr) == (1, "", 'error: context "nosuch" does not exist\n')
    ours = invoke("apply", "-f", path, "--dry-run=client", "-o", "yaml", "--context", "nosuch")
    assert ours.exit_code == 2 and ours.stdout == ""
    assert ours.stderr.splitlines()[0] == f"error: --context: context 'nosuch' is not in {team_kubeconfig}"
