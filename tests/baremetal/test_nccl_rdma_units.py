"""How many units of the RDMA resource each ``baremetal test nccl`` pod asks for (akscli.baremetal.nccl
rdma_units): one of the RDMA shared device plugin's, which gives every HCA (Mellanox/k8s-rdma-shared-dev-plugin
410b0f3 pkg/resources/server.go Allocate), one per GPU of an SR-IOV network device plugin's, whose unit is one
virtual function (Azure/aks-rdma-infiniband d838696 tests/scenarios/k8s/sriov/gpu/eight/eight.yaml: rdma/ib: 8
beside nvidia.com/gpu: 8)."""

from __future__ import annotations

from typing import Any

import yaml

from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator
from .test_rdma_plugins_owned import RDMA_POLICY
from .test_sriov_plugin_registers import _run


def _limits(resource: str) -> dict[str, Any]:
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--rdma-resource", resource, "--dry-run=server")
    assert result.exit_code == 0, result
    [job] = [o for o in yaml.safe_load_all(result.stdout) if o and o["kind"] == "Job"]
    limits: dict[str, Any] = job["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    return limits


def test_a_pod_asks_for_one_vf_per_gpu_of_the_sriov_plugins_rdma_resource(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: openshift.io/mlnxrdma: 1, so all eight ranks of a node shared one HCA.
    configs = {f"aks-gpu-{i}": {"resourceList": [RDMA_POLICY]} for i in range(2)}
    _run(kube_emulator, configs, [fx.node(f"aks-gpu-{i}", rdma_resource=None, taint=False) for i in range(2)])
    assert _limits("openshift.io/mlnxrdma") == {"nvidia.com/gpu": "8", "openshift.io/mlnxrdma": "8"}


def test_a_pod_asks_for_one_unit_of_the_shared_plugins_rdma_resource(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator)
    assert _limits("rdma/rdma_shared_device_a") == {"nvidia.com/gpu": "8", "rdma/rdma_shared_device_a": "1"}
