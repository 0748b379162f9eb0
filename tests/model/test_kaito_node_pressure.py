"""KAITO v0.12.0 names a Workspace's nodes under kubelet pressure at the end of its NodesReady
message, the condition still True (upstream: kaito-project/kaito v0.12.0
pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go CollectNodeStatusInfo, pkg/utils/nodes/nodes.go
NodePressureWarning). akscli's readiness does not read NodesReady once ResourceReady is True, so
`model status` now says it as a warning."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from akscli.model import kaito_faults, live
from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO

Start = Callable[..., Any]
PRESSURE = "worker node(s) under resource pressure: "


def _workspace(nodes_message: str) -> dict[str, Any]:
    conds = [
        {"type": "NodesReady", "status": "True", "reason": "NodesReady", "message": nodes_message},
        {"type": "ResourceReady", "status": "True", "reason": "workspaceResourceStatusSuccess"},
        {"type": "InferenceReady", "status": "True", "reason": "WorkspaceInferenceStatusSuccess"},
        {"type": "WorkspaceSucceeded", "status": "True", "reason": "workspaceSucceeded"},
    ]
    md = {"name": "phi-4", "namespace": "default", "generation": 1}
    return {"apiVersion": KAITO, "kind": "Workspace", "metadata": md, "status": {"conditions": conds}}


def test_status_warns_of_the_nodes_kaito_says_are_under_pressure() -> None:
    ws = _workspace(f"Enough Nodes are ready; warning: {PRESSURE}n1 (DiskPressure); n2 (PIDPressure)")
    warning = live.warning_of(ws) or ""
    assert "workspace.kaito.sh/phi-4 runs on nodes under kubelet resource pressure: n1 (DiskPressure); " in warning
    assert "n2 (PIDPressure), so the kubelet may evict its pods" in warning
    assert warning.endswith("kubectl describe nodes -l kaito.sh/workspace=phi-4")
    assert live.warning_of(_workspace("Enough Nodes are ready")) is None  # no pressure, no warning


def test_model_status_warns_of_a_kaito_node_under_pressure(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "4096", "-y").exit_code == 0

    def workspace() -> dict[str, Any]:
        return emu.cluster.get(KAITO, "Workspace", "default", "phi-4") or {}

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and live.state_of(workspace()) != "Ready":
        time.sleep(0.05)
    [node] = workspace()["status"]["workerNodes"]
    current = (emu.cluster.get("v1", "Node", None, node) or {})["status"]["conditions"]
    memory = {"type": "MemoryPressure", "status": "True", "reason": "KubeletHasInsufficientMemory"}
    emu.cluster.patch_status("v1", "Node", None, node, {"conditions": [*current, memory]})
    # KAITO watches no Node: its next reconcile of the Workspace says it.
    emu.cluster.patch(KAITO, "Workspace", "default", "phi-4", {"metadata": {"annotations": {"touch": "1"}}})
    while time.monotonic() < deadline and not kaito_faults.node_pressure(workspace()):
        time.sleep(0.05)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["ready"] == 1
    assert f"runs on nodes under kubelet resource pressure: {node} (MemoryPressure)" in result.stderr
