"""A node Karpenter launches joins as on a real cluster: its kubelet creates the Node, tainted
karpenter.sh/unregistered, and Karpenter's registration controller adopts it: finalizer, owner
reference, karpenter.sh/registered, the taint gone (upstream: kubernetes/kubernetes
pkg/kubelet/kubelet_node_status.go registerWithAPIServer; kubernetes-sigs/karpenter 2266468
pkg/controllers/nodeclaim/lifecycle/registration.go syncNode; Azure/karpenter-provider-azure 352646f
pkg/utils/taints.go ExtractTaints)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.controllers.karpenter_registration import merge_taints
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, running_on  # noqa: F401 (fixture)


def _entry(node: dict[str, Any], manager: str) -> dict[str, Any]:
    return next(m for m in node["metadata"]["managedFields"] if m["manager"] == manager)


def _launched_node(emu: KubeEmulator) -> dict[str, Any]:  # noqa: F811
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    return emu.cluster.get("v1", "Node", None, running_on(emu, "llm")) or {}


def test_the_kubelet_creates_a_launched_node(emu: KubeEmulator) -> None:  # noqa: F811
    node = _launched_node(emu)
    created = _entry(node, "kubelet")
    assert created["operation"] == "Update"
    assert "f:node.kubernetes.io/instance-type" in created["fieldsV1"]["f:metadata"]["f:labels"]
    assert "f:providerID" in created["fieldsV1"]["f:spec"]


def test_karpenters_registration_adopts_the_node_with_its_finalizer_owner_and_registered_label(
    emu: KubeEmulator,  # noqa: F811
) -> None:
    node = _launched_node(emu)
    md = node["metadata"]
    assert md["labels"]["karpenter.sh/registered"] == "true"
    assert md["finalizers"] == ["karpenter.sh/termination"]
    [owner] = md["ownerReferences"]
    assert (owner["kind"], owner["blockOwnerDeletion"]) == ("NodeClaim", True)
    adopted = _entry(node, "karpenter")["fieldsV1"]["f:metadata"]
    assert "f:karpenter.sh/registered" in adopted["f:labels"]
    assert {"f:finalizers", "f:ownerReferences"} <= set(adopted)


def test_the_unregistered_taint_the_kubelet_registers_with_is_gone_once_registered(
    emu: KubeEmulator,  # noqa: F811
) -> None:
    node = _launched_node(emu)
    keys = [t["key"] for t in node["spec"].get("taints") or []]
    assert "karpenter.sh/unregistered" not in keys
    assert "karpenter.sh/unregistered" not in str(_entry(node, "kubelet")["fieldsV1"])


def test_a_taint_merge_adds_only_those_no_taint_matches_by_key_and_effect() -> None:
    have = [{"key": "sku", "value": "gpu", "effect": "NoSchedule"}]
    more = [{"key": "sku", "value": "other", "effect": "NoSchedule"}, {"key": "sku", "effect": "NoExecute"}]
    assert merge_taints(have, more) == [have[0], more[1]]
