"""The lab's cluster autoscaler (tests/emulators/autoscaler.py names the upstream files): a pod the
scheduler leaves Pending grows an ARM autoscaling pool whose template node fits it, the new
Kubernetes node is named and labelled as AKS's, and the pod runs on it."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.emulators.arm.server import ArmEmulator
from tests.emulators.autoscaler import ClusterAutoscaler, instance_suffix, template_node
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import deployment
from tests.kube_emulator.test_scheduling import node, pending_message, pods, seed

A100 = "Standard_NC24ads_A100_v4"
GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"
TOLERATE_GPU = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
TOLERATE_SPOT = {"key": "kubernetes.azure.com/scalesetpriority", "operator": "Equal", "value": "spot",
                 "effect": "NoSchedule"}  # fmt: skip


def link(kube: KubeEmulator, arm: ArmEmulator, **options: Any) -> tuple[str, ClusterAutoscaler]:
    """A system node, an ARM cluster, and the autoscaler (``options``) linking them."""
    cluster_id = f"/subscriptions/{arm.subscription}/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/ml"  # noqa: E501
    arm.put_resource(cluster_id, {"location": "eastus", "properties": {"agentPoolProfiles": []}})
    seed(kube, node("aks-system-0"))
    autoscaler = ClusterAutoscaler(arm, delay=0.02, **options)
    kube.controllers.add(autoscaler)
    return cluster_id, autoscaler


@pytest.fixture
def lab(kube_emulator: KubeEmulator, arm_emulator: ArmEmulator) -> Iterator[tuple[KubeEmulator, ArmEmulator, str]]:
    """A kube emulator with a system node, an ARM cluster, and the autoscaler linking them."""
    cluster_id, _ = link(kube_emulator, arm_emulator)
    yield kube_emulator, arm_emulator, cluster_id


def add_pool(arm: ArmEmulator, cluster_id: str, name: str, **props: Any) -> str:
    body = {"vmSize": A100, "count": 0, "enableAutoScaling": True, "minCount": 0, "maxCount": 2,
            "nodeTaints": [GPU_TAINT], "mode": "User", **props}  # fmt: skip
    pool_id = f"{cluster_id}/agentPools/{name}"
    arm.put_resource(pool_id, {"properties": body})
    return pool_id


def gpu_workload(name: str, replicas: int = 1, spot: bool = False, selector: dict[str, str] | None = None) -> Any:
    d = deployment(name, replicas=replicas)
    spec = d["spec"]["template"]["spec"]
    spec["containers"][0]["resources"] = {"limits": {"nvidia.com/gpu": "1"}}
    spec["tolerations"] = [TOLERATE_GPU, *([TOLERATE_SPOT] if spot else [])]
    if selector:
        spec["nodeSelector"] = selector
    return d


def pool_workload(name: str) -> Any:
    """A small pod that asks for the GPU pool by name and tolerates its taint."""
    d = deployment(name, replicas=1)
    spec = d["spec"]["template"]["spec"]
    spec["containers"][0]["resources"] = {"requests": {"cpu": "4"}}
    spec["tolerations"] = [TOLERATE_GPU]
    spec["nodeSelector"] = {"kubernetes.azure.com/agentpool": "gpu"}
    return d


def events(emu: KubeEmulator, reason: str) -> list[str]:
    return [e["message"] for e in emu.cluster.list("v1", "Event", "default") if e["reason"] == reason]


def test_the_template_node_of_a_spot_gpu_pool_is_built_as_the_azure_provider_does() -> None:
    cluster = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/ml",
               "location": "EastUS"}  # fmt: skip
    pool = {"name": "spotgpu", "properties": {"vmSize": A100, "scaleSetPriority": "Spot", "nodeTaints": [GPU_TAINT],
                                              "nodeLabels": {"team": "ml"}}}  # fmt: skip
    n = template_node(cluster, pool, "aks-spotgpu-12345678-vmss000000")
    labels = n["metadata"]["labels"]
    assert labels["agentpool"] == labels["kubernetes.azure.com/agentpool"] == "spotgpu"
    assert labels["kubernetes.azure.com/scalesetpriority"] == "spot"
    assert labels["node.kubernetes.io/instance-type"] == A100
    assert labels["topology.kubernetes.io/region"] == "eastus" and labels["topology.kubernetes.io/zone"] == "0"
    assert labels["kubernetes.azure.com/accelerator"] == "nvidia" and labels["team"] == "ml"
    assert n["spec"]["taints"] == [
        {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},
        {"key": "kubernetes.azure.com/scalesetpriority", "value": "spot", "effect": "NoSchedule"},
    ]
    # Standard_NC24ads_A100_v4: 24 vCPUs, 220 GiB, 1 A100 (src/akscli/data/gpu_skus.yaml).
    assert n["status"]["capacity"] == {"cpu": "24", "memory": "220Gi", "nvidia.com/gpu": "1", "pods": "110"}
    assert n["status"]["allocatable"] == n["status"]["capacity"]


def test_a_vmss_instance_suffix_is_six_base36_digits() -> None:
    assert [instance_suffix(i) for i in (0, 1, 35, 36, 1295)] == ["000000", "000001", "00000z", "000010", "0000zz"]


def test_a_pending_gpu_pod_scales_up_the_pool_that_fits_and_then_runs(lab: Any) -> None:
    kube, arm, cluster_id = lab
    pool_id = add_pool(arm, cluster_id, "gpu")
    kube.cluster.create(gpu_workload("llm"))
    assert wait_until(lambda: [p["status"]["phase"] for p in pods(kube, "llm")] == ["Running"])
    node_name = pods(kube, "llm")[0]["spec"]["nodeName"]
    assert re.fullmatch(r"aks-gpu-\d{8}-vmss000000", node_name)
    assert arm.get_resource(pool_id)["properties"]["count"] == 1
    created = kube.cluster.get("v1", "Node", None, node_name)
    assert next(c for c in created["status"]["conditions"] if c["type"] == "Ready")["status"] == "True"


def test_a_scale_up_records_triggered_scale_up_on_the_pod(lab: Any) -> None:
    kube, arm, cluster_id = lab
    add_pool(arm, cluster_id, "gpu", maxCount=4)
    kube.cluster.create(gpu_workload("llm"))
    assert wait_until(lambda: events(kube, "TriggeredScaleUp"))
    [message] = events(kube, "TriggeredScaleUp")
    assert re.fullmatch(r"pod triggered scale-up: \[\{aks-gpu-\d{8}-vmss 0->1 \(max: 4\)\}\]", message)


def test_pods_are_packed_onto_as_few_new_nodes_as_fit_them(lab: Any) -> None:
    kube, arm, cluster_id = lab
    pool_id = add_pool(arm, cluster_id, "gpu", maxCount=5)
    kube.cluster.create(gpu_workload("llm", replicas=2))  # one A100 a node: two nodes
    assert wait_until(lambda: sorted(p["status"]["phase"] for p in pods(kube, "llm")) == ["Running", "Running"])
    assert arm.get_resource(pool_id)["properties"]["count"] == 2
    names = sorted(p["spec"]["nodeName"] for p in pods(kube, "llm"))
    assert [n[-6:] for n in names] == ["000000", "000001"]


def test_no_pool_that_fits_records_not_trigger_scale_up_with_the_reasons(lab: Any) -> None:
    kube, arm, cluster_id = lab
    add_pool(arm, cluster_id, "gpu")
    kube.cluster.create(gpu_workload("llm", selector={"agentpool": "other"}))
    assert wait_until(lambda: events(kube, "NotTriggerScaleUp"))
    assert events(kube, "NotTriggerScaleUp") == [
        "pod didn't trigger scale-up: 1 node(s) didn't match Pod's node affinity/selector"
    ]
    assert [p["status"]["phase"] for p in pods(kube, "llm")] == ["Pending"]


def test_a_spot_pool_is_not_grown_for_a_pod_without_the_spot_toleration(lab: Any) -> None:
    kube, arm, cluster_id = lab
    add_pool(arm, cluster_id, "spotgpu", scaleSetPriority="Spot")
    kube.cluster.create(gpu_workload("llm"))
    assert wait_until(lambda: events(kube, "NotTriggerScaleUp"))
    assert events(kube, "NotTriggerScaleUp") == [
        "pod didn't trigger scale-up: 1 node(s) had untolerated taint {kubernetes.azure.com/scalesetpriority: spot}"
    ]


def test_a_pod_left_out_of_a_scale_up_capped_at_max_is_told_max_node_group_size_reached(lab: Any) -> None:
    kube, arm, cluster_id = lab
    pool_id = add_pool(arm, cluster_id, "gpu", maxCount=1)
    kube.cluster.create(gpu_workload("llm", replicas=2))  # one A100 a node: room for one pod
    assert wait_until(lambda: events(kube, "NotTriggerScaleUp"))
    # The loop after the scale-up sees the group at its max size: skipped, counted for the pod.
    assert events(kube, "NotTriggerScaleUp") == ["pod didn't trigger scale-up: 1 max node group size reached"]
    assert len(events(kube, "TriggeredScaleUp")) == 1  # the second pod was not in the option
    assert arm.get_resource(pool_id)["properties"]["count"] == 1
    assert wait_until(lambda: sorted(p["status"]["phase"] for p in pods(kube, "llm")) == ["Pending", "Running"])


def test_a_full_pool_counts_max_node_group_size_reached_even_for_a_pod_it_would_not_fit(lab: Any) -> None:
    kube, arm, cluster_id = lab
    add_pool(arm, cluster_id, "cpu", vmSize="Standard_D4ds_v5", count=1, minCount=1, maxCount=1, nodeTaints=[])
    seed(kube, node("aks-cpu-0", labels={"kubernetes.azure.com/agentpool": "cpu", "agentpool": "cpu"}))
    add_pool(arm, cluster_id, "spotgpu", scaleSetPriority="Spot")
    kube.cluster.create(gpu_workload("llm"))  # needs a GPU: the CPU pool could never fit it
    assert wait_until(lambda: events(kube, "NotTriggerScaleUp"))
    # upstream filterValidScaleUpNodeGroups skips a full group before checking any pod against it.
    assert events(kube, "NotTriggerScaleUp") == [
        "pod didn't trigger scale-up: 1 max node group size reached, "
        "1 node(s) had untolerated taint {kubernetes.azure.com/scalesetpriority: spot}"
    ]


def test_a_pod_an_upcoming_node_will_take_does_not_scale_up_again(
    kube_emulator: KubeEmulator, arm_emulator: ArmEmulator
) -> None:
    cluster_id, autoscaler = link(kube_emulator, arm_emulator, boot=1.0)
    pool_id = add_pool(arm_emulator, cluster_id, "gpu", maxCount=4)
    # Two small pods for the GPU pool, the second created while the first one's node boots: an
    # A100 node (24 vCPUs) holds both.
    kube_emulator.cluster.create(pool_workload("a"))
    assert wait_until(lambda: autoscaler.scale_ups)
    kube_emulator.cluster.create(pool_workload("b"))
    assert wait_until(lambda: [p["status"]["phase"] for p in pods(kube_emulator, "b")] == ["Running"])
    assert autoscaler.scale_ups == [(autoscaler.node_groups()[0].id, 0, 1)]
    assert arm_emulator.get_resource(pool_id)["properties"]["count"] == 1
    assert pods(kube_emulator, "a")[0]["spec"]["nodeName"] == pods(kube_emulator, "b")[0]["spec"]["nodeName"]


def test_the_expander_picks_among_fitting_pools_at_random_repeatably_by_seed(
    kube_emulator: KubeEmulator, arm_emulator: ArmEmulator
) -> None:
    cluster_id, _ = link(kube_emulator, arm_emulator)
    add_pool(arm_emulator, cluster_id, "gpua")
    add_pool(arm_emulator, cluster_id, "gpub")
    picked = set()
    for seed_ in range(8):
        autoscaler = ClusterAutoscaler(arm_emulator, seed=seed_)
        waiting = gpu_workload("llm")["spec"]["template"]
        waiting["metadata"] = {"name": f"llm-{seed_}", "namespace": "default", "uid": str(seed_)}
        options = [g.id for g in autoscaler.node_groups()]
        option = autoscaler.plan(kube_emulator.cluster, [waiting]).option
        assert option is not None
        group = option[0]
        # expander/random BestOption: one of the options, uniformly (here Python's seeded RNG).
        assert group.id == options[random.Random(seed_).randrange(len(options))]
        picked.add(str(group.pool["name"]))
    assert picked == {"gpua", "gpub"}


def test_an_empty_node_is_removed_after_the_unneeded_time(
    kube_emulator: KubeEmulator, arm_emulator: ArmEmulator
) -> None:
    kube, arm = kube_emulator, arm_emulator
    cluster_id, _ = link(kube, arm, unneeded=0.3)
    pool_id = add_pool(arm, cluster_id, "gpu")
    kube.cluster.create(gpu_workload("llm"))
    assert wait_until(lambda: [p["status"]["phase"] for p in pods(kube, "llm")] == ["Running"])
    name = pods(kube, "llm")[0]["spec"]["nodeName"]
    kube.cluster.delete("apps/v1", "Deployment", "default", "llm")
    for p in pods(kube, "llm"):
        kube.cluster.delete("v1", "Pod", "default", p["metadata"]["name"])
    assert wait_until(lambda: kube.cluster.get("v1", "Node", None, name) is None)
    assert arm.get_resource(pool_id)["properties"]["count"] == 0
    told = [e["message"] for e in kube.cluster.list("v1", "Event", None) if e["involvedObject"].get("name") == name]
    assert sorted(told) == ["marked the node as toBeDeleted/unschedulable", "nodes removed by cluster autoscaler"]


def test_a_pool_without_autoscaling_is_never_grown(lab: Any) -> None:
    kube, arm, cluster_id = lab
    pool_id = add_pool(arm, cluster_id, "gpu", enableAutoScaling=False, count=0)
    kube.cluster.create(gpu_workload("llm"))
    pending_message(kube, "llm")
    kube.controllers.idle()
    assert arm.get_resource(pool_id)["properties"]["count"] == 0
    assert not events(kube, "TriggeredScaleUp") and not events(kube, "NotTriggerScaleUp")
    assert [p["status"]["phase"] for p in pods(kube, "llm")] == ["Pending"]


def test_a_pod_the_scheduler_places_does_not_scale_up(lab: Any) -> None:
    kube, arm, cluster_id = lab
    pool_id = add_pool(arm, cluster_id, "gpu")
    kube.cluster.create(deployment("web", replicas=1))
    assert wait_until(lambda: [p["status"]["phase"] for p in pods(kube, "web")] == ["Running"])
    kube.controllers.idle()
    assert arm.get_resource(pool_id)["properties"]["count"] == 0


def test_a_pool_given_autoscaling_after_the_pod_waits_is_grown(lab: Any) -> None:
    kube, arm, cluster_id = lab
    kube.cluster.create(gpu_workload("llm"))
    pending_message(kube, "llm")
    pool_id = add_pool(arm, cluster_id, "gpu")
    # What the ARM emulator runs when the pool's PUT completes (put_resource runs no hooks).
    for hooks in arm._hooks_for("Microsoft.ContainerService/managedClusters/agentPools"):
        if hooks.on_put_done is not None:
            hooks.on_put_done(arm, pool_id, arm.get_resource(pool_id))
    assert wait_until(lambda: [p["status"]["phase"] for p in pods(kube, "llm")] == ["Running"])
    assert arm.get_resource(pool_id)["properties"]["count"] == 1
