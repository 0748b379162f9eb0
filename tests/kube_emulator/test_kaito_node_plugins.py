"""KAITO v0.12.0 checks that the NVIDIA device plugin has registered GPUs on every node a Workspace's
NodeClaims brought up before it makes the Service and the StatefulSet (upstream: kaito-project/kaito
v0.12.0 pkg/workspace/resource/node.go CheckIfNodePluginsReady, pkg/nodeprovision/gpu-provisioner/
gpu_provisioner.go EnsureNodesReady and CollectNodeStatusInfo; the simulator's
kaito_nodes.plugins_ready and plugins_not_ready). A lone node not Ready never reaches that check:
EnsureNodesReady's step 2 (Not enough Nodes are ready) comes first."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import kaito
from tests.kube_emulator.test_kaito_scheduling import state, workspace
from tests.kube_emulator.test_scheduling import node, seed

KAITO = "kaito.sh/v1beta1"


def _lab(emu: KubeEmulator, failure: str | None) -> kaito.WorkspaceController:
    controllers = kaito.controllers(delay=0.02, failure=failure)
    for controller in controllers:
        emu.controllers.add(controller)
    seed(emu, node("aks-system-0"))
    ws_controller = controllers[0]
    assert isinstance(ws_controller, kaito.WorkspaceController)
    ws_controller.plugin_requeue = 0.1
    return ws_controller


def _conditions(emu: KubeEmulator) -> dict[str, dict[str, Any]]:
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi") or {}
    return {c["type"]: c for c in (ws.get("status") or {}).get("conditions") or []}


def _gpus(emu: KubeEmulator, name: str, count: str) -> None:
    """The kubelet's node status once the plugin registered ``count`` GPUs (or after a restart it did not
    register again after: "0", device_manager.py)."""
    status = (emu.cluster.get("v1", "Node", None, name) or {})["status"]
    patch = {f: {**status[f], "nvidia.com/gpu": count} for f in ("capacity", "allocatable")}
    emu.cluster.patch_status("v1", "Node", None, name, patch)


def test_a_node_without_registered_gpus_holds_the_workspace_on_node_plugins_not_ready(
    kube_emulator: KubeEmulator,
) -> None:
    ws_controller = _lab(kube_emulator, "plugins")
    kube_emulator.cluster.create(workspace())
    held = "NodePluginsNotReady"
    assert wait_until(lambda: _conditions(kube_emulator).get("ResourceReady", {}).get("reason") == held)
    conds = _conditions(kube_emulator)
    assert conds["NodesReady"]["status"] == "False" and conds["NodesReady"]["reason"] == "NodePluginsNotReady"
    assert conds["NodesReady"]["message"] == "waiting all node plugins to be ready"
    assert conds["NodeClaimReady"]["status"] == "True"
    assert conds["ResourceReady"]["message"] == "waiting all node plugins to be ready"
    assert conds["InferenceReady"]["reason"] == "WorkspaceInferenceStatusPending"
    assert state(kube_emulator) == "Pending"
    # reconcileNodes returned before ensureService and applyInference.
    assert kube_emulator.cluster.get("apps/v1", "StatefulSet", "default", "phi") is None
    assert kube_emulator.cluster.get("v1", "Service", "default", "phi") is None
    [worker] = (kube_emulator.cluster.get(KAITO, "Workspace", "default", "phi") or {})["status"]["workerNodes"]
    # The plugin registers the node's GPUs: KAITO's requeue sees it and goes on.
    ws_controller.failure = None
    _gpus(kube_emulator, worker, "1")
    assert wait_until(lambda: state(kube_emulator) == "Ready"), _conditions(kube_emulator)
    assert _conditions(kube_emulator)["NodesReady"]["reason"] == "NodesReady"


def test_a_ready_workspace_whose_node_loses_its_gpus_turns_not_ready(kube_emulator: KubeEmulator) -> None:
    _lab(kube_emulator, None)
    kube_emulator.cluster.create(workspace())
    assert wait_until(lambda: state(kube_emulator) == "Ready")
    [worker] = (kube_emulator.cluster.get(KAITO, "Workspace", "default", "phi") or {})["status"]["workerNodes"]
    _gpus(kube_emulator, worker, "0")
    # KAITO watches no Node (workspace_controller.go SetupWithManager): its next reconcile sees it.
    kube_emulator.cluster.patch(KAITO, "Workspace", "default", "phi", {"metadata": {"annotations": {"touch": "1"}}})
    assert wait_until(lambda: state(kube_emulator) == "NotReady"), _conditions(kube_emulator)
    conds = _conditions(kube_emulator)
    assert conds["ResourceReady"]["reason"] == "NodePluginsNotReady"
    # The pods still run, but ResourceReady is not True (applyInferenceWorkspaceStatus).
    assert conds["InferenceReady"]["status"] == "False"
    assert conds["InferenceReady"]["reason"] == "WorkspaceInferenceStatusPending"


def _ready_workspace(emu: KubeEmulator) -> str:
    """A Ready Workspace ``phi`` and the node its NodeClaim brought up."""
    _lab(emu, None)
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready")
    [worker] = (emu.cluster.get(KAITO, "Workspace", "default", "phi") or {})["status"]["workerNodes"]
    return str(worker)


def _not_ready(emu: KubeEmulator, name: str) -> None:
    notready = {"type": "Ready", "status": "False", "reason": "KubeletNotReady"}
    current = (emu.cluster.get("v1", "Node", None, name) or {})["status"].get("conditions") or []
    emu.cluster.patch_status(
        "v1", "Node", None, name, {"conditions": [c for c in current if c.get("type") != "Ready"] + [notready]}
    )


def _touch(emu: KubeEmulator) -> None:
    # KAITO watches no Node (workspace_controller.go SetupWithManager): its next reconcile sees the change.
    emu.cluster.patch(KAITO, "Workspace", "default", "phi", {"metadata": {"annotations": {"touch": "1"}}})


def test_a_workspace_whose_only_node_is_not_ready_says_not_enough_nodes_before_any_plugin_check(
    kube_emulator: KubeEmulator,
) -> None:
    worker = _ready_workspace(kube_emulator)
    _not_ready(kube_emulator, worker)
    _touch(kube_emulator)
    # EnsureNodesReady's step 2 (readyWithInstanceType < targetNodeCount) comes before CheckIfNodePluginsReady.
    assert wait_until(lambda: _conditions(kube_emulator)["ResourceReady"]["reason"] == "NodeNotReady")
    conds = _conditions(kube_emulator)
    assert conds["NodesReady"]["message"] == "Not enough Nodes are ready"
    assert conds["ResourceReady"]["message"] == "Not enough Nodes are ready"
    assert conds["NodeClaimReady"]["status"] == "True"
