"""A GPU node whose device plugin pod goes advertises no allocatable GPU, as the kubelet's device
manager does once the plugin's endpoint stops, and advertises them again when a plugin pod on it is
ready (upstream: kubernetes/kubernetes 0022bec3 pkg/kubelet/cm/devicemanager/manager.go
markResourceUnhealthy, GetCapacity; the simulator is kube/controllers/device_manager.py). The
DaemonSet controller deletes the pod of a node its nodeSelector no longer matches (upstream:
kubernetes/kubernetes v1.34 pkg/controller/daemon/daemon_controller.go podsShouldBeOnNode)."""

from __future__ import annotations

from typing import Any

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator

PLUGIN = "app=nvidia-device-plugin-daemonset"


def gpus(emu: Any, node: str) -> tuple[str, str]:
    """The node's allocatable and capacity nvidia.com/gpu."""
    status = emu.cluster.get("v1", "Node", None, node)["status"]
    return status["allocatable"]["nvidia.com/gpu"], status["capacity"]["nvidia.com/gpu"]


def plugin_pods(emu: Any, node: str) -> list[dict[str, Any]]:
    pods = emu.cluster.list("v1", "Pod", namespace="gpu-operator", label_selector=PLUGIN)
    return [p for p in pods if p["spec"].get("nodeName") == node and not p["metadata"].get("deletionTimestamp")]


def test_a_label_that_takes_the_device_plugin_off_a_node_takes_its_gpus_and_removing_it_gives_them_back(
    kube_emulator: Any,
) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator)
    held = {"nvidia.com/gpu.deploy.device-plugin": "false"}
    kube_emulator.cluster.patch("v1", "Node", None, "aks-gpu-1", {"metadata": {"labels": held}})
    assert kube_emulator.idle(10.0)
    assert plugin_pods(kube_emulator, "aks-gpu-1") == []
    assert gpus(kube_emulator, "aks-gpu-1") == ("0", "8")
    freed = {"nvidia.com/gpu.deploy.device-plugin": None}
    kube_emulator.cluster.patch("v1", "Node", None, "aks-gpu-1", {"metadata": {"labels": freed}})
    assert kube_emulator.idle(10.0)
    assert len(plugin_pods(kube_emulator, "aks-gpu-1")) == 1
    assert gpus(kube_emulator, "aks-gpu-1") == ("8", "8")
