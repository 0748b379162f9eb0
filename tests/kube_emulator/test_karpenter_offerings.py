"""The NAP simulator's offerings (zonal and regional) and Azure's refusals other than the family
quota, as the Azure provider handles them (tests/emulators/kube/controllers/karpenter_errors.py)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator import test_karpenter
from tests.kube_emulator.test_karpenter import CLAIMS, H100, NC80, gpu_app, gpu_pool, running_on

emu = test_karpenter.emu  # the fixture: a NAP cluster with one system node

ZONE = "topology.kubernetes.io/zone"
SCOPE = "karpenter.azure.com/placement-scope"


def node_labels(emu: KubeEmulator, app: str) -> dict[str, str]:
    return dict(emu.cluster.get("v1", "Node", None, running_on(emu, app))["metadata"]["labels"])


def warnings(emu: KubeEmulator, reason: str) -> list[dict[str, Any]]:
    return [e for e in emu.cluster.list("v1", "Event", "default") if e["reason"] == reason]


def test_a_size_offered_in_no_zone_gets_a_regional_node_in_zone_0(emu: KubeEmulator) -> None:
    # upstream: karpenter-provider-azure instancetypes.go instanceTypeZones (no zone: only zones.Regional
    # "0"), zones.go PlacementScopeForZone
    emu.nap.zones[H100] = ()
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    labels = node_labels(emu, "llm")
    assert (labels[ZONE], labels[SCOPE]) == ("0", "regional")


def test_a_zonal_size_gets_a_zonal_node_before_its_regional_offering(emu: KubeEmulator) -> None:
    # upstream: allocationstrategy/stages/offering_rank.go: zonal before regional at an equal price
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    labels = node_labels(emu, "llm")
    assert (labels[ZONE], labels[SCOPE]) == ("eastus-1", "zonal")


def test_a_zonal_allocation_failure_deletes_the_claim_and_the_next_claim_takes_another_zone(emu: KubeEmulator) -> None:
    # upstream: commonerrorhandlers.go handleZonalAllocationFailureError (the zone, both capacity types,
    # 1 h); cloudprovider.go handleInstancePromise, events/events.go NodeClaimFailedToRegister
    emu.nap.failures[(H100, "eastus-1")] = "ZonalAllocationFailed"
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    assert node_labels(emu, "llm")[ZONE] == "eastus-2"
    [event] = warnings(emu, "AsyncProvisioningError")
    assert event["message"] == (
        "Failed to register: creating nodeclaim, unable to allocate resources in the selected zone (eastus-1). "
        "(will try a different zone to fulfill your request)"
    )
    assert emu.cluster.get(*CLAIMS, None, event["involvedObject"]["name"]) is None
    assert emu.nap.unavailable == {(H100, "eastus-1", "on-demand"): 3600.0, (H100, "eastus-1", "spot"): 3600.0}


def test_an_allocation_failure_in_a_zone_leaves_the_regional_offering(emu: KubeEmulator) -> None:
    # upstream: handleAllocationFailureError marks the attempted placement scope only
    emu.nap.failures[(H100, "eastus-1")] = "AllocationFailed"
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    assert node_labels(emu, "llm")[ZONE] == "0"
    assert {zone for _, zone, _ in emu.nap.unavailable} == {"eastus-1", "eastus-2", "eastus-3"}


def test_a_regional_quota_error_deletes_the_claim_and_marks_nothing(emu: KubeEmulator) -> None:
    # upstream: handleRegionalQuotaError (an InsufficientCapacityError: "trying any other instance type
    # will not help"), cloudprovider.go toCreateError, karpenter launch.go (deleted with its event)
    emu.nap.failures[(H100, None)] = "RegionalQuota"
    emu.cluster.create(gpu_pool("gpu", [H100, NC80]))
    emu.cluster.create(gpu_app("llm"))
    assert wait_until(lambda: warnings(emu, "InsufficientCapacityError"), timeout=5)
    [event] = warnings(emu, "InsufficientCapacityError")
    claim = event["involvedObject"]["name"]
    assert event["message"] == (
        f"NodeClaim {claim} event: creating nodeclaim, creating instance failed, insufficient capacity, regional "
        "on-demand vCPU quota limit for subscription has been reached. To scale beyond this limit, please review "
        "the quota increase process here: https://learn.microsoft.com/en-us/azure/quotas/regional-quota-requests"
    )
    assert emu.nap.unavailable == {}
    assert wait_until(lambda: not emu.cluster.list(*CLAIMS))  # its finalizer removed (karpenter_termination)
    assert not wait_until(lambda: emu.cluster.list(*CLAIMS), timeout=0.5)  # the pod's next look is 10 s on


def test_a_spot_quota_error_makes_every_spot_offering_unavailable(emu: KubeEmulator) -> None:
    # upstream: handleLowPriorityQuotaError (MarkSpotUnavailableWithTTL, 1 h), unavailableofferings.go
    emu.nap.failures[(H100, None)] = "LowPriorityQuota"
    spot = {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]}
    pool = gpu_pool("gpu", [H100, NC80])
    pool["spec"]["template"]["spec"]["requirements"].append(spot)
    emu.cluster.create(pool)
    emu.cluster.create(gpu_app("llm"))
    assert wait_until(lambda: warnings(emu, "InsufficientCapacityError"), timeout=5)
    assert emu.nap.is_unavailable((NC80, "eastus-1", "spot")) and not emu.nap.provisioned


def karpenter_says(emu: KubeEmulator) -> list[str]:
    return [
        e["message"]
        for e in emu.cluster.list("v1", "Event", "default")
        if e["reason"] == "FailedScheduling" and e["source"]["component"] == "karpenter"
    ]


def test_a_pod_a_nodepool_at_its_gpu_limit_cannot_take_gets_karpenters_limit_error(emu: KubeEmulator) -> None:
    # upstream: karpenter scheduler.go addToNewNodeClaim ("all available instance types exceed limits for
    # nodepool", serrors.Wrap NodePool), operatorpkg serrors.go Error "%s (%s)", events.go PodFailedToScheduleEvent
    emu.cluster.create(gpu_pool("gpu", [H100], limits={"nvidia.com/gpu": "1"}))
    emu.cluster.create(gpu_app("one", H100))
    running_on(emu, "one")
    emu.cluster.create(gpu_app("two", H100))
    assert wait_until(lambda: karpenter_says(emu), timeout=5)
    assert karpenter_says(emu) == [
        "Failed to schedule pod, all available instance types exceed limits for nodepool (NodePool=gpu)"
    ]


def test_a_pod_that_tolerates_no_pools_taint_gets_karpenters_taint_error_for_each_pool(emu: KubeEmulator) -> None:
    # upstream: pkg/scheduling/taints.go Tolerates ("did not tolerate taint", taint=pretty.Taint), in weight
    # order (OrderByWeight), joined by multierr ("; ")
    for name, weight, value in (("a", 10, "a"), ("b", 50, "b")):
        pool = gpu_pool(name, [H100], weight=weight)
        pool["spec"]["template"]["spec"]["taints"] = [{"key": "team", "value": value, "effect": "NoSchedule"}]
        emu.cluster.create(pool)
    emu.cluster.create(gpu_app("llm", H100))
    assert wait_until(lambda: karpenter_says(emu), timeout=5)
    assert karpenter_says(emu) == [
        "Failed to schedule pod, did not tolerate taint (taint=team=b:NoSchedule); "
        "did not tolerate taint (taint=team=a:NoSchedule)"
    ]


def test_a_nodepool_whose_node_limit_is_used_up_says_so(emu: KubeEmulator) -> None:
    # upstream: scheduler.go addToNewNodeClaim "node limits have been exhausted for nodepool"
    emu.cluster.create(gpu_pool("gpu", [H100], limits={"nodes": "1"}))
    emu.cluster.create(gpu_app("one", H100))
    running_on(emu, "one")
    emu.cluster.create(gpu_app("two", H100))
    assert wait_until(lambda: karpenter_says(emu), timeout=5)
    assert karpenter_says(emu) == [
        "Failed to schedule pod, node limits have been exhausted for nodepool (NodePool=gpu)"
    ]
