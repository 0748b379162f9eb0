"""A model deployed through a Fleet hub lives in the namespace its placement selects (audit 15,
docs/changes/audit15-fleetns.md): without -n, delete, history, rollback and status look there, as
deploy put it there (upstream: kubefleet-dev/kubefleet e160c1cd
apis/placement/v1/clusterresourceplacement_types.go ResourceSelectorTerm)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke, list_items

KAITO = "kaito.sh/v1beta1"
FLEET = "placement.kubernetes-fleet.io/v1"
Start = Callable[..., Any]


def hub_with_a_gpu_member(model_emulator: Start) -> Any:
    """A fleet hub with one member, gpu, that reports one Standard_NC24ads_A100_v4 node."""
    # A fleet hub runs no workload (its members do), so no KAITO here: without simulator=False the
    # KAITO simulator would make the server pod on the hub, and `model top` would race its readiness.
    emu = model_emulator(fleet=True, simulator=False)
    member = {"apiVersion": "cluster.kubernetes-fleet.io/v1", "kind": "MemberCluster", "metadata": {"name": "gpu"}}
    emu.cluster.create({**member, "spec": {"identity": {"kind": "User", "name": "gpu"}}})
    count = {"value": "1", "observationTime": "2026-11-26T00:00:00Z"}
    props = {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": count}
    emu.cluster.patch_status("cluster.kubernetes-fleet.io/v1", "MemberCluster", None, "gpu", {"properties": props})
    return emu


def _deploy_on_hub(model_emulator: Start) -> Any:
    emu = hub_with_a_gpu_member(model_emulator)
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "phi-4", "phi-4") is not None
    return emu


def test_delete_without_namespace_deletes_the_workspace_in_the_placed_namespace(model_emulator: Start) -> None:
    emu = _deploy_on_hub(model_emulator)
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "phi-4", "phi-4") is None
    assert emu.cluster.get(FLEET, "ClusterResourcePlacement", None, "phi-4") is None


def test_delete_without_namespace_deletes_the_revision_records_in_the_placed_namespace(model_emulator: Start) -> None:
    emu = _deploy_on_hub(model_emulator)
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 0, result
    # none is left but the root CA publisher's kube-root-ca.crt, which every namespace has
    left = [cm["metadata"]["name"] for cm in emu.cluster.list("v1", "ConfigMap", "phi-4")]
    assert [name for name in left if name != "kube-root-ca.crt"] == []


def test_delete_dry_run_client_lists_the_objects_in_the_placed_namespace(model_emulator: Start) -> None:
    emu = _deploy_on_hub(model_emulator)
    result = invoke("model", "delete", "phi-4", "--dry-run=client")
    assert result.exit_code == 0, result
    listed = result.stdout.splitlines()
    assert any(line.startswith("workspace.kaito.sh") for line in listed), listed
    # The model's config and its revision record: every ConfigMap deploy put in the namespace (not
    # the root CA publisher's kube-root-ca.crt, which every namespace has).
    ours = [cm for cm in emu.cluster.list("v1", "ConfigMap", "phi-4") if cm["metadata"]["name"] != "kube-root-ca.crt"]
    assert sum(line.startswith("configmap") for line in listed) == len(ours)
    assert any("phi-4-rev-1" in line for line in listed), listed
    assert emu.cluster.get(KAITO, "Workspace", "phi-4", "phi-4") is not None


def test_delete_says_the_hub_namespace_is_kept(model_emulator: Start) -> None:
    emu = _deploy_on_hub(model_emulator)
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert "namespace/phi-4 kept on the hub: a model never deletes a namespace" in result.stderr
    assert emu.cluster.get("v1", "Namespace", None, "phi-4") is not None


def test_history_without_namespace_reads_the_placed_namespace(model_emulator: Start) -> None:
    _deploy_on_hub(model_emulator)
    result = invoke("model", "history", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert [r["revision"] for r in list_items(result.stdout)] == [1]


def test_rollback_without_namespace_reads_the_placed_namespace(model_emulator: Start) -> None:
    _deploy_on_hub(model_emulator)
    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "-y")
    assert result.exit_code == 0, result
    assert "revision 1" in result.stderr


def test_status_without_namespace_finds_the_workspace_in_the_placed_namespace(model_emulator: Start) -> None:
    _deploy_on_hub(model_emulator)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert '"namespace": "phi-4"' in result.stdout


def test_an_explicit_namespace_still_wins_over_the_placement(model_emulator: Start) -> None:
    _deploy_on_hub(model_emulator)
    result = invoke("model", "status", "phi-4", "-n", "default")
    assert result.exit_code == 3, result
    assert "not found in namespace default" in result.stderr


def test_top_without_namespace_finds_the_workspace_in_the_placed_namespace(model_emulator: Start) -> None:
    _deploy_on_hub(model_emulator)
    result = invoke("model", "top", "phi-4", "-o", "json")
    # The hub runs no server pod (its members do): found, with no figures to show.
    assert result.exit_code == 0, result


def _placed_twice(emu: Any) -> None:
    """A second placement with the model's labels selects another namespace."""
    crp = emu.cluster.get(FLEET, "ClusterResourcePlacement", None, "phi-4")
    selector = {"group": "", "version": "v1", "kind": "Namespace", "name": "other"}
    meta = {"name": "phi-4-copy", "labels": crp["metadata"]["labels"]}
    spec = {**crp["spec"], "resourceSelectors": [selector]}
    emu.cluster.create({"apiVersion": FLEET, "kind": "ClusterResourcePlacement", "metadata": meta, "spec": spec})


def test_a_model_placed_in_two_namespaces_asks_for_one(model_emulator: Start) -> None:
    _placed_twice(_deploy_on_hub(model_emulator))
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 2, result
    assert "model phi-4 is placed in more than one namespace (other, phi-4)" in result.stderr


def test_namespace_flag_settles_a_model_placed_in_two_namespaces(model_emulator: Start) -> None:
    _placed_twice(_deploy_on_hub(model_emulator))
    result = invoke("model", "delete", "phi-4", "-n", "phi-4", "-y", "--dry-run=client")
    assert result.exit_code == 0, result
    assert 'workspace.kaito.sh "phi-4" deleted from phi-4 namespace (dry run)' in result.stdout


def _deployed_here_too(emu: Any) -> None:
    """`model deploy phi-4` without --fleet-hub on the same cluster: a second phi-4, in the context's namespace."""
    result = invoke("model", "deploy", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None


def test_a_model_both_placed_and_deployed_in_the_contexts_namespace_asks_for_one(model_emulator: Start) -> None:
    """Deploy went to the context's namespace; rollback, history and delete without -n read the
    placed one, so `model rollback phi-4` after `model deploy phi-4` rolled back another model."""
    _deployed_here_too(_deploy_on_hub(model_emulator))
    result = invoke("model", "history", "phi-4")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: model phi-4 is deployed in namespace default and placed by a fleet in namespace phi-4",
        "hint: pick one with -n default or -n phi-4",
    ]


def test_a_model_in_both_namespaces_is_deleted_from_neither_without_namespace(model_emulator: Start) -> None:
    emu = _deploy_on_hub(model_emulator)
    _deployed_here_too(emu)
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 2, result
    assert emu.cluster.get(KAITO, "Workspace", "phi-4", "phi-4") is not None
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None


def test_namespace_flag_settles_a_model_both_placed_and_deployed_here(model_emulator: Start) -> None:
    _deployed_here_too(_deploy_on_hub(model_emulator))
    result = invoke("model", "history", "phi-4", "-n", "default", "-o", "json")
    assert result.exit_code == 0, result
    assert [r["params"]["namespace"] for r in list_items(result.stdout)] == ["default"]
