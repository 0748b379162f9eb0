"""baremetal doctor says first when ``baremetal test nccl`` would need --rdma-resource: the GPU nodes
offer RDMA only under names other than its default (akscli.baremetal.findings.nccl_resource), as the
sriov-network-operator's device plugin does (openshift.io/<resourceName>: k8snetworkplumbingwg/
sriov-network-operator deployment/sriov-network-operator-chart/values.yaml operator.resourcePrefix)."""

from __future__ import annotations

from typing import Any

from akscli.baremetal import doctor

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator


def _findings(emu: Any, kube: Any, *resources: str) -> list[doctor.Finding]:
    add_nodes(emu, [fx.node(f"aks-gpu-{i}", rdma_resource=r) for i, r in enumerate(resources)])
    install_gpu_operator(emu)
    opts = doctor.Options(rdma_resources=("rdma/rdma_shared_device_a", "openshift.io/mlnxrdma", "rdma/ib"))
    return [f for f in doctor.diagnose(kube, opts).findings if f.check == "nccl-rdma-resource"]


def test_nodes_offering_rdma_under_another_name_get_the_flag_test_nccl_needs(kube_emulator: Any, kube: Any) -> None:
    [finding] = _findings(kube_emulator, kube, "openshift.io/mlnxrdma", "openshift.io/mlnxrdma", "rdma/ib")
    assert (finding.severity, finding.scope, finding.count) == ("info", "cluster", 2)
    assert finding.message == (
        "no GPU node offers rdma/rdma_shared_device_a, the RDMA resource 'baremetal test nccl' asks for by "
        "default; they offer openshift.io/mlnxrdma (2 nodes), rdma/ib (1)"
    )
    assert finding.fix == "akscli baremetal test nccl --rdma-resource openshift.io/mlnxrdma"


def test_nodes_offering_the_default_resource_get_no_such_finding(kube_emulator: Any, kube: Any) -> None:
    assert _findings(kube_emulator, kube, "rdma/rdma_shared_device_a", "rdma/ib") == []
