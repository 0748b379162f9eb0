"""A managed GPU node (az aks nodepool add --enable-managed-gpu) runs the NVIDIA device plugin as the
node's nvidia-device-plugin systemd service, not in a pod, and AKS labels it
kubernetes.azure.com/dcgm-exporter=enabled (upstream: Azure/AgentBaker 0036c8f2
parts/linux/cloud-init/artifacts/cse_config.sh configureManagedGPUExperience, startNvidiaManagedExpServices;
MicrosoftDocs/azure-aks-docs articles/aks/aks-managed-gpu-nodes.md). What akscli.gpu.stack's rules say
about such a node whose plugin stopped: plain unit tests, no emulator (the cluster holds no pod)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from akscli.gpu import stack as gpu_stack

from . import nodes as fx


class NoPods:
    """A cluster with no pods and no events: what a managed GPU pool looks like without the GPU Operator."""

    def list(self, *_: Any, **__: Any) -> Iterator[dict[str, Any]]:
        return iter(())

    def list_pages(self, *_: Any, **__: Any) -> Iterator[dict[str, Any]]:
        return iter(({"items": []},))


def managed_node(name: str, *, capacity: int, allocatable: int) -> dict[str, Any]:
    obj = fx.aks_plain_node(name)
    obj["metadata"]["labels"]["kubernetes.azure.com/dcgm-exporter"] = "enabled"
    obj["status"]["capacity"]["nvidia.com/gpu"] = str(capacity)
    obj["status"]["allocatable"]["nvidia.com/gpu"] = str(allocatable)
    return obj


def verdicts(*nodes: dict[str, Any]) -> list[gpu_stack.Rule]:
    sample = gpu_stack.GpuNodes()
    for node in nodes:
        sample.add(node)
    return gpu_stack.rules(NoPods(), sample, found=gpu_stack.Installed())[1]  # type: ignore[arg-type]


def test_a_stopped_plugin_on_a_managed_gpu_node_is_its_systemd_service_not_a_missing_pod() -> None:
    [rule] = [
        r for r in verdicts(managed_node("aks-gpunp-0", capacity=1, allocatable=0)) if r.subject == "device plugin"
    ]
    assert "AKS runs the device plugin on aks-gpunp-0 as the nvidia-device-plugin systemd service" in rule.message
    assert "UnhealthyNvidiaDevicePlugin" in rule.message
    assert "does not place one there" not in rule.message
    assert (
        "kubectl debug node/aks-gpunp-0 -it --image=mcr.microsoft.com/azurelinux/busybox:1.36 -- chroot /host "
        "journalctl -u nvidia-device-plugin" in rule.fix
    )


def test_managed_gpu_nodes_whose_plugin_dropped_the_gpus_are_not_said_to_lack_an_installer() -> None:
    found = verdicts(managed_node("aks-gpunp-0", capacity=0, allocatable=0))
    [driver] = [r for r in found if r.subject == "driver"]
    assert driver.severity == "info"
    assert driver.message.startswith("1 managed GPU node(s): AKS installs the driver and runs the device plugin")
    [plugin] = [r for r in found if r.subject == "device plugin"]
    assert plugin.severity == "error" and "nvidia-device-plugin systemd service" in plugin.message
