"""What the cluster autoscaler (or AKS node auto-provisioning) is doing about a pod that waits for a
node, read from the pod's events. kube-scheduler's FailedScheduling says only that no node fits
now; on AKS a node may be on its way, or the autoscaler may have said why it will not add one.

The events, in their recorders' words:

- ``TriggeredScaleUp`` "pod triggered scale-up: [{GROUP CUR->NEW (max: MAX)} ...]" on each pod a
  scale-up helps, and ``NotTriggerScaleUp`` "pod didn't trigger scale-up: " then each reason
  counted over the node groups ("1 max node group size reached, 2 node(s) had untolerated taint
  {...}") on each pod still unschedulable after a loop without a scale-up (upstream:
  kubernetes/autoscaler master, read 2026-12, cluster-autoscaler/processors/status/
  eventing_scale_up_processor.go, Process and ReasonsMessage; the group's text is
  processors/nodegroupset ScaleUpInfo.String "{%v %v->%v (max: %v)}"; the skip reasons are
  core/scaleup/orchestrator/skippedreasons.go: "max node group size reached", "in backoff after
  failed scale-up", "not ready for scale-up", "max cluster %s limit reached"; the rejections are
  the scheduler's filter messages). On Azure the group id is the scale set's name,
  ``aks-<pool>-<digits>-vmss``.
- ``Nominated`` "Pod should schedule on: nodeclaim/NAME[, node/NAME]" when Karpenter (AKS node
  auto-provisioning) launches or picks a node for the pod (upstream: kubernetes-sigs/karpenter
  main, read 2026-12, pkg/controllers/provisioning/scheduling/events.go NominatePodEvent, reason
  events.Nominated). The NodeClaim it names tells the size (its node.kubernetes.io/instance-type
  label: pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go) and, while its Launched
  condition is not True, why the cloud made no VM: the condition's reason and message
  (kubernetes-sigs/karpenter pkg/controllers/nodeclaim/lifecycle/launch.go launchNodeClaim sets
  Launched Unknown with a CreateError's ConditionReason and ConditionMessage; the Azure
  provider's reasons, Azure/karpenter-provider-azure 352646f
  pkg/providers/instance/offerings/commonerrorhandlers.go: SubscriptionQuotaReached,
  SKUNotAvailable, AllocationFailure, ZonalAllocationFailure, Overconstrained*AllocationFailure;
  pkg/cloudprovider/cloudprovider.go CreateInstanceFailed).

Plain module (no typer/rich): the wait and `model status` both use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli.kube import nap_refusals
from akscli.kube.events import object_events

if TYPE_CHECKING:
    from akscli.kube.client import Kube

TRIGGERED = "TriggeredScaleUp"
NOT_TRIGGERED = "NotTriggerScaleUp"
NOMINATED = "Nominated"
FAILED_SCHEDULING = "FailedScheduling"
_ADDING = (TRIGGERED, NOMINATED)
_GROUP = re.compile(r"\{(\S+) (\d+)->(\d+) \(max: (\d+)\)\}")
# AKS names a pool's scale set aks-<pool>-<digits>-vmss (the Azure provider's node group id).
_AKS_SCALE_SET = re.compile(r"^aks-(.+)-\d+-vmss$")
# The pool a pod asks for by name (AKS's node labels).
POOL_LABELS = ("kubernetes.azure.com/agentpool", "agentpool")
_ADD_POOL = "akscli nodepool add"
# core/scaleup/orchestrator/skippedreasons.go MaxLimitReachedReason, counted by ReasonsMessage.
_MAX_REACHED = re.compile(r"(\d+) max node group size reached")
# NominatePodEvent's "nodeclaim/NAME" (events.go), and the label a NodeClaim names its size by.
_CLAIM = re.compile(r"nodeclaim/([^,\s]+)")
_INSTANCE_TYPE = "node.kubernetes.io/instance-type"
_SKU_NAME = "karpenter.azure.com/sku-name"
_FAILED_SIZE = re.compile(r"\b(Standard_\w+)")
_KARPENTER_FAILED = "Failed to schedule pod, "
_LIMITED = re.compile(r"(?:exceed limits|node limits have been exhausted) for nodepool \(NodePool=([^)\s]+)\)")
_UNTOLERATED = re.compile(r"did not tolerate taint \(taint=([^)]+)\)")
# The Azure provider's allocation failures say the offering it tries next (commonerrorhandlers.go).
_TRIES_ANOTHER = "(will try a different "
_REGIONAL_QUOTA = "vCPU quota limit for subscription has been reached"


@dataclass(frozen=True)
class ScaleUpNote:
    """What the autoscaler says: ``clause`` quotes its event (``cluster autoscaler: pod triggered
    scale-up: [...]``); ``fix`` says what to do; ``adding`` is True while a node is on its way."""

    adding: bool
    clause: str
    fix: str


def note(
    events: Sequence[Mapping[str, Any]],
    pod: Mapping[str, Any] | None = None,
    pool: str | None = None,
    claim: Mapping[str, Any] | None = None,
) -> ScaleUpNote | None:
    """What the autoscaler's latest word on a pod (``events``: its events, oldest first) says, or
    None when it said nothing, or its scale-up came before the scheduler's last failure (the new
    node came and the pod still fits nowhere). ``pod`` names the pool it asks for, in a hint;
    ``pool`` is that pool when the caller found it otherwise (``read_note``); ``claim`` is the
    NodeClaim Karpenter's nomination names, where read."""
    said = [e for e in events if e.get("reason") in (*_ADDING, NOT_TRIGGERED) or _karpenter_failed(e)]
    if not said:
        return None
    latest = said[-1]
    message = str(latest.get("message") or "")
    if _karpenter_failed(latest) and claim is None:
        return _karpenter_note(message)
    if latest.get("reason") == NOT_TRIGGERED:
        return ScaleUpNote(False, f"cluster autoscaler: {message}", _blocked_fix(message, pool or asked_pool(pod)))
    failures = [i for i, e in enumerate(events) if e.get("reason") == FAILED_SCHEDULING]
    if failures and failures[-1] > events.index(latest):
        return None
    if latest.get("reason") == NOMINATED:
        if claim is not None:
            return _claim_note(claim, pod)
        return ScaleUpNote(True, f"node auto-provisioning: {message}", "node auto-provisioning is adding a node for it")
    groups = [_group_text(m) for m in _GROUP.finditer(message)]
    what = f": {', '.join(groups)}" if groups else ""
    return ScaleUpNote(True, f"cluster autoscaler: {message}", f"the cluster autoscaler is adding a node{what}")


def _karpenter_failed(event: Mapping[str, Any]) -> bool:
    """Karpenter's own FailedScheduling: "Failed to schedule pod, ERROR", recorder "karpenter"
    (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/scheduling/events.go
    PodFailedToScheduleEvent; kube-scheduler's say "0/N nodes are available: ...")."""
    return event.get("reason") == FAILED_SCHEDULING and (
        str(event.get("message") or "").startswith(_KARPENTER_FAILED)
        or (event.get("source") or {}).get("component") == "karpenter"
    )


def _karpenter_note(message: str) -> ScaleUpNote:
    """Why node auto-provisioning makes no node for the pod, in Karpenter's words, with the fix for
    the errors a GPU pod meets (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/
    provisioning/scheduling/scheduler.go add and addToNewNodeClaim: "nodepool requirements filtered
    out all available instance types", "all available instance types exceed limits for nodepool",
    "node limits have been exhausted for nodepool", each with "(NodePool=NAME)" (awslabs/operatorpkg
    serrors); pkg/scheduling/taints.go "did not tolerate taint (taint=...)"; nodeclaim.go
    "incompatible requirements, ..." and the InstanceTypeFilterError "no instance type ...", whose
    fix akscli.kube.nap_refusals reads from the requirements they print)."""
    clause = f"node auto-provisioning: {message}"
    # One error a NodePool, in weight order (multierr "; "): the first akscli can explain gives the fix.
    for error in message.removeprefix(_KARPENTER_FAILED).split("; "):
        fix = _pool_fix(error) or nap_refusals.fix(error)
        if fix:
            return ScaleUpNote(False, clause, fix)
    if "filtered out all available instance types" in message:
        return ScaleUpNote(
            False,
            clause,
            "no NodePool has a size with an offering available now (spent quota or no capacity marks a size "
            "unavailable for up to hours) or one that admits the pods: let a NodePool allow other sizes "
            "(akscli nodepool add NAME --auto-provision --gpu F), or raise the quota",
        )
    return ScaleUpNote(
        False,
        clause,
        "no NodePool admits the pods with a size that fits them: see akscli nodepool list --auto-provision, and "
        "add one that does (akscli nodepool add NAME --auto-provision --vm-size S)",
    )


def _pool_fix(error: str) -> str | None:
    """The fix for one NodePool's limit or taint error (scheduler.go addToNewNodeClaim, taints.go)."""
    limited = _LIMITED.search(error)
    if limited:
        pool = limited.group(1)
        return (
            f"NodePool {pool} is at its limits (spec.limits): raise them, e.g. akscli nodepool add {pool} "
            "--auto-provision --gpu F --max-gpus N, or free what its nodes run"
        )
    taint = _UNTOLERATED.search(error)
    if taint:
        return (
            f"the pods do not tolerate the NodePool's taint {taint.group(1)}: give them the toleration, or add a "
            "NodePool they tolerate (akscli nodepool add NAME --auto-provision ...)"
        )
    return None


def nominated_claim(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The NodeClaim the latest Nominated event names, where it is the autoscalers' latest word."""
    said = [e for e in events if e.get("reason") in (*_ADDING, NOT_TRIGGERED)]
    if not said or said[-1].get("reason") != NOMINATED:
        return None
    found = _CLAIM.search(str(said[-1].get("message") or ""))
    return found.group(1) if found else None


def claim_sizes(claim: Mapping[str, Any]) -> list[str]:
    """The sizes a NodeClaim may launch as: its instance-type label once launched, else its
    requirement's values (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/
    scheduling/nodeclaimtemplate.go ToNodeClaim: the instance types as one In requirement, the
    well-known labels set only at launch, pkg/controllers/nodeclaim/lifecycle/launch.go
    PopulateNodeClaimDetails)."""
    labelled = ((claim.get("metadata") or {}).get("labels") or {}).get(_INSTANCE_TYPE)
    if labelled:
        return [str(labelled)]
    sizes: list[str] | None = None
    for requirement in (claim.get("spec") or {}).get("requirements") or []:
        if requirement.get("key") in (_INSTANCE_TYPE, _SKU_NAME) and requirement.get("operator") == "In":
            values = [str(v) for v in requirement.get("values") or []]
            sizes = values if sizes is None else [s for s in sizes if s in values]
    return sizes or []


def _claim_note(claim: Mapping[str, Any], pod: Mapping[str, Any] | None = None) -> ScaleUpNote:
    """A NodeClaim being made, or its launch failure: one problem with its fix where the claim allows
    no other size, else a node still on its way in another size."""
    name = (claim.get("metadata") or {}).get("name", "")
    sizes = claim_sizes(claim)
    if (claim.get("metadata") or {}).get("deletionTimestamp"):
        # Deleted, its karpenter.sh/termination finalizer holding it while its node drains: no node
        # comes from it; Karpenter's provisioner leaves nodes marked for deletion out and makes a new
        # NodeClaim for the pod (upstream: kubernetes-sigs/karpenter 2266468
        # pkg/controllers/provisioning/provisioner.go Schedule, nodes.Active()).
        return ScaleUpNote(
            True,
            f"node auto-provisioning: nodeclaim/{name}, made for it, is being deleted",
            "node auto-provisioning makes another node for it",
        )
    if not _launch_failed(claim):
        size = sizes[0] if len(sizes) == 1 else f"one of {', '.join(sizes)}" if sizes else "unknown size"
        return ScaleUpNote(
            True,
            f"node auto-provisioning: a node is being made for it (nodeclaim/{name}, size {size})",
            "node auto-provisioning is adding a node for it",
        )
    launched = next(c for c in claim["status"]["conditions"] if c.get("type") == "Launched")
    reason, message = str(launched["reason"]), str(launched.get("message") or "").strip()
    # The Azure provider names the size that failed (commonerrorhandlers.go: "... quota for SIZE ...").
    named = _FAILED_SIZE.search(message)
    size = named.group(1) if named else sizes[0] if len(sizes) == 1 else "unknown size"
    clause = f"node auto-provisioning: nodeclaim/{name}, size {size} failed to launch: {reason}" + (
        f": {message}" if message else ""
    )
    others = [s for s in sizes if s != size]
    if _TRIES_ANOTHER in message:
        # An allocation failure marks the zone (or the placement) it was tried in, and the launch is
        # retried on what is left (commonerrorhandlers.go: "(will try a different zone ...)").
        return ScaleUpNote(True, clause, "node auto-provisioning is trying another zone or size for it")
    if named and others:
        # The provider marks the failed offering unavailable and the launch is retried on the same
        # NodeClaim with the sizes it still has (upstream: Azure/karpenter-provider-azure 352646f
        # pkg/cloudprovider/cloudprovider.go resolveInstanceTypes, Offerings.Available;
        # pkg/cache/unavailableofferings.go): a node may still come.
        return ScaleUpNote(
            True,
            f"{clause}; it tries the other sizes it allows ({', '.join(others)})",
            "node auto-provisioning is trying another size for it",
        )
    return ScaleUpNote(False, clause, _launch_fix(reason, message, size, pinned=_pinned(pod)))


def _launch_failed(claim: Mapping[str, Any] | None) -> bool:
    """Whether a NodeClaim's Launched condition carries a failure reason (not launched yet)."""
    conditions = ((claim or {}).get("status") or {}).get("conditions") or []
    launched = next((c for c in conditions if c.get("type") == "Launched"), None)
    return launched is not None and launched.get("status") != "True" and bool(launched.get("reason"))


def _pinned(pod: Mapping[str, Any] | None) -> bool:
    """Whether the pod asks for one VM size by nodeSelector (what `model deploy --vm-size` sets)."""
    selector = ((pod or {}).get("spec") or {}).get("nodeSelector") or {}
    return bool(selector.get(_INSTANCE_TYPE) or selector.get(_SKU_NAME))


def _launch_fix(reason: str, message: str, size: str, *, pinned: bool = False) -> str:
    """The fix for an Azure provider launch failure, by its reason (commonerrorhandlers.go)."""
    others = "or let the NodePool allow other sizes (akscli nodepool add NAME --auto-provision --gpu F)"
    if pinned:
        # Karpenter tries another instance type only among those the pod admits ("may try provision
        # an alternative instance type"; upstream: Azure/karpenter-provider-azure 352646f
        # pkg/providers/instance/offerings/commonerrorhandlers.go marks the offering unavailable):
        # a pod pinned to one size has none, whatever the NodePool allows.
        others = (
            f"or pin the pods to another size the NodePool allows (they ask for {size} by nodeSelector; "
            "akscli model deploy --vm-size SIZE)"
        )
    if reason == "SubscriptionQuotaReached":
        # handleLowPriorityQuotaError names LowPriorityQuota; handleSKUFamilyQuotaError the size.
        kind = (
            "spot (low-priority) vCPU quota" if "LowPriorityQuota" in message else f"vCPU quota of {size}'s VM family"
        )
        return (
            f"raise the subscription's {kind} in the cluster's region (az vm list-usage -l REGION -o table "
            f"shows usage and limits; request more under Quotas in the Azure portal), {others}"
        )
    if reason == "SKUNotAvailable":
        return f"{size} is not offered here (region, zone, or no spot capacity): {others} or other capacity types"
    if "AllocationFailure" in reason:
        return f"Azure has no capacity for {size} now: {others} or zones, or wait and retry"
    return f"see the NodeClaim: akscli nodepool show POOL --auto-provision, {others}"


def _group_text(m: re.Match[str]) -> str:
    group, current, new, most = m.groups()
    pool = _AKS_SCALE_SET.match(group)
    name = f"node pool {pool.group(1)}" if pool else group
    return f"{name} {current}->{new} (max {most})"


def _blocked_fix(message: str, pool: str | None) -> str:
    """The hint for a NotTriggerScaleUp, by its reasons: a full pool first, then the pod's
    requests, then its tolerations and selectors. The autoscaler skips a pool at its maximum size
    before it checks the pod against it (upstream: kubernetes/autoscaler
    cluster-autoscaler-release-1.34 cluster-autoscaler/core/scaleup/orchestrator/orchestrator.go
    filterValidScaleUpNodeGroups), so "max node group size reached" does not say the full pool
    fits the pod, and the message names no pool (ReasonsMessage counts reasons only): POOL stays
    a placeholder unless the pod, or the nodes its selector picks, name one pool. CLUSTER and
    GROUP stay placeholders: a kubeconfig context names neither the ARM cluster nor its group."""
    full = _MAX_REACHED.search(message)
    if full:
        raise_it = f"akscli nodepool scale {pool or 'POOL'} --cluster CLUSTER -g GROUP --max N"
        others = [r for r in _reasons(message) if "max node group size reached" not in r]
        if not others:
            return (
                "the autoscaling node pools are at their maximum size (the cluster autoscaler does not "
                f"check a full pool against the pod): raise the one the pod should run on, e.g. {raise_it}"
            )
        return (
            f"{full.group(1)} autoscaling node pool(s) at their maximum size were not checked against the "
            f"pod and the others do not fit it: raise a full pool that fits it, e.g. {raise_it}, or give the "
            f"pod a pool it fits ({_ADD_POOL})"
        )
    if "in backoff after failed scale-up" in message:
        return (
            "a recent scale-up of the pool failed (Azure capacity or quota) and the autoscaler backs "
            "off before it tries again: see the pool's state with akscli nodepool show"
        )
    if "Insufficient " in message:
        return (
            "no autoscaling node pool's VM size has room for the pod's requests: lower them, or add a "
            f"pool with a larger --vm-size ({_ADD_POOL})"
        )
    if "untolerated taint" in message or "node affinity/selector" in message:
        return (
            "the pod fits no autoscaling node pool: give it the pool's tolerations or node selector, "
            f"deploy with the --vm-size of a pool, or add a pool that fits ({_ADD_POOL})"
        )
    return f"the cluster autoscaler cannot add a node that fits the pod: add a node pool that fits ({_ADD_POOL})"


def _reasons(message: str) -> list[str]:
    return [r.strip() for r in message.removeprefix("pod didn't trigger scale-up: ").split(", ") if r.strip()]


def asked_pool(pod: Mapping[str, Any] | None) -> str | None:
    """The pool the pod asks for by name: a nodeSelector on AKS's pool label, or a required node
    affinity term that allows one pool."""
    spec = (pod or {}).get("spec") or {}
    selector = spec.get("nodeSelector") or {}
    named = next((str(selector[k]) for k in POOL_LABELS if selector.get(k)), None)
    if named:
        return named
    required = (
        ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution")
        or {}
    ).get("nodeSelectorTerms") or []
    pools = set()
    for term in required:  # terms are ORed: every term must name the same single pool
        values = [
            e.get("values") or []
            for e in term.get("matchExpressions") or []
            if e.get("key") in POOL_LABELS and e.get("operator") == "In"
        ]
        if not values or len(values[0]) != 1:
            return None
        pools.add(str(values[0][0]))
    return pools.pop() if len(pools) == 1 else None


def _selected_pool(kube: Kube, pod: Mapping[str, Any]) -> str | None:
    """The one pool whose nodes the pod's nodeSelector picks, or None when it has no selector or
    its nodes are in several pools or none. Where AKS's pool label is set (AKS sets it on every
    node), two requests of one page whatever the pool's size: one node the selector picks, then
    the nodes it picks whose pool label names another pool (the server filters on the label;
    `!=` also matches nodes without it), not every node of the pool."""
    selector = ((pod.get("spec") or {}).get("nodeSelector")) or {}
    if not selector:
        return None
    query = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    first = next(iter(kube.list("v1", "Node", label_selector=query, page_size=1)), None)
    pool = _node_pool(first) if first is not None else ""
    if not pool:
        return None
    # `key!=value` also selects objects without the key (upstream: kubernetes/website
    # content/en/docs/concepts/overview/working-with-objects/labels.md, equality-based requirement).
    if ((first or {}).get("metadata") or {}).get("labels", {}).get(POOL_LABELS[0]) == pool:
        query += f",{POOL_LABELS[0]}!={pool}"
    others = kube.list("v1", "Node", label_selector=query)
    return None if any(_node_pool(node) != pool for node in others) else pool


def _node_pool(node: Mapping[str, Any]) -> str:
    labels = (node.get("metadata") or {}).get("labels") or {}
    return str(labels.get(POOL_LABELS[0]) or labels.get(POOL_LABELS[1]) or "")


def read_note(kube: Kube, namespace: str, pod: str, obj: Mapping[str, Any] | None = None) -> ScaleUpNote | None:
    """The autoscaler's note on one pod (one request for its events; where it says a pool is full,
    the pod and the nodes its selector picks are read to name the pool); None where the events
    cannot be read (a wait's error must not turn into a different one)."""
    from akscli import errors

    try:
        events = object_events(kube, namespace, pod, "Pod")
        said = [e for e in events if e.get("reason") in (*_ADDING, NOT_TRIGGERED)]
        message = str(said[-1].get("message") or "") if said else ""
        claim_name = nominated_claim(events)
        if claim_name:
            claim = _read_claim(kube, claim_name)
            if claim is _GONE:
                return _gone_claim_note(kube, claim_name)
            if _launch_failed(claim) and obj is None:
                obj = kube.get("v1", "Pod", pod, namespace=namespace)  # is it pinned to the size?
            return note(events, obj, claim=claim)
        if not said or said[-1].get("reason") != NOT_TRIGGERED or not _MAX_REACHED.search(message):
            return note(events, obj)
        obj = obj if obj is not None else kube.get("v1", "Pod", pod, namespace=namespace)
        pool = asked_pool(obj)
        if pool is None and obj is not None and len(_reasons(message)) == 1:
            # Every pool the autoscaler considered is full: the one pool the pod's selector picks
            # nodes from is the pod's (with other reasons, the full pool may be another one).
            pool = _selected_pool(kube, obj)
        return note(events, obj, pool)
    except errors.AkscliError:
        return None


# A nominated NodeClaim the API server answers 404 for (not: one that cannot be read).
_GONE: dict[str, Any] = {}


def _read_claim(kube: Kube, name: str) -> dict[str, Any] | None:
    """The nominated NodeClaim (one GET); _GONE where it no longer exists; None where it cannot be
    read: the note then quotes the nomination."""
    from akscli import errors

    try:
        found = kube.get("karpenter.sh/v1", "NodeClaim", name)
    except errors.AkscliError:
        return None
    return _GONE if found is None else found


def _gone_claim_note(kube: Kube, name: str) -> ScaleUpNote:
    """The NodeClaim the pod was nominated to is gone, so no node is on its way from it. Karpenter
    deletes a NodeClaim none of whose sizes can launch, with a Warning InsufficientCapacityError
    event "NodeClaim NAME event: insufficient capacity, all requested instance types were
    unavailable during launch" (or the regional vCPU quota's), and the provider one whose VM failed
    after its create was accepted, with a Warning AsyncProvisioningError "Failed to register: ..."
    (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/nodeclaim/lifecycle/launch.go,
    events.go InsufficientCapacityErrorEvent; Azure/karpenter-provider-azure 352646f
    pkg/cloudprovider/cloudprovider.go Create): its last Warning event is quoted (one list; the
    events of a cluster-scoped object are in namespace default: kubernetes/client-go 0d54cf5
    tools/record/event.go makeEvent, which karpenter pkg/events/recorder.go publishes through)."""
    from akscli import errors

    try:
        warnings = [e for e in object_events(kube, "default", name, "NodeClaim") if e.get("type") == "Warning"]
    except errors.AkscliError:
        warnings = []  # the events are a detail: the claim is gone either way
    last = warnings[-1] if warnings else {}
    text = str(last.get("message") or "")
    why = f": {last.get('reason')}: {text}" if warnings else ""
    clause = f"node auto-provisioning: nodeclaim/{name}, made for it, is gone{why}"
    if _TRIES_ANOTHER in text:
        # The VM's create failed after it was accepted (AsyncProvisioningError "Failed to register:
        # ..."): the claim is deleted and Karpenter makes a new one for what is left (upstream:
        # Azure/karpenter-provider-azure 352646f pkg/cloudprovider/cloudprovider.go
        # handleInstancePromise; commonerrorhandlers.go marks the failed zone or placement).
        return ScaleUpNote(True, clause, "node auto-provisioning is trying another zone or size for it")
    if _REGIONAL_QUOTA in text:
        # handleRegionalQuotaError: an InsufficientCapacityError, "trying any other instance type
        # will not help" (commonerrorhandlers.go).
        return ScaleUpNote(
            False,
            clause,
            "the subscription's regional vCPU quota (Total Regional vCPUs) in the cluster's region is spent: "
            "another size does not help; raise it (az vm list-usage -l REGION -o table shows usage and limits; "
            "request more under Quotas in the Azure portal) or free vCPUs in the region",
        )
    return ScaleUpNote(
        False,
        clause,
        "no size the pod allows could be launched (quota or capacity): pin the pods to another size the "
        "NodePool allows (akscli model deploy --vm-size SIZE), raise the quota, or let the NodePool allow "
        "other sizes; Karpenter makes a new NodeClaim when one can launch",
    )


# The cluster autoscaler's status: ConfigMap kube-system/cluster-autoscaler-status, key "status", a
# YAML document since cluster-autoscaler 1.30 with each node group's health.maxSize (upstream:
# kubernetes/autoscaler d610672 cluster-autoscaler/clusterstate/api/types.go
# ClusterAutoscalerStatus, NodeGroupHealthCondition). AKS's autoscaler writes it
# (MicrosoftDocs/azure-aks-docs fb060ab articles/aks/cluster-autoscaler.md); baremetal/nccl_growth.py
# reads the same document for a full pool's room.
STATUS_NAMESPACE, STATUS_NAME, STATUS_KEY = "kube-system", "cluster-autoscaler-status", "status"


def autoscaled_pools(kube: Kube) -> dict[str, int] | None:
    """Each AKS pool the cluster autoscaler scales, with its largest maxSize (its node groups are
    the pools' scale sets, ``aks-<pool>-<digits>-vmss``), from one GET of its status; None where
    the status cannot be read (no ConfigMap, no right to read it, an older autoscaler's text)."""
    from akscli import yamlio
    from akscli.errors import AkscliError

    try:
        cm = kube.get("v1", "ConfigMap", STATUS_NAME, namespace=STATUS_NAMESPACE)
        text = ((cm or {}).get("data") or {}).get(STATUS_KEY)
        status = yamlio.load(text, f"{STATUS_NAMESPACE}/{STATUS_NAME}") if text else None
    except AkscliError:
        return None
    if not isinstance(status, dict):
        return None
    pools: dict[str, int] = {}
    for group in status.get("nodeGroups") or []:
        found = _AKS_SCALE_SET.match(str((group or {}).get("name") or "").lower())
        if found:
            top = (group.get("health") or {}).get("maxSize")
            size = int(top) if isinstance(top, int | str) and str(top).isdigit() else 0
            pools[found.group(1)] = max(size, pools.get(found.group(1), 0))
    return pools
