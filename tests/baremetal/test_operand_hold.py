"""A GPU node the GPU Operator keeps its operands off by its nvidia.com/gpu.deploy.* labels advertises
no GPU: baremetal doctor names the node and the label (the operand DaemonSets do not count the
node, so their own checks pass), and gpu usage says which label holds its unusable GPUs (upstream:
NVIDIA/gpu-operator a22dbf6 controllers/state_manager.go; akscli.gpu.devices.operand_hold)."""

from __future__ import annotations

import json
from typing import Any

from akscli.baremetal import doctor
from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator


def hold(emu: Any, node: str, labels: dict[str, str]) -> None:
    """Label the node: the device plugin's pod goes, and the node's kubelet stops advertising its GPUs."""
    emu.cluster.patch("v1", "Node", None, node, {"metadata": {"labels": labels}})
    assert emu.idle(10.0)


def test_doctor_names_a_gpu_node_whose_operands_are_disabled(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator)
    hold(kube_emulator, "aks-gpu-1", {"nvidia.com/gpu.deploy.operands": "false"})
    [held] = [f for f in doctor.diagnose(kube, doctor.Options()).findings if "keeps an operand off" in f.message]
    assert (held.severity, held.message) == (
        "warning",
        "1 GPU node(s) advertise no GPU because a GPU Operator label keeps an operand off them: "
        "aks-gpu-1 (nvidia.com/gpu.deploy.operands=false)",
    )
    assert held.fix.startswith(
        "where not meant, remove the label and the operator deploys the operand again "
        "(kubectl label node aks-gpu-1 nvidia.com/gpu.deploy.operands-)"
    )


def test_doctor_says_nothing_of_a_driver_label_on_a_node_that_advertises_its_gpus(
    kube_emulator: Any, kube: Any
) -> None:
    """nvidia.com/gpu.deploy.driver=false on a node whose driver is preinstalled keeps the GPUs."""
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator)
    kube_emulator.cluster.patch(
        "v1", "Node", None, "aks-gpu-1", {"metadata": {"labels": {"nvidia.com/gpu.deploy.driver": "false"}}}
    )
    assert kube_emulator.idle(10.0)
    assert not [f for f in doctor.diagnose(kube, doctor.Options()).findings if "keeps an operand off" in f.message]


def test_gpu_usage_says_which_label_holds_unusable_gpus(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator)
    hold(kube_emulator, "aks-gpu-1", {"nvidia.com/gpu.deploy.device-plugin": "paused-for-driver-upgrade"})
    result = invoke("gpu", "usage", "-o", "json")
    assert result.exit_code == 0, result
    [dead] = [p for p in json.loads(result.stdout)["pools"] if p["state"] == "unusable"]
    assert (dead["gpu_nodes"], dead["held"]) == (1, "nvidia.com/gpu.deploy.device-plugin=paused-for-driver-upgrade")
    table = invoke("gpu", "usage")
    assert "unusable (nvidia.com/gpu.deploy.device-plugin=paused-for-driver-upgrade)" in table.stdout
