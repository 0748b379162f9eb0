"""baremetal commands read the namespace's PodSecurity labels before anything is sent: the NCCL
test Job adds IPC_LOCK, the GPU probe Job mounts the host's /sys and the RDMA shared device plugin
runs privileged on the host network, which baseline refuses (upstream: kubernetes/
pod-security-admission 8f84a87c policy/check_capabilities_baseline.go, check_hostPathVolumes.go,
check_privileged.go). A Job's own create only warns; its Pods are then refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke
from tests.kube_emulator.helpers import raw

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator

IMAGE = "registry.example.com/akscli-probe:0.1.0"
BASELINE = {"pod-security.kubernetes.io/enforce": "baseline"}


def label(emu: Any, namespace: str, labels: dict[str, str]) -> None:
    body = {"metadata": {"labels": labels}}
    r = raw(emu, "PATCH", f"/api/v1/namespaces/{namespace}", body, content_type="application/merge-patch+json")
    assert r.status == 200, r.json()


def writes(emu: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in emu.request_log if r.method not in ("GET", "HEAD", "PATCH")]


@pytest.fixture
def gpu_nodes(kube_emulator: Any) -> Any:
    add_nodes(kube_emulator, [fx.cpu_node("aks-system-0")] + [fx.node(f"aks-gpu-{i}") for i in range(2)])
    label(kube_emulator, "default", BASELINE)
    return kube_emulator


@pytest.mark.parametrize("dry_run", ["none", "client", "server"])
def test_inventory_in_a_baseline_namespace_is_refused_before_any_probe_job(
    gpu_nodes: Any, kubeconfig: Any, dry_run: str
) -> None:
    result = invoke("baremetal", "inventory", "--image", IMAGE, f"--dry-run={dry_run}")
    assert result.exit_code == 9, result
    assert (
        'namespace default would refuse its pods: violates PodSecurity "baseline:latest": hostPath volumes '
        '(volume "host-sys")' in result.stderr
    )
    assert "pod-security.kubernetes.io/enforce=privileged --overwrite" in result.stderr
    assert writes(gpu_nodes) == []


@pytest.mark.parametrize("dry_run", ["client", "server"])
def test_nccl_in_a_baseline_namespace_is_refused_for_its_capability(
    gpu_nodes: Any, kubeconfig: Any, dry_run: str
) -> None:
    # offline, a client dry run cannot read the nodes' size: it is given
    size = ("--vm-size", "Standard_ND96isr_H100_v5") if dry_run == "client" else ()
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", *size, f"--dry-run={dry_run}", "-o", "json")
    assert result.exit_code == 9, result
    assert 'non-default capabilities (container "nccl" must not include "IPC_LOCK"' in result.stderr
    assert result.stdout == ""
    assert writes(gpu_nodes) == []


def test_the_rdma_plugin_in_a_baseline_namespace_is_refused_and_nothing_is_applied(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    helm_gpu_operator(kube_emulator)
    label(kube_emulator, "gpu-operator", BASELINE)
    result = invoke("baremetal", "prepare", "--rdma", "-y")
    assert result.exit_code == 9, result
    assert "daemonset.apps/rdma-shared-dp-ds: namespace gpu-operator would refuse its pods" in result.stderr
    assert "privileged (container" in result.stderr
    assert kube_emulator.cluster.get("nvidia.com/v1", "ClusterPolicy", None, "akscli-cluster-policy") is None
    assert kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "rdma-shared-dp-ds") is None
