"""Pending pods are tried again when the cluster changes, as kube-scheduler's queue does.

kube-scheduler keeps a pod it could not place in its unschedulable queue and moves it back to
the active queue on a cluster event one of the failing plugins registered for (upstream:
kubernetes/kubernetes v1.34 pkg/scheduler/backend/queue/scheduling_queue.go
MoveAllToActiveOrBackoffQueue, called from pkg/scheduler/eventhandlers.go addNodeToCache /
updateNodeInCache for a Node add or update, and from deletePodFromCache for an assigned pod's
delete; the plugins' EventsToRegister: NodeUnschedulable and TaintToleration on Node
Add|UpdateNodeTaint, NodeAffinity on Node Add|UpdateNodeLabel, NodeResourcesFit on Node
Add|UpdateNodeAllocatable and assigned Pod Delete; VolumeBinding on PersistentVolumeClaim Add|Update,
kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding/volume_binding.go
EventsToRegister). The emulator does the same on those events:

- ``UnschedulablePods`` keeps the keys of the pods the scheduler left Pending, from pod events
  (one dict look-up per pod write), so a retry never scans the cluster's pods: the gpu usage
  bench's 200,000 pods and 75,000 nodes are bulk-loaded without events and cost nothing here.
- ``Rescheduler`` runs one pass over those pods on a Node added or changed, or an assigned pod
  deleted, while any are waiting. A pod that now fits is bound (``spec.nodeName``, the
  scheduler's ``Scheduled`` event: "Successfully assigned <ns>/<pod> to <node>",
  pkg/scheduler/schedule_one.go finishBinding) and starts as the
  kubelet would start it; the controllers that own it reconcile again (a Deployment's
  readyReplicas, a Job's completion, a RayCluster's state follow the pod, as their informers
  would). A pod that still fits nowhere gets the scheduler's new message when it changed.

Pods a controller's injected failure mode (``failure="unschedulable"``) leaves Pending are not
the scheduler's: ``mark_injected`` keeps them Pending whatever nodes arrive.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import KUBE_SCHEDULER, KUBELET, ClusterState
from tests.emulators.kube.controllers.base import PassController
from tests.emulators.kube.controllers.scheduling import Scheduler
from tests.emulators.kube.status import ApiError

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver import ApiServer, Ctx
    from tests.emulators.kube.controllers.runner import ControllerManager
    from tests.emulators.kube.resources import ResourceType


def is_unschedulable(pod: dict[str, Any]) -> bool:
    """Pending, unbound, with the scheduler's PodScheduled=False Unschedulable condition."""
    if (pod.get("spec") or {}).get("nodeName"):
        return False
    status = pod.get("status") or {}
    if status.get("phase") != "Pending":
        return False
    return any(
        c.get("type") == "PodScheduled" and c.get("status") == "False" and c.get("reason") == "Unschedulable"
        for c in status.get("conditions") or []
    )


class UnschedulablePods:
    """The keys ('namespace/name') of the pods the scheduler could not place, with their uid."""

    def __init__(self, api: ApiServer) -> None:
        self._lock = threading.Lock()
        self.pending: dict[str, str] = {}
        self.injected: set[str] = set()
        self.changed: list[Any] = []  # callbacks (typ, obj) for the Rescheduler and the autoscaler
        # How many events that may make a pending pod fit have come (a Node added or changed, a claim
        # added or changed, an assigned pod deleted): the scheduling queue's moveRequestCycle. A
        # scheduling attempt notes it when it starts (scheduling.Scheduler.cycle); one that fails
        # after it moved on sends its pod back to be tried again (attempt_failed).
        self.moves = 0
        api.listeners.append(self._on_event)

    def _moved(self) -> None:
        with self._lock:
            self.moves += 1

    def attempt_failed(self, pod: dict[str, Any], cycle: int) -> None:
        """A scheduling attempt that started at ``cycle`` left ``pod`` Unschedulable. Where an event
        came since, kube-scheduler puts the pod in its backoff queue, not with the unschedulable pods
        (upstream: kubernetes/kubernetes 003b4460 pkg/scheduler/backend/queue/scheduling_queue.go
        AddUnschedulableIfNotPresent: determineSchedulingHintForInFlightPod over the events that came
        while the pod was in flight; addUnschedulableWithoutQueueingHint: moveRequestCycle >=
        podSchedulingCycle), so it is tried again: an event the attempt did not see is never lost."""
        md = pod.get("metadata") or {}
        key = f"{md.get('namespace')}/{md.get('name')}"
        with self._lock:
            missed = self.moves > cycle and key in self.pending
        if missed:
            for fn in list(self.changed):
                fn("moved", pod)

    def _on_event(self, typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
        if rt.group != "" or rt.kind != "Pod":
            if rt.group == "" and rt.kind in ("Node", "PersistentVolumeClaim") and typ != "DELETED":
                self._moved()
            if rt.group == "" and rt.kind == "Node" and typ != "DELETED":
                for fn in list(self.changed):
                    fn("node", obj)
            elif rt.group == "" and rt.kind == "PersistentVolumeClaim" and typ != "DELETED" and self.pending:
                # VolumeBinding's EventsToRegister (kubernetes/kubernetes pkg/scheduler/framework/plugins/
                # volumebinding/volume_binding.go): PersistentVolumeClaim Add|Update (a claim bound
                # since lets a pod its PreFilter held through).
                for fn in list(self.changed):
                    fn("claim", obj)
            return
        md = obj.get("metadata") or {}
        key = f"{md.get('namespace')}/{md.get('name')}"
        uid = str(md.get("uid", ""))
        with self._lock:
            waiting = typ != "DELETED" and uid not in self.injected and is_unschedulable(obj)
            if waiting:
                new = key not in self.pending
                self.pending[key] = uid
            else:
                new = False
                self.pending.pop(key, None)
        if typ == "DELETED" and (obj.get("spec") or {}).get("nodeName"):
            self._moved()  # counted even with no pod waiting: an attempt in flight may need it
        if new:
            for fn in list(self.changed):
                fn("pending", obj)
        elif typ == "DELETED" and (obj.get("spec") or {}).get("nodeName") and self.pending:
            # An assigned pod's delete frees what it requested (NodeResourcesFit's Pod/Delete).
            for fn in list(self.changed):
                fn("freed", obj)

    def mark_injected(self, uid: str, key: str) -> None:
        with self._lock:
            self.injected.add(uid)
            self.pending.pop(key, None)

    def snapshot(self) -> dict[str, str]:
        with self._lock:
            return dict(self.pending)

    def discard(self, key: str) -> None:
        with self._lock:
            self.pending.pop(key, None)


_INDEXES: weakref.WeakKeyDictionary[Any, UnschedulablePods] = weakref.WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def unschedulable_pods(api: ApiServer) -> UnschedulablePods:
    """The emulator's one index (made, and its listener registered, on first use)."""
    with _INDEX_LOCK:
        index = _INDEXES.get(api)
        if index is None:
            index = _INDEXES[api] = UnschedulablePods(api)
        return index


def waiting_pods(cluster: ClusterState) -> list[dict[str, Any]]:
    """The pods the scheduler left Pending, as they are now, in key order: what the autoscaler
    and NAP emulators scale up for (a pod bound or deleted since is left out). A DaemonSet's pod
    is not one: a new node would not run it on its node (upstream: kubernetes-sigs/karpenter
    pkg/utils/pod/scheduling.go IsProvisionable, !IsOwnedByDaemonSet; kubernetes/autoscaler
    cluster-autoscaler/core/podlistprocessor/filter_out_daemon_sets.go)."""
    waiting = []
    for key in sorted(unschedulable_pods(cluster.api).snapshot()):
        ns, _, name = key.partition("/")
        pod = cluster.get("v1", "Pod", ns, name)
        owners = (pod or {}).get("metadata", {}).get("ownerReferences") or []
        daemon = any(o.get("kind") == "DaemonSet" and o.get("apiVersion") == "apps/v1" for o in owners)
        if pod is not None and is_unschedulable(pod) and not daemon:
            waiting.append(pod)
    return waiting


def attempt_failed(cluster: ClusterState, pod: dict[str, Any], cycle: int) -> None:
    """``pod`` (as written, Unschedulable) failed the attempt that started at ``cycle``
    (UnschedulablePods.attempt_failed)."""
    unschedulable_pods(cluster.api).attempt_failed(pod, cycle)


def mark_injected(cluster: ClusterState, pod: dict[str, Any]) -> None:
    md = pod.get("metadata") or {}
    unschedulable_pods(cluster.api).mark_injected(str(md.get("uid", "")), f"{md.get('namespace')}/{md.get('name')}")


def running_status(spec: dict[str, Any], node: str) -> dict[str, Any]:
    # The kubelet's Running status (upstream: kubernetes/kubernetes pkg/kubelet/kubelet_pods.go
    # generateAPIPodStatus, the status a pod on a Ready node reports once its containers run).
    from tests.emulators.kube.controllers.pods import pod_status

    return pod_status(spec, None, "Running", node)


def requeue_owners(manager: ControllerManager | None, cluster: ClusterState, obj: dict[str, Any]) -> None:
    """Reconcile again every controller that watches the pod's owners, up the owner chain (a
    ReplicaSet's Deployment, a RayCluster's RayJob), as their informers would on the change."""
    if manager is None:
        return
    ns = (obj.get("metadata") or {}).get("namespace")
    refs = list((obj.get("metadata") or {}).get("ownerReferences") or [])
    seen: set[str] = set()
    while refs:
        ref = refs.pop(0)
        if ref.get("uid") in seen or len(seen) > 8:
            continue
        seen.add(str(ref.get("uid")))
        try:
            rt = cluster.api.rt(ref["apiVersion"], ref["kind"])
            owner = cluster.get(ref["apiVersion"], ref["kind"], ns if rt.namespaced else None, ref["name"])
        except Exception:
            continue
        if owner is None:
            continue
        for c in list(manager.controllers):
            if manager._watching(c, rt):
                manager.schedule(c, owner, c.delay)
        refs.extend((owner.get("metadata") or {}).get("ownerReferences") or [])


class Rescheduler(PassController):
    """Binds waiting pods when a node arrives or changes (see the module docstring)."""

    # the scheduler's (cluster.KUBE_SCHEDULER: kubernetes/kubernetes cmd/kube-scheduler/app/options/options.go
    # createClients); the pod's status after is its kubelet's (pkg/kubelet/status/status_manager.go)
    field_manager: ClassVar[str | None] = KUBE_SCHEDULER

    watches: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.index: UnschedulablePods | None = None
        # Called with (namespace, name) after a waiting pod is read and placed, before the pass
        # writes to it: where another client's delete can land. Tests set it to force that race.
        self.before_write: Callable[[str, str], None] | None = None

    def attach(self, manager: ControllerManager) -> None:
        self.index = unschedulable_pods(manager.api)
        self.index.changed.append(self._on_change)

    def _on_change(self, what: str, obj: dict[str, Any]) -> None:
        # One pass for a burst of node events, while any pod waits.
        if what != "pending" and self.index is not None and self.index.pending:
            self.queue_pass()

    def run_pass(self, cluster: ClusterState) -> None:
        self.retry(cluster)

    def retry(self, cluster: ClusterState) -> int:
        """One pass over the waiting pods; how many it bound."""
        from tests.emulators.kube.controllers import volume_prebind  # it imports this module

        index = self.index or unschedulable_pods(cluster.api)
        scheduler = Scheduler(cluster)
        bound = 0
        waiting = []
        for key in sorted(index.snapshot()):
            ns, _, name = key.partition("/")
            pod = cluster.get("v1", "Pod", ns, name)
            if pod is None or not is_unschedulable(pod):
                index.discard(key)
                continue
            if volume_prebind.holding(cluster, ns, name):
                continue  # placed, waiting in VolumeBinding's PreBind for its claims (volume_prebind.py cites it)
            waiting.append((key, ns, name, pod))
        # the scheduling queue's PrioritySort: the highest priority first (a preemptor before the
        # replacements of the pods it evicted; upstream: kubernetes/kubernetes
        # pkg/scheduler/framework/plugins/queuesort/priority_sort.go Less)
        waiting.sort(key=lambda w: -int((w[3].get("spec") or {}).get("priority") or 0))
        for key, ns, name, pod in waiting:
            try:
                placed = self._place(cluster, scheduler, ns, name, pod)
            except ApiError as exc:
                # The pod was deleted after this pass read it (a user's delete, its owner's scale
                # down): it is gone, not a fault of the scheduler, which drops a pod its informer no
                # longer has instead of binding or requeueing it (upstream: kubernetes/kubernetes
                # pkg/scheduler/schedule_one.go handleSchedulingFailure, "Pod doesn't exist in
                # informer cache"), as controllers take NotFound on their own writes for "already
                # gone" (pkg/controller/controller_utils.go RealPodControl.DeletePod, "Pod has
                # already been deleted.").
                if exc.code != 404 or cluster.get("v1", "Pod", ns, name) is not None:
                    raise
                index.discard(key)
                continue
            if placed is not None:
                index.discard(key)
                bound += 1
                requeue_owners(self._manager, cluster, placed)
        return bound

    def _place(
        self, cluster: ClusterState, scheduler: Scheduler, ns: str, name: str, pod: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Bind one waiting pod and return it bound, or record why it still fits nowhere (None)."""
        from tests.emulators.kube.controllers import volume_prebind  # it imports this module

        spec = pod.get("spec") or {}
        owner = next((r.get("uid", "") for r in pod["metadata"].get("ownerReferences") or []), "")
        placement = scheduler.place(spec, owner, pod["metadata"])
        if self.before_write is not None:
            self.before_write(ns, name)
        if placement.node is None:
            old = next((c for c in pod["status"]["conditions"] if c.get("type") == "PodScheduled"), {})
            message = placement.message
            if message:
                # the scheduler's PostFilter: DefaultPreemption (preemption.py)
                from tests.emulators.kube.controllers import preemption

                outcome = preemption.post_filter(cluster, pod, message)
                message = outcome.message if outcome.message is not None else message
                # a stale nomination is cleared (None), as upstream kubernetes/kubernetes
                # pkg/scheduler/framework/preemption/preemption.go Preempt does
                if outcome.node is not None or outcome.clear:
                    cluster.patch_status("v1", "Pod", ns, name, {"nominatedNodeName": outcome.node})
            if message and message != old.get("message"):
                condition = {**old, "message": message, "lastTransitionTime": now_iso()}
                conditions = [c for c in pod["status"]["conditions"] if c.get("type") != "PodScheduled"]
                cluster.patch_status("v1", "Pod", ns, name, {"conditions": [condition, *conditions]})
                cluster.add_event(pod, "FailedScheduling", message, "Warning")
            return None
        if volume_prebind.hold(cluster, pod, placement.node, placement.claims):
            return None  # PreBind binds it once its claims are bound (volume_prebind.py)
        cluster.bind(ns, name, placement.node)
        updated = cluster.patch_status("v1", "Pod", ns, name, running_status(spec, placement.node), manager=KUBELET)
        cluster.add_event(updated, "Scheduled", f"Successfully assigned {ns}/{name} to {placement.node}")
        return updated
