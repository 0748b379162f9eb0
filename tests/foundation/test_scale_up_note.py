"""akscli.kube.scale_up.note: which of a pod's events says what the autoscaler does. The lab's
autoscaler simulator makes TriggeredScaleUp and NotTriggerScaleUp (tests/model/test_wait_scale_up.py);
these cases are the orderings it does not reach and Karpenter's Nominated, which no simulator
records (its words: kubernetes-sigs/karpenter pkg/controllers/provisioning/scheduling/events.go)."""

from __future__ import annotations

from typing import Any

from akscli.kube.scale_up import note

SCALE_UP = "pod triggered scale-up: [{aks-gpu-12345678-vmss 0->1 (max: 4)}]"
FAILED = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."


def event(reason: str, message: str, at: str, version: int) -> dict[str, Any]:
    return {"reason": reason, "message": message, "lastTimestamp": at,
            "metadata": {"resourceVersion": str(version)}}  # fmt: skip


def test_a_scale_up_after_the_last_scheduling_failure_is_a_node_on_its_way() -> None:
    said = note([event("FailedScheduling", FAILED, "2026-12-04T10:00:00Z", 5),
                 event("TriggeredScaleUp", SCALE_UP, "2026-12-04T10:00:00Z", 7)])  # fmt: skip
    assert said is not None and said.adding
    assert said.clause == f"cluster autoscaler: {SCALE_UP}"
    assert said.fix == "the cluster autoscaler is adding a node: node pool gpu 0->1 (max 4)"


def test_a_scale_up_before_the_last_scheduling_failure_says_nothing() -> None:
    # The node came and the pod still fits nowhere: the plain hint, not "wait longer".
    assert note([event("TriggeredScaleUp", SCALE_UP, "2026-12-04T10:00:00Z", 7),
                 event("FailedScheduling", FAILED, "2026-12-04T10:03:00Z", 9)]) is None  # fmt: skip


def test_karpenters_nomination_is_a_node_on_its_way() -> None:
    message = "Pod should schedule on: nodeclaim/default-x7k2p"
    said = note([event("FailedScheduling", FAILED, "2026-12-04T10:00:00Z", 5),
                 event("Nominated", message, "2026-12-04T10:00:01Z", 6)])  # fmt: skip
    assert said is not None and said.adding and said.clause == f"node auto-provisioning: {message}"


def test_a_pool_the_pod_names_is_the_one_to_raise() -> None:
    pod = {"spec": {"nodeSelector": {"kubernetes.azure.com/agentpool": "spotgpu"}}}
    said = note([event("NotTriggerScaleUp", "pod didn't trigger scale-up: 1 max node group size reached",
                       "2026-12-04T10:00:00Z", 5)], pod)  # fmt: skip
    assert said is not None and not said.adding
    assert "akscli nodepool scale spotgpu --cluster CLUSTER -g GROUP --max N" in said.fix


def test_a_full_pool_beside_pools_the_pod_does_not_fit_is_not_said_to_fit_it() -> None:
    # upstream skips a full pool before checking the pod against it (filterValidScaleUpNodeGroups).
    message = ("pod didn't trigger scale-up: 1 max node group size reached, "
               "1 node(s) had untolerated taint {kubernetes.azure.com/scalesetpriority: spot}")  # fmt: skip
    said = note([event("NotTriggerScaleUp", message, "2026-12-04T10:00:00Z", 5)])
    assert said is not None and "fits the pod is at its maximum" not in said.fix
    assert said.fix.startswith("1 autoscaling node pool(s) at their maximum size were not checked against the pod")


def test_a_pool_the_pods_required_node_affinity_names_is_the_one_to_raise() -> None:
    term = {"matchExpressions": [{"key": "agentpool", "operator": "In", "values": ["gpu"]}]}
    pod = {"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [term]}}}}}  # fmt: skip
    said = note([event("NotTriggerScaleUp", "pod didn't trigger scale-up: 1 max node group size reached",
                       "2026-12-04T10:00:00Z", 5)], pod)  # fmt: skip
    assert said is not None and "akscli nodepool scale gpu --cluster CLUSTER -g GROUP --max N" in said.fix


def _claim(launched: dict[str, Any] | None) -> dict[str, Any]:
    labels = {"node.kubernetes.io/instance-type": "Standard_NC40ads_H100_v5"}
    status = {"conditions": [{"type": "Launched", **launched}]} if launched else {}
    return {"metadata": {"name": "gpu-x7k2p", "labels": labels}, "status": status}


NOMINATION = [event("FailedScheduling", FAILED, "2026-12-04T10:00:00Z", 5),
              event("Nominated", "Pod should schedule on: nodeclaim/gpu-x7k2p", "2026-12-04T10:00:01Z", 6)]  # fmt: skip


def test_a_nominated_nodeclaim_in_flight_names_the_claim_and_its_size() -> None:
    said = note(NOMINATION, claim=_claim(None))
    assert said is not None and said.adding
    assert said.clause == (
        "node auto-provisioning: a node is being made for it (nodeclaim/gpu-x7k2p, size Standard_NC40ads_H100_v5)"
    )


def test_a_nodeclaims_quota_launch_failure_is_one_problem_whose_fix_names_the_family_quota() -> None:
    # upstream: karpenter-provider-azure commonerrorhandlers.go handleSKUFamilyQuotaError; karpenter
    # launch.go sets Launched Unknown with the CreateError's reason and message.
    message = ("subscription level on-demand vCPU quota for Standard_NC40ads_H100_v5 has been reached "
               "(may try provision an alternative instance type)")  # fmt: skip
    said = note(
        NOMINATION, claim=_claim({"status": "Unknown", "reason": "SubscriptionQuotaReached", "message": message})
    )
    assert said is not None and not said.adding
    assert said.clause.startswith(
        "node auto-provisioning: nodeclaim/gpu-x7k2p, size Standard_NC40ads_H100_v5 failed to launch: "
        "SubscriptionQuotaReached: subscription level on-demand vCPU quota"
    )
    assert "vCPU quota of Standard_NC40ads_H100_v5's VM family" in said.fix and "az vm list-usage" in said.fix


def test_a_launch_failure_of_a_pod_pinned_to_its_size_says_to_pin_another_size_not_to_widen_the_nodepool() -> None:
    # Karpenter tries an alternative instance type only among those the pod admits (upstream:
    # Azure/karpenter-provider-azure 352646f pkg/providers/instance/offerings/commonerrorhandlers.go,
    # "may try provision an alternative instance type"): a pod with a nodeSelector on the size has none.
    pinned = {"spec": {"nodeSelector": {"node.kubernetes.io/instance-type": "Standard_NC40ads_H100_v5"}}}
    failed = _claim({"status": "Unknown", "reason": "SubscriptionQuotaReached", "message": "quota reached"})
    said = note(NOMINATION, pinned, claim=failed)
    assert said is not None and not said.adding
    assert "pin the pods to another size the NodePool allows" in said.fix
    assert "let the NodePool allow other sizes" not in said.fix
    unpinned = note(NOMINATION, {"spec": {}}, claim=failed)
    assert unpinned is not None and "let the NodePool allow other sizes" in unpinned.fix


def _unlaunched(launched: dict[str, Any] | None, sizes: list[str]) -> dict[str, Any]:
    """A NodeClaim as Karpenter makes it: its sizes as a requirement, no instance-type label yet
    (upstream: karpenter nodeclaimtemplate.go ToNodeClaim)."""
    claim = _claim(launched)
    claim["metadata"]["labels"] = {"karpenter.sh/nodepool": "gpu"}
    claim["spec"] = {"requirements": [{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": sizes}]}
    return claim


def test_a_quota_failure_of_a_nodeclaim_that_allows_other_sizes_is_a_node_still_on_its_way() -> None:
    # upstream: karpenter-provider-azure marks the offering unavailable (commonerrorhandlers.go) and the
    # retried launch takes the claim's other sizes (cloudprovider.go resolveInstanceTypes).
    message = ("subscription level on-demand vCPU quota for Standard_NC40ads_H100_v5 has been reached "
               "(may try provision an alternative instance type)")  # fmt: skip
    failed = {"status": "Unknown", "reason": "SubscriptionQuotaReached", "message": message}
    said = note(
        NOMINATION, {"spec": {}}, claim=_unlaunched(failed, ["Standard_NC40ads_H100_v5", "Standard_NC80adis_H100_v5"])
    )
    assert said is not None and said.adding
    assert said.clause.startswith(
        "node auto-provisioning: nodeclaim/gpu-x7k2p, size Standard_NC40ads_H100_v5 failed to launch: "
    )
    assert said.clause.endswith("; it tries the other sizes it allows (Standard_NC80adis_H100_v5)")
    assert said.fix == "node auto-provisioning is trying another size for it"


def test_a_nodeclaim_not_launched_yet_names_the_sizes_it_may_be() -> None:
    said = note(NOMINATION, claim=_unlaunched(None, ["Standard_NC40ads_H100_v5", "Standard_NC80adis_H100_v5"]))
    assert said is not None and said.clause == (
        "node auto-provisioning: a node is being made for it (nodeclaim/gpu-x7k2p, "
        "size one of Standard_NC40ads_H100_v5, Standard_NC80adis_H100_v5)"
    )


def karpenter_failed(message: str) -> dict[str, Any]:
    said = event("FailedScheduling", f"Failed to schedule pod, {message}", "2026-12-04T10:00:01Z", 6)
    return {**said, "source": {"component": "karpenter"}}


def test_karpenters_limit_error_is_one_problem_whose_fix_raises_that_nodepools_limit() -> None:
    # upstream: karpenter scheduler.go addToNewNodeClaim ("all available instance types exceed limits for
    # nodepool", serrors NodePool=NAME), events.go PodFailedToScheduleEvent
    limit = "all available instance types exceed limits for nodepool (NodePool=gpu)"
    said = note([event("FailedScheduling", FAILED, "2026-12-04T10:00:00Z", 5), karpenter_failed(limit)])
    assert said is not None and not said.adding
    assert said.clause == f"node auto-provisioning: Failed to schedule pod, {limit}"
    assert said.fix.startswith("NodePool gpu is at its limits (spec.limits)") and "--max-gpus N" in said.fix


def test_karpenters_taint_error_names_the_taint_the_pods_do_not_tolerate() -> None:
    # upstream: karpenter pkg/scheduling/taints.go Tolerates, pkg/utils/pretty/pretty.go Taint
    said = note([karpenter_failed("did not tolerate taint (taint=team=a:NoSchedule)")])
    assert said is not None and not said.adding
    assert said.fix.startswith("the pods do not tolerate the NodePool's taint team=a:NoSchedule")


def test_a_zonal_allocation_failure_of_a_nodeclaim_is_a_node_still_on_its_way() -> None:
    # upstream: commonerrorhandlers.go handleZonalAllocationFailureError marks the zone only, "(will try a
    # different zone to fulfill your request)"; karpenter launch.go retries the launch
    message = ("unable to allocate resources in the selected zone (eastus-1). "
               "(will try a different zone to fulfill your request)")  # fmt: skip
    said = note(NOMINATION, claim=_claim({"status": "Unknown", "reason": "ZonalAllocationFailure", "message": message}))
    assert said is not None and said.adding
    assert said.fix == "node auto-provisioning is trying another zone or size for it"


def test_a_nominated_nodeclaim_being_deleted_is_not_said_to_make_the_node() -> None:
    # Its karpenter.sh/termination finalizer holds it; Karpenter makes a new NodeClaim for the pod
    # (upstream: kubernetes-sigs/karpenter provisioner.go Schedule leaves nodes marked for deletion out).
    deleting = _claim(None)
    deleting["metadata"]["deletionTimestamp"] = "2026-12-04T10:00:05Z"
    said = note(NOMINATION, claim=deleting)
    assert said is not None and said.adding
    assert said.clause == "node auto-provisioning: nodeclaim/gpu-x7k2p, made for it, is being deleted"
    assert said.fix == "node auto-provisioning makes another node for it"
