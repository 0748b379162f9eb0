"""The KAITO simulator's pods go through the emulator's scheduler, onto the nodes KAITO's node
provisioner brings up for the Workspace (tests/emulators/kube/controllers/kaito_nodes.py names
the upstream files)."""

from __future__ import annotations

import re
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


def provisioned(emu: KubeEmulator, name: str = "phi") -> list[dict[str, Any]]:
    """The nodes KAITO's provisioner brought up for Workspace ``name``."""
    return emu.cluster.list("v1", "Node", label_selector=f"kaito.sh/workspace={name}")


def test_a_workspaces_pod_runs_on_the_node_its_provisioner_brings_up(emu: KubeEmulator) -> None:
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready")
    [created] = provisioned(emu)
    labels = created["metadata"]["labels"]
    assert labels["apps"] == "phi" and labels["kaito.sh/workspace"] == "phi"
    assert labels["node.kubernetes.io/instance-type"] == A100 and labels["karpenter.sh/nodepool"] == "kaito"
    assert created["spec"]["taints"] == [{"key": "sku", "value": "gpu", "effect": "NoSchedule"}]
    spec = pod(emu)["spec"]
    assert spec["nodeName"] == created["metadata"]["name"]
    assert spec["containers"][0]["resources"]["limits"] == {"nvidia.com/gpu": "1"}
    assert {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"} in spec["tolerations"]


def test_a_qualified_node_of_the_label_selector_is_used_instead_of_a_new_one(emu: KubeEmulator) -> None:
    own = node("byo-0", gpus=1, labels={"apps": "phi", "node.kubernetes.io/instance-type": A100})
    seed(emu, own)
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready")
    assert pod(emu)["spec"]["nodeName"] == "byo-0"
    assert provisioned(emu) == []


def test_a_deleted_workspaces_provisioned_node_goes_with_it(emu: KubeEmulator) -> None:
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready")
    assert len(provisioned(emu)) == 1
    emu.cluster.delete("kaito.sh/v1beta1", "Workspace", "default", "phi")
    assert wait_until(lambda: provisioned(emu) == [])


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


def test_a_provisioned_node_is_named_after_its_nodeclaim_as_gpu_provisioners_agent_pool(emu: KubeEmulator) -> None:
    # NodeClaim "ws" + 9 hex digits (kaito-project/kaito pkg/utils/nodeclaim/nodeclaim.go
    # GenerateNodeClaimName); gpu-provisioner's agent pool of that name, whose scale set's first
    # instance is the node (Azure/gpu-provisioner pkg/providers/instance/instance.go Create).
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready")
    [created] = provisioned(emu)
    name = created["metadata"]["name"]
    assert re.fullmatch(r"aks-ws[0-9a-f]{9}-\d{8}-vmss000000", name), name
    ws = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi") or {}
    assert ws["status"]["workerNodes"] == [name]


LONG = "a-set-named-with-far-more-than-twenty-characters-for-its-model"  # 62 characters
# The longest set name whose Workspaces' headless Services (NAME-xxxxx-headless) and pods'
# controller-revision-hash labels (NAME-xxxxx-<up to 10>) stay within 63 characters.
LONGEST_SERVED = LONG[:46]


def inferenceset(name: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "InferenceSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "labelSelector": {"matchLabels": {"apps": "phi"}},
            "template": {
                "resource": {"instanceType": A100},
                "inference": {"preset": {"name": "phi-4-mini-instruct"}},
            },
        },
    }


def test_two_replicas_of_a_long_named_inferenceset_each_get_a_node_of_their_own(emu: KubeEmulator) -> None:
    emu.cluster.create(inferenceset(LONGEST_SERVED, 2))

    def ready() -> bool:
        found = emu.cluster.get("kaito.sh/v1beta1", "InferenceSet", "default", LONGEST_SERVED) or {}
        return (found.get("status") or {}).get("readyReplicas") == 2

    assert wait_until(ready, timeout=10)
    children = emu.cluster.list("kaito.sh/v1beta1", "Workspace", "default")
    workers = [w["status"]["workerNodes"] for w in children]
    assert len(workers) == 2 and all(len(w) == 1 for w in workers)
    assert workers[0] != workers[1]
    for child in children:
        [node] = provisioned(emu, child["metadata"]["name"])
        assert child["status"]["workerNodes"] == [node["metadata"]["name"]]


def test_an_inferencesets_workspaces_are_its_name_cut_to_58_characters_and_5_more(emu: KubeEmulator) -> None:
    # generateName NAME- (kaito-project/kaito pkg/utils/inferenceset/inferenceset.go
    # NewWorkspaceForInferenceSet) through the API server's SimpleNameGenerator (kubernetes/kubernetes
    # staging/src/k8s.io/apiserver/pkg/storage/names/generate.go).
    emu.cluster.create(inferenceset(LONG, 1))
    assert wait_until(lambda: emu.cluster.list("kaito.sh/v1beta1", "Workspace", "default"))
    [child] = emu.cluster.list("kaito.sh/v1beta1", "Workspace", "default")
    name = child["metadata"]["name"]
    assert len(name) == 63 and name[:58] == LONG[:58] and name[58:] != LONG[58:], name
