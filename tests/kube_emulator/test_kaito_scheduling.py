"""The KAITO simulator's pods go through the emulator's scheduler, onto the nodes KAITO's node
provisioner brings up for the Workspace (tests/emulators/kube/controllers/kaito_nodes.py names
the upstream files)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import kaito
from tests.kube_emulator.test_scheduling import node, seed

A100 = "Standard_NC24ads_A100_v4"


def kaito_lab(kube_emulator: KubeEmulator) -> KubeEmulator:
    """The emulator with KAITO's simulators and one system node."""
    for controller in kaito.controllers(delay=0.02):
        kube_emulator.controllers.add(controller)
    seed(kube_emulator, node("aks-system-0"))
    return kube_emulator


@pytest.fixture
def emu(kube_emulator: KubeEmulator) -> KubeEmulator:
    return kaito_lab(kube_emulator)


def workspace(name: str = "phi", labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"name": name, "namespace": "default"},
        "resource": {"instanceType": A100, "labelSelector": {"matchLabels": labels or {"apps": name}}},
        "inference": {"preset": {"name": "phi-4-mini-instruct"}},
    }


def state(emu: KubeEmulator, name: str = "phi") -> str:
    ws = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", name) or {}
    return str((ws.get("status") or {}).get("state") or "")


def pod(emu: KubeEmulator, name: str = "phi-0") -> dict[str, Any]:
    return emu.cluster.get("v1", "Pod", "default", name) or {}


def test_a_workspaces_pod_runs_on_the_node_its_provisioner_brings_up(emu: KubeEmulator) -> None:
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready")
    created = emu.cluster.get("v1", "Node", None, "aks-phi-0")
    assert created is not None
    labels = created["metadata"]["labels"]
    assert labels["apps"] == "phi" and labels["kaito.sh/workspace"] == "phi"
    assert labels["node.kubernetes.io/instance-type"] == A100 and labels["karpenter.sh/nodepool"] == "kaito"
    assert created["spec"]["taints"] == [{"key": "sku", "value": "gpu", "effect": "NoSchedule"}]
    spec = pod(emu)["spec"]
    assert spec["nodeName"] == "aks-phi-0"
    assert spec["containers"][0]["resources"]["limits"] == {"nvidia.com/gpu": "1"}
    assert {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"} in spec["tolerations"]


def test_a_qualified_node_of_the_label_selector_is_used_instead_of_a_new_one(emu: KubeEmulator) -> None:
    own = node("byo-0", gpus=1, labels={"apps": "phi", "node.kubernetes.io/instance-type": A100})
    seed(emu, own)
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready")
    assert pod(emu)["spec"]["nodeName"] == "byo-0"
    assert emu.cluster.get("v1", "Node", None, "aks-phi-0") is None


def test_a_deleted_workspaces_provisioned_node_goes_with_it(emu: KubeEmulator) -> None:
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready")
    emu.cluster.delete("kaito.sh/v1beta1", "Workspace", "default", "phi")
    assert wait_until(lambda: emu.cluster.get("v1", "Node", None, "aks-phi-0") is None)


def test_a_pod_no_node_fits_waits_pending_and_runs_when_the_node_is_freed(emu: KubeEmulator) -> None:
    # The user's own node qualifies (labels, instance type) but carries a taint KAITO's pods do not
    # tolerate: nothing is provisioned, the pod waits with the scheduler's message.
    own = node("byo-0", gpus=1, labels={"apps": "phi", "node.kubernetes.io/instance-type": A100})
    own["spec"]["taints"] = [{"key": "dedicated", "value": "team-a", "effect": "NoSchedule"}]
    seed(emu, own)
    emu.cluster.create(workspace())
    # Pending with the scheduler's verdict (the pod is Pending, without conditions, before it).
    assert wait_until(lambda: pod(emu).get("status", {}).get("conditions"))
    message = pod(emu)["status"]["conditions"][0]["message"]
    assert "1 node(s) had untolerated taint {dedicated: team-a}" in message
    assert wait_until(lambda: state(emu) == "Pending")
    emu.cluster.patch("v1", "Node", None, "byo-0", {"spec": {"taints": None}})
    assert wait_until(lambda: pod(emu).get("spec", {}).get("nodeName") == "byo-0")
    assert wait_until(lambda: state(emu) == "Ready")
