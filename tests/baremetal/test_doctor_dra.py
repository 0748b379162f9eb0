"""baremetal doctor on AKS GPU nodes run by NVIDIA's DRA driver: the node advertises no
nvidia.com/gpu (the driver's chart refuses to run beside the device plugin) and the driver
publishes the GPUs in a ResourceSlice (built as in tests/ops/test_gpu_usage_dra.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from akscli.baremetal import doctor
from tests.ops.test_gpu_usage_dra import gpu_device, resource_slice

from . import nodes as fx
from .conftest import add_nodes


@pytest.fixture
def kube_emulator(kube_emulator_factory: Callable[..., Any]) -> Any:
    return kube_emulator_factory(crd_dirs=[])


def dra_node(name: str, size: str = fx.NC_A100) -> dict[str, Any]:
    node = fx.aks_plain_node(name, size=size)
    for key in ("capacity", "allocatable"):
        node["status"][key].pop("nvidia.com/gpu", None)
    return node


def test_a_node_whose_gpus_a_dra_driver_publishes_is_not_reported_without_capacity(
    kube_emulator: Any, kube: Any
) -> None:
    add_nodes(kube_emulator, [dra_node("aks-nc-0")])
    kube_emulator.cluster.create(resource_slice("aks-nc-0", [gpu_device(0, "aks-nc-0")]))
    report = doctor.diagnose(kube, doctor.Options())
    assert report.blocking == []
    assert [p.gpu_capacity for p in report.pools] == [1]


def test_a_gpu_missing_from_the_dra_slice_is_reported_like_a_missing_gpu(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, [dra_node("aks-nc-0", "Standard_NC96ads_A100_v4")])  # 4 GPUs
    kube_emulator.cluster.create(resource_slice("aks-nc-0", [gpu_device(i, "aks-nc-0") for i in range(3)]))
    report = doctor.diagnose(kube, doctor.Options())
    assert [(f.check, f.message) for f in report.blocking] == [
        ("gpu-count", "node advertises 3 GPUs but Standard_NC96ads_A100_v4 has 4")
    ]
