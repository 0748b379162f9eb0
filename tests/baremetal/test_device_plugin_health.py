"""A GPU the device plugin marks unhealthy while it runs (an XID error), and a kubelet restart, as
the emulator's device manager reproduces them (tests/emulators/kube/controllers/device_manager.py;
upstream: NVIDIA/k8s-device-plugin 1b826acc6 internal/rm/health.go checkHealth and
internal/plugin/server.go ListAndWatch; kubernetes/kubernetes pkg/kubelet/cm/devicemanager/manager.go
readCheckpoint and GetCapacity), and what ``doctor`` and ``gpu usage`` say about each: allocatable
below capacity, or capacity 0 while the plugin runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.baremetal import doctor
from tests.cli import invoke
from tests.emulators.kube.controllers.device_manager import DeviceManager

from .conftest import PLUGIN, gpu_operator_cluster
from .plugin_fixtures import crash, plugin_pod, recover

NODE = "aks-gpu-1"


@pytest.fixture
def manager(kube_emulator: Any) -> DeviceManager:
    gpu_operator_cluster(kube_emulator)
    [found] = [c for c in kube_emulator.controllers.controllers if isinstance(c, DeviceManager)]
    return found


def gpus(emu: Any, node: str = NODE) -> tuple[str, str]:
    """The node's allocatable and capacity nvidia.com/gpu, once the controllers are idle."""
    assert emu.idle(10.0)
    status = emu.cluster.get("v1", "Node", None, node)["status"]
    return status["allocatable"]["nvidia.com/gpu"], status["capacity"]["nvidia.com/gpu"]


def plugin_findings(kube: Any) -> list[doctor.Finding]:
    return [f for f in doctor.diagnose(kube, doctor.Options()).findings if "device plugin" in f.message]


def test_an_xid_error_takes_one_gpu_from_allocatable_and_leaves_capacity(
    kube_emulator: Any, manager: DeviceManager
) -> None:
    manager.xid(NODE, xid=79)
    assert gpus(kube_emulator) == ("7", "8")


def test_an_application_xid_the_plugin_ignores_changes_nothing(kube_emulator: Any, manager: DeviceManager) -> None:
    manager.xid(NODE, xid=13)  # Graphics Engine Exception: health.go ignoredXids
    assert gpus(kube_emulator) == ("8", "8")


def test_only_a_new_plugin_process_lists_the_gpu_healthy_again(kube_emulator: Any, manager: DeviceManager) -> None:
    manager.xid(NODE, xid=79, gpus=2)
    assert gpus(kube_emulator) == ("6", "8")
    crash(kube_emulator, plugin_pod(kube_emulator, NODE, "gpu-operator", PLUGIN))
    assert gpus(kube_emulator) == ("0", "8")
    recover(kube_emulator, plugin_pod(kube_emulator, NODE, "gpu-operator", PLUGIN))
    assert gpus(kube_emulator) == ("8", "8")


def test_a_restarted_kubelet_advertises_capacity_0_until_the_plugin_registers_again(
    kube_emulator: Any, manager: DeviceManager
) -> None:
    manager.xid(NODE, xid=79)
    manager.restart_kubelet(NODE)
    assert gpus(kube_emulator) == ("0", "0")
    manager.plugin_registers(NODE)
    assert gpus(kube_emulator) == ("8", "8")


def test_doctor_warns_of_gpus_the_plugin_marked_unhealthy(
    kube_emulator: Any, kubeconfig: Any, manager: DeviceManager
) -> None:
    manager.xid(NODE, xid=79)
    assert kube_emulator.idle(10.0)
    result = invoke("doctor", "-o", "json")
    [check] = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "device plugin"]
    assert (check["component"], check["status"]) == ("gpu-driver", "not-ready")
    assert check["detail"].startswith(
        f"1 GPU node(s) have GPUs their device plugin marked unhealthy (allocatable below capacity): {NODE} "
        "(7 of 8 allocatable); the NVIDIA device plugin does so on an XID error"
    )
    pod = plugin_pod(kube_emulator, NODE, "gpu-operator", PLUGIN)["metadata"]["name"]
    assert f"kubectl -n gpu-operator logs {pod} | grep XidCriticalError" in check["fix"]
    assert f"kubectl drain {NODE} --ignore-daemonsets" in check["fix"]


def test_doctor_says_a_running_plugin_has_not_registered_since_the_kubelet_restarted(
    kube_emulator: Any, kube: Any, manager: DeviceManager
) -> None:
    manager.restart_kubelet(NODE)
    assert kube_emulator.idle(10.0)
    [found] = plugin_findings(kube)
    pod = plugin_pod(kube_emulator, NODE, "gpu-operator", PLUGIN)["metadata"]["name"]
    assert found.severity == "warning"  # just restarted: test_device_plugin_restart.py has the error it becomes
    assert found.message.startswith(
        f"1 GPU node(s) advertise nvidia.com/gpu capacity 0 while their device plugin runs: {NODE}; its device "
        f"plugin pod gpu-operator/{pod} is Running and not registered with the kubelet: a restarted kubelet keeps "
        f"capacity 0 until the plugin registers again, which it does when it sees kubelet.sock created; the kubelet "
        f"on {NODE} restarted "
    )
    assert f"kubectl -n gpu-operator delete pod {pod}" in found.fix


def test_gpu_usage_counts_the_unhealthy_gpus_apart_from_idle_ones(
    kube_emulator: Any, kubeconfig: Any, manager: DeviceManager
) -> None:
    manager.xid(NODE, xid=79, gpus=2)
    assert kube_emulator.idle(10.0)
    result = invoke("gpu", "usage", "-o", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    totals = data["totals"]
    assert (totals["allocatable"], totals["idle"], totals["unhealthy"], totals["unhealthyNodes"]) == (14, 14, 2, 1)
    [pool] = data["pools"]
    assert (pool["gpus"], pool["allocatable"], pool["unhealthy"]) == (16, 14, 2)
    # The VM's price is shared over its 8 GPUs: 6 idle and 2 unhealthy on the node with the XID.
    vm = pool["usd_per_vm_hour"]
    assert (pool["idle_usd_per_hour"], pool["unhealthy_usd_per_hour"]) == (round(vm * 1.75, 4), round(vm * 0.25, 4))
    table = invoke("gpu", "usage")
    assert "2 GPUs on 1 node marked unhealthy by the device plugin (allocatable below capacity" in table.stderr
