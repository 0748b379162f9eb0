"""The scheduler's DefaultPreemption: a pod left Pending that outranks pods on a node where their
room would let it fit evicts them, and waits for that node.

upstream: kubernetes/kubernetes
- pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go:
  - PodEligibleToPreemptOthers: not with preemptionPolicy Never; not while its nominated node
    still has a terminating pod of lower priority (one preemption at a time).
  - SelectVictimsOnNode: every pod on the node of lower priority is removed; if the pod still
    does not fit there, the node is no candidate. The removed pods are then put back one by one,
    first those whose eviction would violate a PodDisruptionBudget, then the others, each group
    the most important first (MoreImportantPod: higher priority, then earlier start), and each
    one the pod cannot fit beside stays a victim (reprievePod); the violating victims are counted.
- pkg/scheduler/framework/preemption/preemption.go filterPodsWithPDBViolation: a pod matching a
  budget of its namespace spends one of status.disruptionsAllowed (not when the budget's
  status.disruptedPods has it); below zero, it violates. Budgets are read from their status, as
  the disruption controller writes it (disruption.py).
- pkg/scheduler/framework/preemption/preemption.go:
  - nodesWherePreemptionMightHelp: only nodes whose filters said Unschedulable, not
    UnschedulableAndUnresolvable (taints, affinity, a DaemonSet pod's other nodes).
  - pickOneNodeForPreemption: the fewest PDB violations, the lowest highest-victim priority, then the lowest sum of
    priorities, then the fewest victims, then the latest start of the highest-priority victims,
    then the first node.
- pkg/scheduler/framework/preemption/executor.go PreemptPod: each victim gets the condition
  DisruptionTarget True, reason PreemptionByScheduler, message "<schedulerName>: preempting to
  accommodate a higher priority pod", then is deleted; the event Normal "Preempted" on the
  victim says "Preempted by pod <preemptor uid> on node <node>".
- pkg/scheduler/schedule_one.go handleSchedulingFailure: the preemptor gets
  status.nominatedNodeName; PostFilter succeeded, so its FailedScheduling message has no
  "preemption:" part (FitError.Error adds PostFilterMsg only when there is one).

Each failed scheduling attempt runs ``post_filter``: a controller's new pod (pods.py, through
``apply``, before its FailedScheduling event) and each Rescheduler retry; the ``Preemption``
controller does it once for pods left Pending by other paths. The pod binds when the victims
are gone: the Rescheduler retries on an assigned pod's delete, the highest priority first (the
scheduling queue's PrioritySort). Not modelled: extenders. Only pods with a
priority above 0 preempt here (a pod of priority 0 can only preempt the rare negative classes).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import KUBE_SCHEDULER, ClusterState
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.node_filters import fit_reasons, node_names
from tests.emulators.kube.controllers.pod_affinity import selector_matches
from tests.emulators.kube.controllers.pod_resources import pod_requests

if TYPE_CHECKING:
    from tests.emulators.kube.controllers.runner import ControllerManager

PAGE = 5000


def priority(pod: dict[str, Any]) -> int:
    """corev1helpers.PodPriority: spec.priority, 0 when unset."""
    return int((pod.get("spec") or {}).get("priority") or 0)


def _usage(pods: list[dict[str, Any]]) -> Counter[str]:
    used: Counter[str] = Counter()
    for p in pods:
        need = pod_requests(p.get("spec") or {})
        need["pods"] = Decimal(1)
        used.update(need)
    return used


def _more_important_first(pod: dict[str, Any]) -> tuple[int, str]:
    """MoreImportantPod as a sort key: higher priority, then the earlier start."""
    status = pod.get("status") or {}
    start = str(status.get("startTime") or (pod.get("metadata") or {}).get("creationTimestamp") or "")
    return -priority(pod), start


def violating(pods: list[dict[str, Any]], pdbs: list[dict[str, Any]]) -> set[int]:
    """filterPodsWithPDBViolation: the indexes of ``pods`` (most important first) whose eviction
    takes a PodDisruptionBudget below zero disruptions allowed. Each matching pod spends one of its
    budget's status.disruptionsAllowed, unless the budget lists it in status.disruptedPods already;
    a pod with no labels, and a budget with no (or an empty) selector, match nothing."""
    allowed = [int((pdb.get("status") or {}).get("disruptionsAllowed") or 0) for pdb in pdbs]
    out = set()
    for i, pod in enumerate(pods):
        md = pod.get("metadata") or {}
        labels = md.get("labels") or {}
        if not labels:
            continue
        for j, pdb in enumerate(pdbs):
            selector = (pdb.get("spec") or {}).get("selector")
            if (pdb.get("metadata") or {}).get("namespace") != md.get("namespace") or not selector:
                continue
            if not selector_matches(selector, labels):
                continue
            if md.get("name") in ((pdb.get("status") or {}).get("disruptedPods") or {}):
                continue
            allowed[j] -= 1
            if allowed[j] < 0:
                out.add(i)
    return out


def select_victims(
    spec: dict[str, Any],
    node: dict[str, Any],
    on_node: list[dict[str, Any]],
    rank: int,
    pdbs: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], int] | None:
    """SelectVictimsOnNode: the fewest lower-priority pods whose removal lets the pod fit, and how
    many of them violate a PodDisruptionBudget; None when removing all of them is not enough. The
    violating pods are reprieved first, then the others, each group most important first."""
    need = pod_requests(spec)
    lower = sorted((p for p in on_node if priority(p) < rank), key=_more_important_first)
    if not lower:
        return None
    kept = [p for p in on_node if priority(p) >= rank]
    if fit_reasons(spec, need, node, lambda: _usage(kept))[0]:
        return None
    bad = violating(lower, pdbs or [])
    victims: list[dict[str, Any]] = []
    violations = 0
    first = [p for i, p in enumerate(lower) if i in bad]
    then = [p for i, p in enumerate(lower) if i not in bad]
    for group, violates in ((first, True), (then, False)):
        for p in group:
            if fit_reasons(spec, need, node, lambda p=p: _usage([*kept, p]))[0]:  # type: ignore[misc]
                victims.append(p)
                violations += violates
            else:
                kept.append(p)
    return sorted(victims, key=_more_important_first), violations


def pick_node(candidates: dict[str, tuple[list[dict[str, Any]], int]]) -> str:
    """pickOneNodeForPreemption: the fewest PodDisruptionBudget violations, then the lowest
    highest-victim priority, the lowest sum, the fewest victims, the latest start, the first node."""

    def key(name: str) -> tuple[int, int, int, int, str, str]:
        victims, violations = candidates[name]
        highest = max(priority(v) for v in victims)
        # the latest start among the highest-priority victims wins: negate by sorting reversed
        starts = [str((v.get("status") or {}).get("startTime") or "") for v in victims if priority(v) == highest]
        return (
            violations,
            highest,
            sum(priority(v) + 2**31 for v in victims),
            len(victims),
            _invert(min(starts)),
            name,
        )

    return min(sorted(candidates), key=key)


def _invert(stamp: str) -> str:
    """An RFC 3339 stamp that sorts in reverse (later first)."""
    return "".join(chr(0x7F - ord(ch)) for ch in stamp)


NEVER = "preemption: not eligible due to preemptionPolicy=Never."
TERMINATING = "preemption: not eligible due to a terminating pod on the nominated node."


@dataclass
class Outcome:
    """PostFilter's result for one scheduling attempt: the node the pod is nominated for (its
    victims evicted), and the pod's new PodScheduled message, None where the scheduler's stands."""

    node: str | None = None
    message: str | None = None
    # Preempt found no candidate: NewPostFilterResultWithNominatedNode(""), so a stale nomination (its
    # node gone, or no room to make there any more) is cleared and holds no room (upstream:
    # kubernetes/kubernetes pkg/scheduler/framework/preemption/preemption.go Preempt; schedule_one.go
    # updatePod writes the "" in ModeOverride, and the nominator drops the pod).
    clear: bool = False


def _fit_part(message: str) -> str:
    return message.split(" preemption: ")[0]


def post_filter(cluster: ClusterState, pod: dict[str, Any], message: str) -> Outcome:
    """DefaultPreemption's PostFilter for a pod the filters left with ``message`` (FitError.Error).
    Evicts the victims when it finds some. Preempt: PodEligibleToPreemptOthers first, then the
    candidates, pickOneNodeForPreemption, prepareCandidate."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    if spec.get("preemptionPolicy") == "Never":
        return Outcome(None, f"{_fit_part(message)} {NEVER}")
    rank = priority(pod)
    nominated = status.get("nominatedNodeName")
    if rank <= 0 and not nominated:
        return Outcome()  # no pod of a lower priority to find here (negative classes not modelled)
    if nominated:
        on_nominated = _pods_on(cluster, nominated)
        if any(priority(p) < rank and _preempted(p) for p in on_nominated):
            return Outcome(None, f"{_fit_part(message)} {TERMINATING}")
    candidates: dict[str, tuple[list[dict[str, Any]], int]] = {}
    pdbs: list[dict[str, Any]] | None = None  # getPodDisruptionBudgets, read once a node is a candidate
    need = pod_requests(spec)
    for node in _nodes(cluster, node_names(spec)):
        node_name = node["metadata"]["name"]
        read: list[list[dict[str, Any]]] = []  # the node's pods, decoded once the node passes the filters before fit

        def usage(node_name: str = node_name, read: list[list[dict[str, Any]]] = read) -> Counter[str]:
            read.append(_pods_on(cluster, node_name))
            return _usage(read[0])

        reasons, resolvable = fit_reasons(spec, need, node, usage)
        if not reasons or not resolvable:
            continue  # fits already (the Rescheduler binds it), or preemption cannot help
        if pdbs is None:
            pdbs = cluster.list("policy/v1", "PodDisruptionBudget")
        found = select_victims(spec, node, read[0], rank, pdbs)
        if found:
            candidates[node_name] = found
    if not candidates:
        return Outcome(clear=bool(nominated))
    chosen = pick_node(candidates)
    scheduler = str(spec.get("schedulerName") or "default-scheduler")
    for victim in candidates[chosen][0]:
        _evict(cluster, victim, pod, chosen, scheduler)
    return Outcome(chosen, _fit_part(message))


def apply(cluster: ClusterState, pod: dict[str, Any], message: str) -> tuple[dict[str, Any], str]:
    """post_filter, then the pod's status as handleSchedulingFailure writes it: nominatedNodeName
    and the PodScheduled message. Returns the pod and the message its FailedScheduling event says."""
    outcome = post_filter(cluster, pod, message)
    status = pod.get("status") or {}
    patch: dict[str, Any] = {}
    if outcome.node is not None or outcome.clear:
        patch["nominatedNodeName"] = outcome.node
    final = outcome.message if outcome.message is not None else message
    conditions = status.get("conditions") or []
    if any(c.get("type") == "PodScheduled" and c.get("message") != final for c in conditions):
        patch["conditions"] = [{**c, "message": final} if c.get("type") == "PodScheduled" else c for c in conditions]
    if not patch:
        return pod, final
    md = pod["metadata"]
    return cluster.patch_status("v1", "Pod", md["namespace"], md["name"], patch), final


def _preempted(pod: dict[str, Any]) -> bool:
    """podTerminatingByPreemption: terminating, with the scheduler's DisruptionTarget condition."""
    return bool(pod["metadata"].get("deletionTimestamp")) and any(
        c.get("type") == "DisruptionTarget" and c.get("reason") == "PreemptionByScheduler"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _evict(cluster: ClusterState, victim: dict[str, Any], pod: dict[str, Any], node: str, by: str) -> None:
    md = victim["metadata"]
    condition = {
        "type": "DisruptionTarget",
        "status": "True",
        "reason": "PreemptionByScheduler",
        "message": f"{by}: preempting to accommodate a higher priority pod",
        "lastTransitionTime": now_iso(),
    }
    conditions = (victim.get("status") or {}).get("conditions") or []
    others = [c for c in conditions if c.get("type") != "DisruptionTarget"]
    updated = cluster.patch_status("v1", "Pod", md["namespace"], md["name"], {"conditions": [*others, condition]})
    cluster.add_event(updated, "Preempted", f"Preempted by pod {pod['metadata']['uid']} on node {node}")
    cluster.delete("v1", "Pod", md["namespace"], md["name"])


def _nodes(cluster: ClusterState, names: set[str] | None) -> list[dict[str, Any]]:
    if names is not None:  # NodeAffinity's PreFilter: the other nodes are unresolvable
        return [n for n in (cluster.get("v1", "Node", None, name) for name in sorted(names)) if n is not None]
    nodes, after = [], None
    while True:
        entries, after, _ = cluster.api.store.page("/nodes", "", after, PAGE, None)
        nodes.extend(json.loads(e.raw) for e in entries)
        if after is None:
            return nodes


def _pods_on(cluster: ClusterState, node: str) -> list[dict[str, Any]]:
    """The pods the node holds, from the store's index of pods by node (a node's pods are
    decoded only when it is checked); terminating pods still count (the scheduler's NodeInfo)."""
    return [
        json.loads(e.raw)
        for e in cluster.api.store.on_node("/pods", node)
        if (e.fields or ("", ""))[1] not in ("Succeeded", "Failed")
    ]


class Preemption(Controller):
    """PostFilter for the pods left Pending by paths that do not call ``apply`` themselves (a
    Job's or a RayCluster's pods): each new one is handled once, on the index's pending event."""

    # the scheduler's (cluster.KUBE_SCHEDULER: kubernetes/kubernetes cmd/kube-scheduler/app/options/options.go
    # createClients; its preemption is pkg/scheduler/framework/preemption/preemption.go)
    field_manager: ClassVar[str | None] = KUBE_SCHEDULER

    watches: list[tuple[str, str]] = []  # noqa: RUF012  (follows the unschedulable-pod index)

    def attach(self, manager: ControllerManager) -> None:
        from tests.emulators.kube.controllers.rescheduling import unschedulable_pods

        def on_change(what: str, obj: dict[str, Any]) -> None:
            if what != "pending":
                return
            md = obj.get("metadata") or {}
            ns, name, uid = str(md.get("namespace", "")), str(md.get("name", "")), md.get("uid")
            manager.call_later(self, lambda cluster: self.preempt(cluster, ns, name, uid), self.delay)

        unschedulable_pods(manager.api).changed.append(on_change)

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        del cluster, obj

    def preempt(self, cluster: ClusterState, namespace: str, name: str, uid: Any) -> None:
        from tests.emulators.kube.controllers.rescheduling import is_unschedulable

        pod = cluster.get("v1", "Pod", namespace, name)
        if pod is None or pod["metadata"].get("uid") != uid or not is_unschedulable(pod):
            return
        status = pod.get("status") or {}
        if status.get("nominatedNodeName"):
            return  # handled where it was made
        message = next(
            (c.get("message") for c in status.get("conditions") or [] if c.get("type") == "PodScheduled"), ""
        )
        if NEVER in str(message) or TERMINATING in str(message):
            return
        apply(cluster, pod, str(message))
