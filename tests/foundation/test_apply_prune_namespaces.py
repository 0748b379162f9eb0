"""--prune deletes a stack's objects only in the namespaces the apply visits, and its cluster-scoped
ones, as kubectl apply --prune does (kubernetes/kubectl pkg/cmd/apply/prune.go pruneAll: each of
visitedNamespaces, then NamespaceNone). `model deploy` labels every model's objects with the stack
model-NAME, so two models of one name in two namespaces share a stack: the README's GitOps line
(`akscli apply -f phi-4.yaml --stack model-phi-4 --prune`) deleted the other namespace's model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.foundation.manifest_files import CONFIG_MAP_ONE


def _one_in_two_namespaces(tmp_path: Path, kube_emulator: Any) -> Path:
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    one = tmp_path / "one.yaml"
    one.write_text(CONFIG_MAP_ONE)
    for namespace in ("default", "other"):
        result = invoke("apply", "-f", str(one), "-n", namespace, "--stack", "demo", "-y")
        assert result.exit_code == 0, result
    return one


def test_prune_leaves_the_stacks_objects_in_a_namespace_the_apply_does_not_visit(
    kubeconfig: Path, tmp_path: Path, kube_emulator: Any
) -> None:
    one = _one_in_two_namespaces(tmp_path, kube_emulator)
    result = invoke("apply", "-f", str(one), "-n", "default", "--stack", "demo", "--prune", "-y")
    assert result.exit_code == 0, result
    assert "pruned" not in result.stdout + result.stderr
    assert kube_emulator.cluster.get("v1", "ConfigMap", "other", "one") is not None


def test_prune_still_deletes_what_the_visited_namespace_no_longer_renders(
    kubeconfig: Path, tmp_path: Path, kube_emulator: Any
) -> None:
    _one_in_two_namespaces(tmp_path, kube_emulator)
    two = tmp_path / "two.yaml"
    two.write_text(CONFIG_MAP_ONE.replace("name: one", "name: two"))
    result = invoke("apply", "-f", str(two), "-n", "other", "--stack", "demo", "--prune", "-y")
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get("v1", "ConfigMap", "other", "one") is None
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "one") is not None


def test_prune_leaves_an_object_fleets_work_applier_placed_with_the_stacks_label(
    kubeconfig: Path, tmp_path: Path, kube_emulator: Any
) -> None:
    """On a member cluster, Fleet's work applier applies the hub's object with its labels, akscli's
    stack label too, and owns it through the member's AppliedWork, an owner that is not a controller
    (kubefleet-dev/kubefleet pkg/controllers/workapplier/controller.go expectedAppliedWorkOwnerRef)."""
    owner = {"apiVersion": "placement.kubernetes-fleet.io/v1beta1", "kind": "AppliedWork", "name": "work", "uid": "1"}
    labels = {"akscli.io/stack": "demo", "app.kubernetes.io/managed-by": "akscli"}
    meta = {"name": "placed", "namespace": "default", "labels": labels, "ownerReferences": [owner]}
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {}})
    one = tmp_path / "one.yaml"
    one.write_text(CONFIG_MAP_ONE)
    result = invoke("apply", "-f", str(one), "-n", "default", "--stack", "demo", "--prune", "-y")
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "placed") is not None
