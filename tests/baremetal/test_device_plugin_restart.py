"""A kubelet restart as doctor judges it by its age (akscli.gpu.plugin: the kubelet's "Starting"
Event on its Node, upstream kubernetes/kubernetes pkg/kubelet/kubelet.go BirthCry), a device plugin
that cannot initialise NVML after that restart, and an XID on one MIG device, as the emulator's
device manager reproduces them (tests/emulators/kube/controllers/device_manager.py; upstream:
NVIDIA/k8s-device-plugin 1b826acc6 cmd/nvidia-device-plugin/main.go start, internal/plugin/factory.go
getResourceManagers, internal/rm/health.go checkHealth)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from akscli.baremetal import doctor
from akscli.gpu import plugin as gpu_plugin
from tests.emulators.kube.controllers.device_manager import DeviceManager

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator
from .plugin_fixtures import plugin_pod

NODE, MIG_NODE, MIG = "aks-gpu-1", "aks-mig-0", "nvidia.com/mig-1g.10gb"
PLUGIN = "app=nvidia-device-plugin-daemonset"


@pytest.fixture
def manager(kube_emulator: Any) -> DeviceManager:
    add_nodes(kube_emulator, [*fx.healthy_cluster(2), fx.mig_mixed_node(MIG_NODE)])
    install_gpu_operator(kube_emulator)
    [found] = [c for c in kube_emulator.controllers.controllers if isinstance(c, DeviceManager)]
    return found


def plugin_findings(kube: Any) -> list[doctor.Finding]:
    return [f for f in doctor.diagnose(kube, doctor.Options()).findings if "device plugin" in f.message]


def later(monkeypatch: pytest.MonkeyPatch, minutes: int) -> None:
    """doctor's clock ``minutes`` on (the emulator's events keep the wall clock's time)."""
    now = gpu_plugin._now()
    monkeypatch.setattr(gpu_plugin, "_now", lambda: now + timedelta(minutes=minutes))


def status(emu: Any, node: str, resource: str = "nvidia.com/gpu") -> tuple[str, str]:
    assert emu.idle(10.0)
    found = emu.cluster.get("v1", "Node", None, node)["status"]
    return found["allocatable"][resource], found["capacity"][resource]


def test_a_restarting_kubelet_records_its_starting_event_on_the_node(
    kube_emulator: Any, manager: DeviceManager
) -> None:
    manager.restart_kubelet(NODE)
    assert kube_emulator.idle(10.0)
    events = kube_emulator.cluster.list("v1", "Event", namespace="default")
    [event] = [e for e in events if e["involvedObject"]["name"] == NODE]
    assert (event["involvedObject"]["kind"], event["reason"], event["message"]) == (
        "Node",
        "Starting",
        "Starting kubelet.",
    )
    assert event["source"]["component"] == "kubelet"


def test_doctor_warns_while_the_plugin_has_had_under_two_minutes_to_register(
    kube_emulator: Any, kube: Any, manager: DeviceManager
) -> None:
    manager.restart_kubelet(NODE)
    assert kube_emulator.idle(10.0)
    [found] = plugin_findings(kube)
    assert found.severity == "warning"
    assert f"; the kubelet on {NODE} restarted " in found.message
    assert found.message.endswith(" ago, under the 2 minutes a registration takes at most")
    assert found.fix.startswith("wait: the plugin registers within seconds and retries a failed start every 30 s")


def test_doctor_errs_when_the_plugin_has_not_registered_two_minutes_after_the_kubelet_restarted(
    kube_emulator: Any, kube: Any, manager: DeviceManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager.restart_kubelet(NODE)
    assert kube_emulator.idle(10.0)
    later(monkeypatch, 3)
    [found] = plugin_findings(kube)
    pod = plugin_pod(kube_emulator, NODE, "gpu-operator", PLUGIN)["metadata"]["name"]
    assert found.severity == "error"
    assert found.message.split("; the kubelet on")[0].endswith(
        f"its device plugin pod gpu-operator/{pod} is Running and not registered with the kubelet: a restarted "
        "kubelet keeps capacity 0 until the plugin registers again, which it does when it sees kubelet.sock "
        "created"
    )
    # kubectl's age: 3m, or 3m1s where a second passed since the event (its time is whole seconds)
    assert found.message.endswith(
        (f"; the kubelet on {NODE} restarted 3m ago", f"; the kubelet on {NODE} restarted 3m1s ago")
    )
    assert f"kubectl -n gpu-operator delete pod {pod}" in found.fix


def test_a_plugin_nvml_fails_for_after_a_kubelet_restart_crash_loops_and_leaves_capacity_0(
    kube_emulator: Any, manager: DeviceManager
) -> None:
    manager.restart_kubelet(NODE, nvml="ERROR_UNKNOWN")
    assert status(kube_emulator, NODE) == ("0", "0")
    [cs] = plugin_pod(kube_emulator, NODE, "gpu-operator", PLUGIN)["status"]["containerStatuses"]
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["lastState"]["terminated"]["exitCode"] == 1


def test_doctor_says_the_plugin_has_not_registered_since_the_kubelet_restarted_and_why_it_may_fail(
    kube_emulator: Any, kube: Any, manager: DeviceManager
) -> None:
    manager.restart_kubelet(NODE, nvml="ERROR_UNKNOWN")
    assert kube_emulator.idle(10.0)
    [found] = plugin_findings(kube)
    pod = plugin_pod(kube_emulator, NODE, "gpu-operator", PLUGIN)["metadata"]["name"]
    assert found.severity == "error"
    assert found.message.startswith(
        f"1 GPU node(s) advertise nvidia.com/gpu capacity 0: {NODE}; the kubelet on {NODE} restarted "
    )
    assert found.message.endswith(
        " ago and its device plugin has not registered since (a restarted kubelet keeps capacity 0 until it "
        f"does); its device plugin pod gpu-operator/{pod} is CrashLoopBackOff"
    )
    assert f"kubectl -n gpu-operator logs {pod} --previous" in found.fix
    assert '"Failed to initialize NVML" means the driver does not answer' in found.fix


def test_an_xid_on_one_mig_device_takes_only_that_device(kube_emulator: Any, manager: DeviceManager) -> None:
    manager.xid(MIG_NODE, xid=79, mig=(MIG, 7, 0))
    assert status(kube_emulator, MIG_NODE, MIG) == ("55", "56")
    manager.xid(MIG_NODE, xid=79, mig=(MIG, 7, 0))  # the same device: already unhealthy
    assert status(kube_emulator, MIG_NODE, MIG) == ("55", "56")
    manager.xid(MIG_NODE, xid=79, mig=(MIG, 8, 0))
    assert status(kube_emulator, MIG_NODE, MIG) == ("54", "56")


def test_doctor_names_the_mig_devices_an_xid_made_unhealthy(
    kube_emulator: Any, kube: Any, manager: DeviceManager
) -> None:
    manager.xid(MIG_NODE, xid=79, mig=(MIG, 7, 0))
    assert kube_emulator.idle(10.0)
    [found] = [f for f in plugin_findings(kube) if "(allocatable below capacity)" in f.message]
    assert found.severity == "warning"
    assert found.message == (
        f"1 GPU node(s) have GPUs their device plugin marked unhealthy (allocatable below capacity): {MIG_NODE} "
        f"({MIG} 55 of 56 allocatable); the NVIDIA device plugin does so on an XID error and keeps them unhealthy "
        "while it runs; pods keep the other GPUs; on a MIG GPU it marks only the MIG device whose GPU and compute "
        "instance the XID names, and the GPU's other MIG devices stay allocatable"
    )
