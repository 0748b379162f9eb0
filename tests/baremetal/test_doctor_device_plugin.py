"""What both doctors say about a GPU node whose device plugin stopped (akscli.gpu.plugin), against
the emulator's device manager (tests/emulators/kube/controllers/device_manager.py: upstream
kubernetes/kubernetes 0022bec3 pkg/kubelet/cm/devicemanager/manager.go): GPUs none allocatable while
the five-minute stop grace period runs, capacity 0 after it, the GPU Operator's plugin or one
installed without it (NVIDIA's static manifest, as MicrosoftDocs/azure-aks-docs
articles/aks/use-nvidia-gpu.md applies it where AKS installs the driver only)."""

from __future__ import annotations

import json
from typing import Any

from akscli.baremetal import doctor
from tests.cli import invoke
from tests.emulators.kube.controllers.device_manager import DeviceManager

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator
from .plugin_fixtures import NAMESPACE, STANDALONE_LABEL, crash, install_standalone, plugin_pod


def plugin_findings(kube: Any) -> list[doctor.Finding]:
    return [f for f in doctor.diagnose(kube, doctor.Options()).findings if "device plugin" in f.message]


def device_manager(emu: Any) -> DeviceManager:
    [manager] = [c for c in emu.controllers.controllers if isinstance(c, DeviceManager)]
    return manager


def driver_only_cluster(emu: Any) -> None:
    """AKS GPU nodes without the GPU Operator, the device plugin from the AKS doc's manifest, the
    kubelets' device managers watching it."""
    add_nodes(emu, fx.healthy_cluster(2))
    emu.controllers.add(DeviceManager())
    install_standalone(emu)


def test_a_crash_looping_operator_plugin_names_the_node_without_allocatable_gpus_and_its_pod(
    kube_emulator: Any, kube: Any
) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator, failure="device-plugin-crash")
    [found] = [f for f in plugin_findings(kube) if "allocatable 0" in f.message]
    assert found.severity == "error"
    assert found.message.startswith(
        "1 GPU node(s) have GPUs no pod can get (nvidia.com/gpu allocatable 0): aks-gpu-0 (0 of 8 allocatable); "
    )
    assert found.message.endswith("is CrashLoopBackOff")
    assert "its device plugin pod gpu-operator/nvidia-device-plugin-daemonset-" in found.message
    assert "--previous" in found.fix and "five minutes" in found.fix


def test_after_the_stop_grace_period_doctor_says_the_kubelet_dropped_the_gpus(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator, failure="device-plugin-crash")
    device_manager(kube_emulator).advance(301)
    assert kube_emulator.idle(10.0)
    [found] = [f for f in plugin_findings(kube) if "capacity 0" in f.message]
    assert found.severity == "error"
    assert found.message.startswith(
        "1 GPU node(s) advertise nvidia.com/gpu capacity 0, the kubelet's mark of a device plugin that registered "
        "GPUs and has been gone more than five minutes: aks-gpu-0; its device plugin pod gpu-operator/"
    )
    assert not [f for f in plugin_findings(kube) if "allocatable 0" in f.message]


def test_a_healthy_plugin_without_the_operator_is_named_and_nothing_is_wrong(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    driver_only_cluster(kube_emulator)
    result = invoke("doctor", "-o", "json")
    [row] = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "driver"]
    assert row["detail"] == (
        "a device plugin installed without the GPU Operator (DaemonSet gpu-resources/nvidia-device-plugin-daemonset) "
        "advertises the GPUs"
    )
    assert not [c for c in json.loads(result.stdout)["checks"] if c["check"] == "device plugin"]


def test_a_plugin_without_the_operator_gone_five_minutes_is_named_not_a_missing_install(
    kube_emulator: Any, kube: Any
) -> None:
    driver_only_cluster(kube_emulator)
    for node in ("aks-gpu-0", "aks-gpu-1"):
        crash(kube_emulator, plugin_pod(kube_emulator, node, NAMESPACE, STANDALONE_LABEL))
    assert kube_emulator.idle(10.0)
    device_manager(kube_emulator).advance(301)
    assert kube_emulator.idle(10.0)
    findings = doctor.diagnose(kube, doctor.Options()).findings
    assert not [f for f in findings if "nothing installs the driver" in f.message]
    [found] = [f for f in findings if "capacity 0" in f.message]
    assert found.message.startswith(
        "2 GPU node(s) advertise nvidia.com/gpu capacity 0, the kubelet's mark of a device plugin that registered "
        "GPUs and has been gone more than five minutes: aks-gpu-0, aks-gpu-1; its device plugin pod "
        "gpu-resources/nvidia-device-plugin-daemonset-"
    )
    assert found.message.endswith("is CrashLoopBackOff")
    assert found.fix.startswith("read why the plugin is not running (kubectl -n gpu-resources logs ")
