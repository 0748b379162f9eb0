"""The GPU Operator simulator's node labeller sets the gpu.deploy.* state labels and the MIG labels
as the operator's updateGPUStateLabels does, and each operand runs where its label is "true"
(upstream: NVIDIA/gpu-operator a22dbf6 controllers/nodelabeling_controller.go,
controllers/state_manager.go, assets/state-*/0500_daemonset.yaml; the simulator is
kube/controllers/nvidia_labels.py)."""

from __future__ import annotations

from typing import Any

from . import nodes as fx
from .conftest import add_nodes, cluster_policy, install_gpu_operator

DEPLOY = "nvidia.com/gpu.deploy."
CONTAINER = {"driver", "gpu-feature-discovery", "container-toolkit", "device-plugin", "dcgm", "dcgm-exporter",
             "node-status-exporter", "operator-validator", "client"}  # fmt: skip


def labels(emu: Any, name: str) -> dict[str, str]:
    return dict(emu.cluster.get("v1", "Node", None, name)["metadata"]["labels"])


def deploy_labels(emu: Any, name: str) -> dict[str, str]:
    return {k.removeprefix(DEPLOY): v for k, v in labels(emu, name).items() if k.startswith(DEPLOY)}


def plugin_desired(emu: Any) -> int:
    plugin = emu.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "nvidia-device-plugin-daemonset")
    return int(plugin["status"]["desiredNumberScheduled"])


def test_a_gpu_node_gets_the_container_deploy_labels_and_mig_manager_on_an_h100(kube_emulator: Any) -> None:
    add_nodes(kube_emulator, [fx.node("aks-gpu-0")])  # NVIDIA-H100-80GB-HBM3: MIG-capable by its product
    install_gpu_operator(kube_emulator)
    assert deploy_labels(kube_emulator, "aks-gpu-0") == {**dict.fromkeys(CONTAINER, "true"), "mig-manager": "true"}
    assert "nvidia.com/mig.config" not in labels(kube_emulator, "aks-gpu-0")  # no migManager.config.default


def test_a_mig_config_default_of_all_disabled_labels_mig_capable_nodes(kube_emulator: Any) -> None:
    add_nodes(kube_emulator, [fx.node("aks-gpu-0")])
    policy = cluster_policy("a-policy")  # older than install_gpu_operator's, or first by name
    policy["spec"]["migManager"] = {"enabled": True, "config": {"default": "all-disabled"}}
    kube_emulator.cluster.create(policy)
    install_gpu_operator(kube_emulator)
    assert labels(kube_emulator, "aks-gpu-0")["nvidia.com/mig.config"] == "all-disabled"


def test_operands_disabled_on_a_node_removes_its_deploy_labels_and_its_operands(kube_emulator: Any) -> None:
    add_nodes(kube_emulator, [fx.node("aks-gpu-0"), fx.node("aks-gpu-1")])
    install_gpu_operator(kube_emulator)
    assert plugin_desired(kube_emulator) == 2
    kube_emulator.cluster.patch(
        "v1", "Node", None, "aks-gpu-1", {"metadata": {"labels": {DEPLOY + "operands": "false"}}}
    )
    assert kube_emulator.idle(10.0)
    assert deploy_labels(kube_emulator, "aks-gpu-1") == {"operands": "false"}
    assert plugin_desired(kube_emulator) == 1


def test_a_paused_operand_keeps_its_value_and_does_not_run_there(kube_emulator: Any) -> None:
    """k8s-driver-manager pauses an operand by rewriting its label; the labeller keeps a value that
    is not empty (addGPUStateLabels)."""
    add_nodes(kube_emulator, [fx.node("aks-gpu-0"), fx.node("aks-gpu-1")])
    install_gpu_operator(kube_emulator)
    paused = {DEPLOY + "device-plugin": "paused-for-driver-upgrade"}
    kube_emulator.cluster.patch("v1", "Node", None, "aks-gpu-1", {"metadata": {"labels": paused}})
    assert kube_emulator.idle(10.0)
    assert deploy_labels(kube_emulator, "aks-gpu-1")["device-plugin"] == "paused-for-driver-upgrade"
    assert plugin_desired(kube_emulator) == 1


def test_a_node_that_no_longer_has_a_gpu_loses_its_state_labels(kube_emulator: Any) -> None:
    add_nodes(kube_emulator, [fx.node("aks-gpu-0")])
    install_gpu_operator(kube_emulator)
    gone = {"feature.node.kubernetes.io/pci-10de.present": None}  # NFD no longer sees an NVIDIA GPU
    kube_emulator.cluster.patch("v1", "Node", None, "aks-gpu-0", {"metadata": {"labels": gone}})
    assert kube_emulator.idle(10.0)
    assert labels(kube_emulator, "aks-gpu-0")["nvidia.com/gpu.present"] == "false"
    assert deploy_labels(kube_emulator, "aks-gpu-0") == {}
