"""An RDMA shared device plugin that stops leaves its resource registered with no device
allocatable, as the kubelet's device manager does (tests/emulators/kube/controllers/rdma_plugin.py;
upstream: kubernetes/kubernetes 0022bec3 pkg/kubelet/cm/devicemanager/manager.go markResourceUnhealthy
and GetCapacity). test nccl and doctor name the stopped plugin, not a plugin to install."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.rdma_plugin import RdmaSharedDevicePlugin

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator

RESOURCE = "rdma/rdma_shared_device_a"
NAMESPACE = "gpu-operator"  # prepare --rdma's namespace for the plugin


def _status(emu: Any, node: str) -> tuple[str, str]:
    status = emu.cluster.get("v1", "Node", None, node)["status"]
    return status["capacity"][RESOURCE], status["allocatable"][RESOURCE]


def _prepared(emu: Any, count: int = 1) -> None:
    emu.controllers.add(RdmaSharedDevicePlugin(delay=0.0))
    add_nodes(emu, [fx.node(f"aks-gpu-{i}", rdma_resource=None) for i in range(count)])
    helm_gpu_operator(emu)
    assert invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y").exit_code == 0
    assert emu.idle(10.0)


def _stop_plugin(emu: Any) -> None:
    emu.cluster.delete("apps/v1", "DaemonSet", NAMESPACE, "rdma-shared-dp-ds")
    for pod in emu.cluster.list("v1", "Pod", namespace=NAMESPACE, label_selector="name=rdma-shared-dp-ds"):
        emu.cluster.delete("v1", "Pod", NAMESPACE, pod["metadata"]["name"])
    assert emu.idle(10.0)


def test_a_stopped_plugin_keeps_its_capacity_with_no_device_allocatable(kube_emulator: Any, kubeconfig: Any) -> None:
    _prepared(kube_emulator)
    assert _status(kube_emulator, "aks-gpu-0") == ("63", "63")
    _stop_plugin(kube_emulator)
    assert _status(kube_emulator, "aks-gpu-0") == ("63", "0")


def test_a_plugin_pod_ready_again_makes_the_devices_allocatable(kube_emulator: Any, kubeconfig: Any) -> None:
    _prepared(kube_emulator)
    [pod] = kube_emulator.cluster.list("v1", "Pod", namespace=NAMESPACE, label_selector="name=rdma-shared-dp-ds")
    kube_emulator.cluster.delete("v1", "Pod", NAMESPACE, pod["metadata"]["name"])  # the DaemonSet makes another
    assert kube_emulator.idle(10.0)
    assert _status(kube_emulator, "aks-gpu-0") == ("63", "63")


def test_an_nccl_run_where_the_plugin_stopped_names_the_stopped_plugin(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before, the hint sent the user to install the RDMA device plugin whose devices the nodes still list.
    _prepared(kube_emulator, 2)
    _stop_plugin(kube_emulator)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 2, result
    [line, hint] = result.stderr.strip().splitlines()[-2:]
    assert line == (
        f"error: --rdma-resource {RESOURCE}: none of the 2 GPU node(s) of size {fx.ND_H100} offers it; they offer "
        f"no resource besides GPUs; {RESOURCE} has devices but none allocatable on 2 of them"
    )
    assert hint.startswith("hint: the RDMA device plugin that registered them stopped (the kubelet holds its devices")
    assert hint.endswith("or pass --rdma-resource none")


def test_doctor_names_an_rdma_resource_whose_plugin_stopped(kube_emulator: Any, kubeconfig: Any, kube: Any) -> None:
    from akscli.baremetal import doctor

    _prepared(kube_emulator)
    _stop_plugin(kube_emulator)
    [finding] = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-resource"]
    assert finding.message == (
        f"no RDMA resource allocatable (looked for {', '.join(doctor.Options().rdma_resources)}); "
        f"{RESOURCE} has devices, none allocatable"
    )
    assert finding.fix.startswith("the RDMA device plugin that registered them stopped")
