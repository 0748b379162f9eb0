"""The kubelet's device manager as the emulator reproduces it (tests/emulators/kube/controllers/
device_manager.py; upstream: kubernetes/kubernetes 0022bec3 pkg/kubelet/cm/devicemanager/manager.go
markResourceUnhealthy and GetCapacity, types.go endpointStopGracePeriod, pkg/kubelet/nodestatus/
setters.go MachineInfo): a plugin that crash-loops takes the node's allocatable GPUs, five minutes
later its capacity too, and a plugin running again gives both back, whether the GPU Operator
installed it or NVIDIA's static manifest did (as AKS's GPU doc applies it)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.device_manager import DeviceManager

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator
from .plugin_fixtures import NAMESPACE, STANDALONE_LABEL, crash, install_standalone, plugin_pod, recover

OPERATOR_LABEL = "app=nvidia-device-plugin-daemonset"


def gpus(emu: Any, node: str) -> tuple[str, str]:
    """The node's allocatable and capacity nvidia.com/gpu."""
    status = emu.cluster.get("v1", "Node", None, node)["status"]
    return status["allocatable"]["nvidia.com/gpu"], status["capacity"]["nvidia.com/gpu"]


def test_a_crash_looping_operator_device_plugin_leaves_its_node_no_allocatable_gpu(kube_emulator: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator, failure="device-plugin-crash")
    assert kube_emulator.idle(10.0)
    assert gpus(kube_emulator, "aks-gpu-0") == ("0", "8")
    assert gpus(kube_emulator, "aks-gpu-1") == ("8", "8")


def test_the_gpus_stay_in_capacity_for_the_five_minute_stop_grace_period(kube_emulator: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator, failure="device-plugin-crash")
    _device_manager(kube_emulator).advance(299)
    assert kube_emulator.idle(10.0)
    assert gpus(kube_emulator, "aks-gpu-0") == ("0", "8")


def test_five_minutes_after_the_plugin_stopped_the_kubelet_writes_capacity_0(kube_emulator: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator, failure="device-plugin-crash")
    _device_manager(kube_emulator).advance(301)
    assert kube_emulator.idle(10.0)
    assert gpus(kube_emulator, "aks-gpu-0") == ("0", "0")
    assert gpus(kube_emulator, "aks-gpu-1") == ("8", "8")


def test_a_standalone_plugin_that_crashes_and_runs_again_takes_and_gives_back_the_gpus(kube_emulator: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    manager = kube_emulator.controllers.add(DeviceManager())
    install_standalone(kube_emulator)
    crash(kube_emulator, plugin_pod(kube_emulator, "aks-gpu-1", NAMESPACE, STANDALONE_LABEL))
    assert kube_emulator.idle(10.0)
    assert gpus(kube_emulator, "aks-gpu-1") == ("0", "8")
    manager.advance(301)
    assert kube_emulator.idle(10.0)
    assert gpus(kube_emulator, "aks-gpu-1") == ("0", "0")
    recover(kube_emulator, plugin_pod(kube_emulator, "aks-gpu-1", NAMESPACE, STANDALONE_LABEL))
    assert kube_emulator.idle(10.0)
    assert gpus(kube_emulator, "aks-gpu-1") == ("8", "8")


def _device_manager(emu: Any) -> DeviceManager:
    [manager] = [c for c in emu.controllers.controllers if isinstance(c, DeviceManager)]
    return manager
