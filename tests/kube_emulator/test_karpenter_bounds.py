"""A NodePool's Gt/Lt/Gte/Lte bounds and minValues as the NAP simulator honours them
(tests/emulators/kube/controllers/karpenter_common.py _requirement_admits, karpenter_requirements.py
min_values, unmet_min_values)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator import test_karpenter
from tests.kube_emulator.test_karpenter import gpu_app, gpu_pool
from tests.kube_emulator.test_karpenter_refusals import said

emu = test_karpenter.emu  # the fixture: a NAP cluster with one system node

A100 = "Standard_NC24ads_A100_v4"  # 1 GPU
A100_2 = "Standard_NC48ads_A100_v4"  # 2 GPUs
T4 = "Standard_NC4as_T4_v3"
NC8_T4 = "Standard_NC8as_T4_v3"


def pool_with(sizes: list[str], *requirements: dict[str, Any], min_sizes: int | None = None) -> dict[str, Any]:
    pool = gpu_pool("gpu", sizes)
    reqs = pool["spec"]["template"]["spec"]["requirements"]
    if min_sizes is not None:
        reqs[0]["minValues"] = min_sizes
    reqs.extend(requirements)
    return pool


def test_a_gte_bound_on_the_gpu_count_leaves_the_one_gpu_size_out(emu: KubeEmulator) -> None:
    # upstream: karpenter requirement.go (Gte: an inclusive lower bound), the NodePool CRD's operators
    gpus = {"key": "karpenter.azure.com/sku-gpu-count", "operator": "Gte", "values": ["2"]}
    emu.cluster.create(pool_with([A100, A100_2], gpus))
    emu.cluster.create(gpu_app("llm"))
    assert wait_until(lambda: emu.nap.provisioned, timeout=5)
    assert emu.nap.provisioned[0][2] == A100_2


def test_a_pool_wanting_two_sizes_makes_a_node_for_a_pod_any_of_them_fits(emu: KubeEmulator) -> None:
    # upstream: karpenter cloudprovider/types.go SatisfiesMinValues over the instance types left
    emu.cluster.create(pool_with([T4, NC8_T4], min_sizes=2))
    emu.cluster.create(gpu_app("llm"))
    assert wait_until(lambda: emu.nap.provisioned, timeout=5)


def test_a_pod_pinned_to_one_size_of_a_pool_wanting_two_gets_karpenters_min_values_error(emu: KubeEmulator) -> None:
    # upstream: nodeclaim.go filterInstanceTypesByRequirements (Strict), InstanceTypeFilterError.Error,
    # operatorpkg serrors Error; requirement.go String (" minValues 2")
    emu.cluster.create(pool_with([T4, NC8_T4], min_sizes=2))
    emu.cluster.create(gpu_app("llm", T4))
    assert said(emu) == (
        "Failed to schedule pod, minValues requirement is not met for label(s) "
        "(label(s)=[karpenter.azure.com/sku-name]), requirements=karpenter.azure.com/aksnodeclass In [default], "
        "karpenter.azure.com/sku-name In [Standard_NC4as_T4_v3 Standard_NC8as_T4_v3] minValues 2, "
        "karpenter.sh/initialized In [true], karpenter.sh/nodepool In [gpu], karpenter.sh/registered In [true], "
        'node.kubernetes.io/instance-type In [Standard_NC4as_T4_v3], resources={"nvidia.com/gpu":"1","pods":"1"}'
    )
    assert emu.nap.provisioned == []


def test_a_pool_whose_offered_sizes_cannot_meet_min_values_has_no_template(emu: KubeEmulator) -> None:
    # upstream: karpenter scheduler.go NewScheduler (filterInstanceTypesByRequirements on the template;
    # no template left: "nodepool requirements filtered out all available instance types")
    emu.nap.not_offered.add(NC8_T4)
    emu.cluster.create(pool_with([T4, NC8_T4], min_sizes=2))
    emu.cluster.create(gpu_app("llm"))
    assert said(emu) == "Failed to schedule pod, nodepool requirements filtered out all available instance types"
