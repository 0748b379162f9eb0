"""KAITO v0.12.0 ends a Workspace's NodesReady message with the kubelet pressure of its nodes,
its status unchanged (upstream: kaito-project/kaito v0.12.0 pkg/nodeprovision/gpu-provisioner/
gpu_provisioner.go CollectNodeStatusInfo, pkg/utils/nodes/nodes.go NodePressureWarning; the
simulator's kaito_nodes.pressure_warning)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_kaito_scheduling import kaito_lab, state, workspace

KAITO = "kaito.sh/v1beta1"


@pytest.fixture
def emu(kube_emulator: KubeEmulator) -> KubeEmulator:
    return kaito_lab(kube_emulator)


def _nodes_ready(emu: KubeEmulator) -> dict[str, Any]:
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi") or {}
    found = [c for c in (ws.get("status") or {}).get("conditions") or [] if c["type"] == "NodesReady"]
    return found[0] if found else {}


def test_a_workspace_node_under_pressure_is_named_on_nodes_ready_which_stays_true(emu: KubeEmulator) -> None:
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready")
    assert _nodes_ready(emu)["message"] == "Enough Nodes are ready"
    [worker] = (emu.cluster.get(KAITO, "Workspace", "default", "phi") or {})["status"]["workerNodes"]
    node = emu.cluster.get("v1", "Node", None, worker) or {}
    pressure = [
        {"type": "MemoryPressure", "status": "True", "reason": "KubeletHasInsufficientMemory"},
        {"type": "DiskPressure", "status": "True", "reason": "KubeletHasDiskPressure"},
        {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID"},
    ]
    emu.cluster.patch_status("v1", "Node", None, worker, {"conditions": [*node["status"]["conditions"], *pressure]})
    # KAITO watches no Node (workspace_controller.go SetupWithManager): the next reconcile says it.
    emu.cluster.patch(KAITO, "Workspace", "default", "phi", {"metadata": {"annotations": {"touch": "1"}}})
    warning = f"worker node(s) under resource pressure: {worker} (DiskPressure, MemoryPressure)"
    want = f"Enough Nodes are ready; warning: {warning}"
    assert wait_until(lambda: _nodes_ready(emu).get("message") == want), _nodes_ready(emu)
    assert _nodes_ready(emu)["status"] == "True" and state(emu) == "Ready"
