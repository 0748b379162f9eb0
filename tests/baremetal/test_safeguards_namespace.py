"""baremetal commands on a cluster running AKS Deployment Safeguards (AKS Automatic: always at
Enforce): the probes safeguard checks every Pod, a Job's and a DaemonSet's too (Azure/draft b180ebcd
pkg/safeguards/lib/manifests/v2.0.0/container-enforce-probes/template.yaml: no owner or
restartPolicy exemption), and none of the RDMA plugin, the NCCL test or the GPU probe Job has probes.
Each is refused before anything is sent, with the namespace exclusion the user needs; a namespace the
constraint excludes goes through."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.gatekeeper import install_probes_safeguard

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator

IMAGE = "registry.example.com/akscli-probe:0.1.0"
EXCLUDE = "az aks safeguards update --resource-group <group> --name <cluster> --level Enforce --excluded-ns"


def writes(emu: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in emu.request_log if r.method not in ("GET", "HEAD")]


@pytest.fixture
def gpu_nodes(kube_emulator: Any) -> Any:
    add_nodes(kube_emulator, [fx.cpu_node("aks-system-0")] + [fx.node(f"aks-gpu-{i}") for i in range(2)])
    return kube_emulator


def test_the_rdma_plugin_is_refused_where_the_safeguards_deny_and_nothing_is_applied(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    helm_gpu_operator(kube_emulator)
    install_probes_safeguard(kube_emulator)
    kube_emulator.request_log.clear()
    result = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y")
    assert result.exit_code == 9, result
    assert (
        "error: daemonset.apps/rdma-shared-dp-ds: Deployment Safeguards would refuse its pods in namespace "
        "gpu-operator: Container <k8s-rdma-shared-dp-ds> in your Pod has no <readinessProbe>" in result.stderr
    )
    assert (
        f"hint: exclude namespace gpu-operator from Deployment Safeguards (and Pod Security): {EXCLUDE} gpu-operator"
        in (result.stderr)
    )
    assert writes(kube_emulator) == []


def test_the_rdma_plugin_goes_to_a_namespace_the_safeguards_exclude(kube_emulator: Any, kubeconfig: Any) -> None:
    helm_gpu_operator(kube_emulator)
    install_probes_safeguard(kube_emulator, excluded=["gpu-*"])  # Gatekeeper's wildcard: a prefix
    result = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y")
    assert result.exit_code == 0, result
    assert "Deployment Safeguards" not in result.stderr
    assert kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "rdma-shared-dp-ds") is not None


def test_the_rdma_plugin_under_safeguards_at_warn_is_applied_with_the_warning(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    helm_gpu_operator(kube_emulator)
    install_probes_safeguard(kube_emulator, action="warn")
    result = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y")
    assert result.exit_code == 0, result
    assert (
        "Deployment Safeguards warn: Container <k8s-rdma-shared-dp-ds> in your Pod has no <readinessProbe>"
        in result.stderr
    )
    assert kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "rdma-shared-dp-ds") is not None


def test_the_cluster_policy_is_refused_where_the_operands_would_be_denied(kube_emulator: Any, kubeconfig: Any) -> None:
    helm_gpu_operator(kube_emulator)
    install_probes_safeguard(kube_emulator)
    kube_emulator.request_log.clear()
    result = invoke("baremetal", "prepare", "-y")
    assert result.exit_code == 9, result
    assert (
        "Deployment Safeguards cover namespace gpu-operator (constraint azurepolicy-k8sazurev2containerenforceprobes-"
        in (result.stderr)
    )
    assert "the ClusterPolicy would run nothing" in result.stderr
    assert f"{EXCLUDE} gpu-operator" in result.stderr
    assert writes(kube_emulator) == []


def test_the_cluster_policy_is_applied_where_the_operator_namespace_is_excluded(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    helm_gpu_operator(kube_emulator)
    install_probes_safeguard(kube_emulator, excluded=["gpu-operator"])
    result = invoke("baremetal", "prepare", "-y")
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get("nvidia.com/v1", "ClusterPolicy", None, "akscli-cluster-policy") is not None


@pytest.mark.parametrize("dry_run", ["client", "server"])
def test_nccl_is_refused_where_the_safeguards_deny(gpu_nodes: Any, kubeconfig: Any, dry_run: str) -> None:
    install_probes_safeguard(gpu_nodes)
    gpu_nodes.request_log.clear()
    size = ("--vm-size", "Standard_ND96isr_H100_v5") if dry_run == "client" else ()
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", *size, f"--dry-run={dry_run}", "-o", "json")
    assert result.exit_code == 9, result
    assert "job.batch/" in result.stderr
    assert "Deployment Safeguards would refuse its pods in namespace default: Container <nccl>" in result.stderr
    assert f"{EXCLUDE} default" in result.stderr
    assert result.stdout == ""
    assert writes(gpu_nodes) == []


def test_inventory_is_refused_before_any_probe_job_where_the_safeguards_deny(gpu_nodes: Any, kubeconfig: Any) -> None:
    install_probes_safeguard(gpu_nodes)
    gpu_nodes.request_log.clear()
    result = invoke("baremetal", "inventory", "--image", IMAGE)
    assert result.exit_code == 9, result
    assert "Container <probe> in your Pod has no <readinessProbe>" in result.stderr
    assert writes(gpu_nodes) == []


def test_an_image_the_constraint_excludes_is_not_refused(gpu_nodes: Any, kubeconfig: Any) -> None:
    # excludedImages: a prefix before a trailing * (the template's lib.exclude_container_image)
    install_probes_safeguard(gpu_nodes, excluded_images=["registry.example.com/akscli-probe:*"])
    result = invoke("baremetal", "inventory", "--image", IMAGE, "--dry-run=server", "-o", "yaml")
    assert result.exit_code == 0, result
    assert "Deployment Safeguards" not in result.stderr
