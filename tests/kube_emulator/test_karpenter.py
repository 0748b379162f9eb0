"""The node auto-provisioning simulator (kube/controllers/karpenter.py): which NodePool gives a
pending pod a NodeClaim and a Node, and what that node carries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.emulators.kube.crds import default_crd_dir
from tests.kube_emulator.test_scheduling import node, pods, seed

H100 = "Standard_NC40ads_H100_v5"
A100 = "Standard_NC24ads_A100_v4"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
CLAIMS = ("karpenter.sh/v1", "NodeClaim")


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    e = kube_emulator_factory(crd_dirs=[default_crd_dir() / "karpenter"], controller_delay=0.02)
    seed(e, node("aks-system-0"))
    e.nap = install_nap(e)
    e.nap.termination.requeue = 0.05  # a drain's retry (1 s upstream) without the wait
    e.nap.termination.min_drain = 0.0  # MinDrainTime (5 s upstream)
    e.nap.termination.instance_requeue = 0.05  # the instance's deletion looked at again (5 s upstream)
    return e


def gpu_pool(name: str, sizes: list[str], weight: int | None = None, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "template": {
            "spec": {
                "nodeClassRef": {"group": "karpenter.azure.com", "kind": "AKSNodeClass", "name": "default"},
                "requirements": [{"key": "karpenter.azure.com/sku-name", "operator": "In", "values": sizes}],
                "taints": [GPU_TAINT],
            }
        },
        **spec,
    }
    if weight is not None:
        body["weight"] = weight
    return {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": name}, "spec": body}


def gpu_app(name: str, size: str | None = None, gpus: int = 1, tolerate: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [{"name": "c", "image": "x:1", "resources": {"limits": {"nvidia.com/gpu": str(gpus)}}}]
    }
    if size:
        spec["nodeSelector"] = {"node.kubernetes.io/instance-type": size}
    if tolerate:
        spec["tolerations"] = [TOLERATION]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }


def running_on(emu: KubeEmulator, app: str) -> str:
    # Karpenter launches a node for the pod and kube-scheduler binds it: a chain of simulated controllers,
    # 2-3 s of wall clock at a load of 20 on 2 cores; the wait ends once the pod is bound.
    assert wait_until(lambda: any(p["spec"].get("nodeName") for p in pods(emu, app)), timeout=30)
    return str(next(p["spec"]["nodeName"] for p in pods(emu, app) if p["spec"].get("nodeName")))


def test_a_pinned_gpu_pod_gets_a_nodeclaim_and_a_ready_node_of_its_size(emu: KubeEmulator) -> None:
    emu.cluster.create(gpu_pool("gpu", [H100, A100]))
    emu.cluster.create(gpu_app("llm", H100))
    name = running_on(emu, "llm")
    n = emu.cluster.get("v1", "Node", None, name)
    labels = n["metadata"]["labels"]
    assert name.startswith("aks-gpu-")
    assert labels["karpenter.sh/nodepool"] == "gpu" and labels["karpenter.sh/capacity-type"] == "on-demand"
    assert labels["node.kubernetes.io/instance-type"] == H100 == labels["karpenter.azure.com/sku-name"]
    assert labels["karpenter.azure.com/sku-gpu-name"] == "H100"
    assert labels["karpenter.azure.com/sku-gpu-count"] == "1"
    assert labels["karpenter.azure.com/sku-gpu-manufacturer"] == "nvidia"
    assert n["status"]["allocatable"]["nvidia.com/gpu"] == "1" and n["spec"]["taints"] == [GPU_TAINT]
    [claim] = emu.cluster.list("karpenter.sh/v1", "NodeClaim")
    assert claim["status"]["nodeName"] == name and claim["metadata"]["ownerReferences"][0]["name"] == "gpu"
    # Consolidatable at once: the pool's consolidateAfter is the CRD's default 0s (kubernetes-sigs/karpenter
    # v1.14.0 pkg/utils/disruption/disruption.go IsUnderConsolidateAfter is false for 0)
    kinds = {"Launched", "Registered", "Initialized", "Ready", "Consolidatable"}
    assert wait_until(lambda: {c["type"] for c in emu.cluster.list(*CLAIMS)[0]["status"]["conditions"]} == kinds)
    pool = emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu")
    assert pool["status"]["resources"]["nvidia.com/gpu"] == "1" and pool["status"]["nodes"] == 1


def test_an_unpinned_pod_gets_the_cheapest_size_the_pool_allows(emu: KubeEmulator) -> None:
    emu.cluster.create(gpu_pool("gpu", [H100, A100]))
    emu.cluster.create(gpu_app("llm"))
    labels = emu.cluster.get("v1", "Node", None, running_on(emu, "llm"))["metadata"]["labels"]
    assert labels["node.kubernetes.io/instance-type"] == A100  # cheaper than the H100 size


def test_the_heavier_nodepool_wins_when_two_admit_the_pod(emu: KubeEmulator) -> None:
    emu.cluster.create(gpu_pool("light", [H100], weight=1))
    emu.cluster.create(gpu_pool("heavy", [H100], weight=50))
    emu.cluster.create(gpu_app("llm", H100))
    assert running_on(emu, "llm").startswith("aks-heavy-")


def test_a_pod_that_does_not_tolerate_the_pools_taint_gets_no_node(emu: KubeEmulator) -> None:
    # sku=gpu: the nvidia.com/gpu taint is tolerated by admission for a pod asking for GPUs.
    pool = gpu_pool("gpu", [H100])
    pool["spec"]["template"]["spec"]["taints"] = [{"key": "sku", "value": "gpu", "effect": "NoSchedule"}]
    emu.cluster.create(pool)
    emu.cluster.create(gpu_app("llm", H100, tolerate=False))
    assert wait_until(lambda: any(p["status"].get("phase") == "Pending" for p in pods(emu, "llm")))
    assert not wait_until(lambda: emu.nap.provisioned, timeout=0.5)
    assert emu.cluster.list("karpenter.sh/v1", "NodeClaim") == []


def test_a_pool_at_its_gpu_limit_makes_no_node(emu: KubeEmulator) -> None:
    emu.cluster.create(gpu_pool("gpu", [H100], limits={"nvidia.com/gpu": "1"}))
    emu.cluster.create(gpu_app("one", H100))
    running_on(emu, "one")
    emu.cluster.create(gpu_app("two", H100))
    assert wait_until(lambda: any(p["status"].get("phase") == "Pending" for p in pods(emu, "two")))
    assert not wait_until(lambda: len(emu.nap.provisioned) > 1, timeout=0.5)


def test_a_size_no_nodepool_allows_gets_no_node(emu: KubeEmulator) -> None:
    # NAP's default pool admits the D family only: a GPU size needs a GPU pool.
    emu.cluster.create(gpu_app("llm", H100))
    assert wait_until(lambda: any(p["status"].get("phase") == "Pending" for p in pods(emu, "llm")))
    assert not wait_until(lambda: emu.nap.provisioned, timeout=0.5)


def test_a_deleted_nodepool_takes_its_nodeclaims_and_nodes(emu: KubeEmulator) -> None:
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    name = running_on(emu, "llm")
    emu.cluster.delete("karpenter.sh/v1", "NodePool", None, "gpu")
    assert wait_until(lambda: emu.cluster.get("v1", "Node", None, name) is None, timeout=5)
    # the NodeClaim goes after its Node, whose Lease the garbage collector removes first
    assert wait_until(lambda: emu.cluster.list("karpenter.sh/v1", "NodeClaim") == [], timeout=5)


def test_the_pod_is_nominated_to_the_nodeclaim_made_for_it(emu: KubeEmulator) -> None:
    # upstream: kubernetes-sigs/karpenter pkg/controllers/provisioning/scheduling/events.go NominatePodEvent
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    running_on(emu, "llm")
    [claim] = emu.cluster.list("karpenter.sh/v1", "NodeClaim")
    [pod] = pods(emu, "llm")
    said = [
        e for e in emu.cluster.list("v1", "Event", "default") if e["involvedObject"]["name"] == pod["metadata"]["name"]
    ]
    assert any(
        e["reason"] == "Nominated" and e["message"] == f"Pod should schedule on: nodeclaim/{claim['metadata']['name']}"
        for e in said
    )


def ice_events(emu: KubeEmulator) -> list[dict[str, Any]]:
    return [e for e in emu.cluster.list("v1", "Event", "default") if e["reason"] == "InsufficientCapacityError"]


def test_a_claim_whose_only_size_is_out_of_quota_is_deleted_with_an_insufficient_capacity_event(
    emu: KubeEmulator,
) -> None:
    # upstream: karpenter launch.go (a CreateError: Launched Unknown, requeued; then
    # InsufficientCapacityError: the NodeClaim deleted, events.go InsufficientCapacityErrorEvent);
    # karpenter-provider-azure commonerrorhandlers.go SubscriptionQuotaReached, cloudprovider.go Create.
    emu.nap.quota_reached.add(H100)
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    assert wait_until(lambda: ice_events(emu), timeout=5)
    [event] = ice_events(emu)
    claim = event["involvedObject"]["name"]
    assert (event["type"], event["involvedObject"]["kind"]) == ("Warning", "NodeClaim")
    # InsufficientCapacityError.Error(): "insufficient capacity, %s" (karpenter pkg/cloudprovider/types.go)
    assert event["message"] == (
        f"NodeClaim {claim} event: insufficient capacity, all requested instance types were unavailable during launch"
    )
    assert wait_until(lambda: emu.cluster.get(*CLAIMS, None, claim) is None)  # its finalizer removed
    # The size stays unavailable: no second claim for the pod, no node.
    assert not wait_until(lambda: emu.cluster.list(*CLAIMS), timeout=0.5)
    assert not emu.nap.provisioned


def test_the_simulator_makes_no_confidential_h100_node_for_a_gpu_pod(emu: KubeEmulator) -> None:
    # NCC40ads_H100_v5 is not in supported-gpus.yaml: the provider has no instance type of it
    # (instancetypes.go isUnsupportedGPU), so the pod stays Pending and no NodeClaim is made.
    emu.cluster.create(gpu_pool("gpu", ["Standard_NCC40ads_H100_v5"]))
    emu.cluster.create(gpu_app("llm", "Standard_NCC40ads_H100_v5"))
    assert wait_until(lambda: any(p["status"].get("phase") == "Pending" for p in pods(emu, "llm")))
    assert not wait_until(lambda: emu.nap.provisioned, timeout=0.5)


NC80 = "Standard_NC80adis_H100_v5"


def test_a_size_out_of_quota_is_marked_unavailable_and_the_same_nodeclaim_launches_the_next_size(
    emu: KubeEmulator,
) -> None:
    # upstream: karpenter-provider-azure commonerrorhandlers.go handleSKUFamilyQuotaError (the size's
    # offerings unavailable in every zone), cloudprovider.go resolveInstanceTypes (the claim's sizes
    # with an available offering); karpenter launch.go (the failed launch is retried).
    emu.nap.quota_reached.add(H100)
    emu.cluster.create(gpu_pool("gpu", [H100, NC80]))
    emu.cluster.create(gpu_app("llm"))
    node_name = running_on(emu, "llm")
    assert (
        emu.cluster.get("v1", "Node", None, node_name)["metadata"]["labels"]["node.kubernetes.io/instance-type"] == NC80
    )
    [claim] = emu.cluster.list(*CLAIMS)
    assert claim["metadata"]["labels"]["node.kubernetes.io/instance-type"] == NC80
    # every offering of the size, the regional one ("0") with the zonal ones
    assert {(size, zone) for size, zone, _ in emu.nap.unavailable} == {
        (H100, "eastus-1"), (H100, "eastus-2"), (H100, "eastus-3"), (H100, "0")
    }  # fmt: skip


def test_a_nodeclaim_lists_every_size_that_fits_the_pod_and_is_labelled_with_one_only_once_launched(
    emu: KubeEmulator,
) -> None:
    # upstream: karpenter nodeclaimtemplate.go ToNodeClaim (instance types In, cheapest first; no
    # well-known label before launch), launch.go PopulateNodeClaimDetails
    emu.nap.quota_reached.update({H100, NC80})
    emu.cluster.create(gpu_pool("gpu", [H100, NC80]))
    emu.cluster.create(gpu_app("llm"))
    assert wait_until(lambda: emu.cluster.list(*CLAIMS), timeout=5)
    [claim] = emu.cluster.list(*CLAIMS)
    [sizes] = [r["values"] for r in claim["spec"]["requirements"] if r["key"] == "node.kubernetes.io/instance-type"]
    assert sizes == [H100, NC80]
    assert "node.kubernetes.io/instance-type" not in claim["metadata"]["labels"]


def test_a_node_is_made_in_a_zone_the_pools_requirement_admits(emu: KubeEmulator) -> None:
    # upstream: karpenter-provider-azure instancetypes.go createOfferings (one offering per zone,
    # topology.kubernetes.io/zone "<region>-<n>")
    zone = {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eastus-2"]}
    pool = gpu_pool("gpu", [H100])
    pool["spec"]["template"]["spec"]["requirements"].append(zone)
    emu.cluster.create(pool)
    emu.cluster.create(gpu_app("llm", H100))
    labels = emu.cluster.get("v1", "Node", None, running_on(emu, "llm"))["metadata"]["labels"]
    assert labels["topology.kubernetes.io/zone"] == "eastus-2" and labels["topology.kubernetes.io/region"] == "eastus"


def test_no_node_is_made_where_the_size_has_no_offering_in_the_pools_zones(emu: KubeEmulator) -> None:
    emu.nap.zones[H100] = ("1",)
    zone = {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eastus-2", "eastus-3"]}
    pool = gpu_pool("gpu", [H100])
    pool["spec"]["template"]["spec"]["requirements"].append(zone)
    emu.cluster.create(pool)
    emu.cluster.create(gpu_app("llm", H100))
    assert wait_until(lambda: any(p["status"].get("phase") == "Pending" for p in pods(emu, "llm")))
    assert not wait_until(lambda: emu.cluster.list(*CLAIMS), timeout=0.5)


def pinned_pod_ice(emu: KubeEmulator) -> None:
    """A pod pinned to H100, whose quota is spent: its NodeClaim is deleted, H100 is marked unavailable."""
    emu.nap.quota_reached.add(H100)
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    assert wait_until(lambda: ice_events(emu), timeout=5)
    emu.nap.quota_reached.discard(H100)  # the quota is raised meanwhile


def test_an_offering_marked_for_low_quota_is_available_again_after_ten_minutes(emu: KubeEmulator) -> None:
    # upstream: karpenter-provider-azure commonerrorhandlers.go handleSKUFamilyQuotaError (LowQuotaTTL
    # 10 min), pkg/cache/unavailableofferings.go (go-cache entries expire)
    pinned_pod_ice(emu)
    emu.nap.advance(9 * 60)
    assert not wait_until(lambda: emu.nap.provisioned, timeout=0.5)
    emu.nap.advance(60)
    assert (
        emu.cluster.get("v1", "Node", None, running_on(emu, "llm"))["metadata"]["labels"][
            "node.kubernetes.io/instance-type"
        ]
        == H100
    )


def test_an_offering_marked_for_a_zero_quota_limit_stays_unavailable_for_an_hour(emu: KubeEmulator) -> None:
    # upstream: commonerrorhandlers.go SubscriptionQuotaReachedTTL (1 h) where cpuLimitIsZero
    emu.nap.quota_zero.add(H100)
    pinned_pod_ice(emu)
    emu.nap.advance(59 * 60)
    assert not wait_until(lambda: emu.nap.provisioned, timeout=0.5)
    emu.nap.advance(60)
    running_on(emu, "llm")


def karpenter_failed_scheduling(emu: KubeEmulator) -> list[dict[str, Any]]:
    return [
        e
        for e in emu.cluster.list("v1", "Event", "default")
        if e["reason"] == "FailedScheduling" and e["source"]["component"] == "karpenter"
    ]


def test_after_its_claim_is_deleted_karpenter_says_on_the_pod_that_no_size_is_available(emu: KubeEmulator) -> None:
    # upstream: karpenter provisioning/controller.go (a pending pod is requeued), scheduler.go NewScheduler
    # and add ("nodepool requirements filtered out all available instance types"), events.go
    # PodFailedToScheduleEvent (Warning, recorder "karpenter")
    pinned_pod_ice(emu)
    assert wait_until(lambda: karpenter_failed_scheduling(emu), timeout=5)
    [event] = karpenter_failed_scheduling(emu)
    assert event["involvedObject"]["kind"] == "Pod" and event["type"] == "Warning"
    assert event["message"] == "Failed to schedule pod, nodepool requirements filtered out all available instance types"


def test_karpenters_failed_scheduling_on_a_pod_is_posted_once_in_five_minutes(emu: KubeEmulator) -> None:
    # upstream: events.go PodFailedToScheduleEvent DedupeTimeout 5 min, DedupeValues the pod's UID
    emu.nap.quota_zero.add(H100)  # H100 stays unavailable for an hour
    pinned_pod_ice(emu)
    assert wait_until(lambda: karpenter_failed_scheduling(emu), timeout=5)
    emu.nap.advance(4 * 60)
    assert not wait_until(lambda: [e["count"] for e in karpenter_failed_scheduling(emu)] != [1], timeout=0.5)
    emu.nap.advance(60)
    # The second post is the same Event counted: Karpenter's recorder is client-go's, whose
    # correlator patches a repeat (kubernetes/client-go tools/record/events_cache.go eventObserve).
    assert wait_until(lambda: [e["count"] for e in karpenter_failed_scheduling(emu)] == [2], timeout=5)
