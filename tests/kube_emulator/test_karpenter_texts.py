"""Karpenter's refusal texts the NAP simulator now writes as upstream does: bounds in a
requirement ("Exists >=9 <=63"), several unmet minValues keys, and the daemon overhead of a pool
whose sizes run different DaemonSets ("min=..., max=...") (upstream: kubernetes-sigs/karpenter
2266468 pkg/scheduling/requirement.go String, pkg/cloudprovider/types.go SatisfiesMinValues,
pkg/controllers/provisioning/scheduling/nodeclaim.go InstanceTypeFilterError resourcesString and
trackDaemonOverhead; src/akscli/nap/requirement.py,
karpenter_requirements.py)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator import test_karpenter
from tests.kube_emulator.test_karpenter import gpu_app
from tests.kube_emulator.test_karpenter_allocatable import app, daemonset
from tests.kube_emulator.test_karpenter_bounds import NC8_T4, T4, pool_with
from tests.kube_emulator.test_karpenter_refusals import said

emu = test_karpenter.emu  # the fixture: a NAP cluster with one system node

NC16_T4 = "Standard_NC16as_T4_v3"  # 16 vCPUs
CPU = "karpenter.azure.com/sku-cpu"
TEMPLATE = (
    "karpenter.azure.com/aksnodeclass In [default], {sizes}, karpenter.sh/initialized In [true], "
    "karpenter.sh/nodepool In [gpu], karpenter.sh/registered In [true]"
)


def test_gt_and_lt_on_one_key_read_as_exists_with_inclusive_bounds(emu: KubeEmulator) -> None:
    # requirement.go: Gt 8 is Gte 9, Lt 64 is Lte 63, intersected into one requirement; String
    # " >=9 <=63" after "Exists". The pod pinned to T4 (4 vCPUs) meets neither.
    bounds = [{"key": CPU, "operator": "Gt", "values": ["8"]}, {"key": CPU, "operator": "Lt", "values": ["64"]}]
    emu.cluster.create(pool_with([T4, NC16_T4], *bounds))
    emu.cluster.create(gpu_app("llm", T4))
    sizes = f"{CPU} Exists >=9 <=63, karpenter.azure.com/sku-name In [{NC16_T4} {T4}]"
    assert said(emu) == (
        f"Failed to schedule pod, no instance type met all requirements, requirements={TEMPLATE.format(sizes=sizes)}, "
        f'node.kubernetes.io/instance-type In [{T4}], resources={{"nvidia.com/gpu":"1","pods":"1"}}'
    )


def test_gte_and_lte_read_the_same_without_the_shift(emu: KubeEmulator) -> None:
    bounds = [{"key": CPU, "operator": "Gte", "values": ["9"]}, {"key": CPU, "operator": "Lte", "values": ["63"]}]
    emu.cluster.create(pool_with([T4, NC16_T4], *bounds))
    emu.cluster.create(gpu_app("llm", T4))
    assert f"{CPU} Exists >=9 <=63, " in said(emu)


def test_several_unmet_min_values_keys_are_all_named(emu: KubeEmulator) -> None:
    # SatisfiesMinValues: every key left short, label(s)=[k1 k2] (lo.Keys of a map: Go's order is
    # random; the simulator sorts, one of the orders Karpenter prints)
    cpus = {"key": CPU, "operator": "Exists", "minValues": 2}
    emu.cluster.create(pool_with([T4, NC8_T4], cpus, min_sizes=2))
    emu.cluster.create(gpu_app("llm", T4))
    sizes = f"{CPU} Exists minValues 2, karpenter.azure.com/sku-name In [{T4} {NC8_T4}] minValues 2"
    assert said(emu) == (
        f"Failed to schedule pod, minValues requirement is not met for label(s) "
        f"(label(s)=[{CPU} karpenter.azure.com/sku-name]), requirements={TEMPLATE.format(sizes=sizes)}, "
        f'node.kubernetes.io/instance-type In [{T4}], resources={{"nvidia.com/gpu":"1","pods":"1"}}'
    )


def only_on(name: str, size: str, cpu: str, memory: str) -> dict[str, Any]:
    body = daemonset(name, cpu, memory)
    body["spec"]["template"]["spec"]["nodeSelector"] = {"node.kubernetes.io/instance-type": size}
    return body


def test_daemons_that_differ_between_the_pools_sizes_give_the_min_and_max_overhead(emu: KubeEmulator) -> None:
    # buildDaemonOverheadGroups: T4 runs "base", NC8 "base" and "agent"; trackDaemonOverhead's
    # MinResources and MaxResources merged with the pod's 1 cpu and 60Gi (no size has room)
    emu.cluster.create(daemonset("base", "50m", "512Mi"))
    emu.cluster.create(only_on("agent", NC8_T4, "100m", "1Gi"))
    emu.cluster.create(pool_with([T4, NC8_T4]))
    emu.cluster.create(app("llm", "", "1", "60Gi"))
    sizes = f"karpenter.azure.com/sku-name In [{T4} {NC8_T4}]"
    assert said(emu) == (
        f"Failed to schedule pod, no instance type has enough resources, requirements={TEMPLATE.format(sizes=sizes)}, "
        'resources=min={"cpu":"1050m","memory":"61952Mi","nvidia.com/gpu":"1","pods":"2"}, '
        'max={"cpu":"1150m","memory":"62976Mi","nvidia.com/gpu":"1","pods":"3"}'
    )


def test_daemons_on_one_size_only_give_one_overhead_as_an_empty_group_is_not_tracked(emu: KubeEmulator) -> None:
    # trackDaemonOverhead is called only for a group with an overhead: T4 runs none, NC8 "agent"
    emu.cluster.create(only_on("agent", NC8_T4, "100m", "1Gi"))
    emu.cluster.create(pool_with([T4, NC8_T4]))
    emu.cluster.create(app("llm", "", "1", "60Gi"))
    assert said(emu).endswith('resources={"cpu":"1100m","memory":"61Gi","nvidia.com/gpu":"1","pods":"2"}')
