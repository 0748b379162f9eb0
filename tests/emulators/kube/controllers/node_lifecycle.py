"""The node lifecycle controller's condition taints and the taint eviction controller, as
kube-controller-manager runs them.

- Taints from conditions (upstream: kubernetes/kubernetes pkg/controller/nodelifecycle/
  node_lifecycle_controller.go nodeConditionToTaintKeyStatusMap and doNoScheduleTaintingPass,
  NoSchedule: Ready False -> node.kubernetes.io/not-ready, Ready Unknown -> unreachable,
  MemoryPressure/DiskPressure/PIDPressure/NetworkUnavailable True -> memory-pressure,
  disk-pressure, pid-pressure, network-unavailable, spec.unschedulable -> unschedulable;
  doNoExecuteTaintingPass and markNodeAsReachable: Ready False -> not-ready:NoExecute, Unknown ->
  unreachable:NoExecute, each replacing the other, both gone once Ready is True again).
  pkg/controller/util/node/controller_utils.go SwapNodeControllerTaint stamps timeAdded on each
  taint it adds. Not modelled: the per-zone rate limit of the NoExecute pass
  (evictionLimiterQPS) and the zone states.
- A silent kubelet (upstream: node_lifecycle_controller.go monitorNodeHealth, tryUpdateNodeHealth):
  the emulator's kubelets renew their node's Lease in kube-node-lease (node_leases.py) until a
  test stops one (``stop_kubelet``), every 10 s of wall time (``renew_interval``; with more than
  ``wall_clock_renewals_max`` running kubelets only on ``advance``) and when the clock moves on;
  a stopped kubelet's node is probed as tryUpdateNodeHealth does: probeTimestamp is the
  controller's clock when it observed a heartbeat, a Lease renewTime later than the one it saw
  or a Ready lastHeartbeatTime other than the one it saw, through its Lease and Node events and
  each health pass (what the stamps say is not read as a time; upstream: kubernetes/kubernetes
  pkg/controller/nodelifecycle/node_lifecycle_controller.go), so a Lease that someone else
  renews keeps the node healthy;
  ``node_monitor_grace_period`` (50 s, the default since kubernetes/kubernetes#126287, 1.32;
  nodeStartupGracePeriod 60 s for a node whose kubelet never posted Ready) after the last
  heartbeat observed, the health pass sets Ready, MemoryPressure, DiskPressure and PIDPressure Unknown
  (reason NodeStatusUnknown "Kubelet stopped posting node status.", lastHeartbeatTime kept; one
  never posted: NodeStatusNeverUpdated "Kubelet never posted node status."), NetworkUnavailable
  left alone, and the node then gets the unreachable taints and MarkPodsNotReady as below. The
  pass visits every node, as upstream's does every nodeMonitorPeriod, but reads only the
  silent ones (the others' leases are fresh); it runs on ``advance`` and when a grace period
  ends on the wall clock. ``start_kubelet`` posts Ready True again (the kubelet's ReadyCondition
  setter: KubeletReady "kubelet is posting ready status").
- Taint-based eviction (upstream: kubernetes/kubernetes pkg/controller/tainteviction/
  taint_eviction.go processPodOnNode): a pod on a node with NoExecute taints is deleted at once
  where one is not tolerated, never where all are tolerated for ever, else once the smallest
  tolerationSeconds of the tolerations used has passed since the controller first saw it so
  (getMinTolerationTime; a later, shorter one does not move an earlier deadline on); a taint
  removed in time cancels it. Before the delete: the Normal event TaintManagerEviction "Marking
  for deletion Pod NS/NAME" and the pod's DisruptionTarget condition, reason
  DeletionByTaintManager (addConditionAndDeletePod).
- The tolerations read are the pod's as stored: the emulated API server runs the
  DefaultTolerationSeconds admission plugin (tests/emulators/kube/admission_pods.py), so a pod
  that had no not-ready or unreachable NoExecute toleration carries the 300 s ones.

Time is the simulator's clock: time.monotonic() plus what a test moved it on with ``advance``
(no sleeps); a deadline due on the wall clock is run then (call_later).
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import KUBE_CONTROLLER_MANAGER, KUBELET, ClusterState, retry_on_conflict
from tests.emulators.kube.controllers import node_leases
from tests.emulators.kube.controllers.base import Controller, PassHeld
from tests.emulators.kube.controllers.node_filters import _tolerates
from tests.emulators.kube.controllers.pods import PodOwner, controller_of
from tests.emulators.kube.status import ApiError

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver_common import Ctx
    from tests.emulators.kube.controllers.runner import ControllerManager
    from tests.emulators.kube.resources import ResourceType

NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
# nodeConditionToTaintKeyStatusMap: condition type -> {status: taint key}
CONDITION_TAINTS = {
    "Ready": {"False": NOT_READY, "Unknown": UNREACHABLE},
    "MemoryPressure": {"True": "node.kubernetes.io/memory-pressure"},
    "DiskPressure": {"True": "node.kubernetes.io/disk-pressure"},
    "NetworkUnavailable": {"True": "node.kubernetes.io/network-unavailable"},
    "PIDPressure": {"True": "node.kubernetes.io/pid-pressure"},
}
CONTROLLER_KEYS = {k for m in CONDITION_TAINTS.values() for k in m.values()} | {"node.kubernetes.io/unschedulable"}


def min_toleration_seconds(taints: list[dict[str, Any]], tolerations: list[dict[str, Any]]) -> float | None:
    """Seconds the pod may stay (0: evict now), None for ever (taint_eviction.go processPodOnNode:
    v1helper.GetMatchingTolerations takes the first toleration of each taint, none for one taint
    is 0; getMinTolerationTime: the smallest tolerationSeconds set, <= 0 is 0, none set is for ever)."""
    used = []
    for taint in taints:
        match = next((t for t in tolerations if _tolerates([t], taint)), None)
        if match is None:
            return 0.0
        used.append(match)
    seconds = [int(t["tolerationSeconds"]) for t in used if t.get("tolerationSeconds") is not None]
    return float(max(0, min(seconds))) if seconds else None


def wanted_taints(node: dict[str, Any]) -> set[tuple[str, str]]:
    """(key, effect) of the taints the node lifecycle controller keeps on the node."""
    want: set[tuple[str, str]] = set()
    for c in (node.get("status") or {}).get("conditions") or []:
        key = CONDITION_TAINTS.get(str(c.get("type")), {}).get(str(c.get("status")))
        if key:
            want.add((key, "NoSchedule"))
    if (node.get("spec") or {}).get("unschedulable"):
        want.add(("node.kubernetes.io/unschedulable", "NoSchedule"))
    ready = next((c for c in (node.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"), None)
    if ready is not None and ready.get("status") == "False":
        want.add((NOT_READY, "NoExecute"))
    elif ready is not None and ready.get("status") == "Unknown":
        want.add((UNREACHABLE, "NoExecute"))
    return want


def unknown_conditions(node: dict[str, Any], conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The node's conditions once its kubelet is silent past the grace period: Ready and the
    pressure conditions Unknown, those it never posted added (upstream: kubernetes/kubernetes
    pkg/controller/nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth)."""
    stamp = now_iso()
    out = [dict(c) for c in conditions]
    for kind in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure"):
        current = next((c for c in out if c.get("type") == kind), None)
        if current is None:
            out.append(
                {
                    "type": kind,
                    "status": "Unknown",
                    "reason": "NodeStatusNeverUpdated",
                    "message": "Kubelet never posted node status.",
                    "lastHeartbeatTime": node["metadata"].get("creationTimestamp"),
                    "lastTransitionTime": stamp,
                }
            )
        elif current.get("status") != "Unknown":
            current.update(
                status="Unknown",
                reason="NodeStatusUnknown",
                message="Kubelet stopped posting node status.",
                lastTransitionTime=stamp,
            )
    return out


class NodeLifecycleController(Controller):
    # kube-controller-manager's node lifecycle controller: kubernetes/kubernetes
    # cmd/kube-controller-manager/app/core.go ClientBuilder.ClientOrDie("node-controller"), whose user
    # agent keeps the binary's name first (cluster.KUBE_CONTROLLER_MANAGER)
    field_manager: ClassVar[str | None] = KUBE_CONTROLLER_MANAGER
    watches: ClassVar[list[tuple[str, str]]] = [("v1", "Node")]

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        # kubernetes/kubernetes pkg/controller/nodelifecycle reads an injected clock; here a test moves it instead.
        self._clock = PassHeld()  # what a test moved the clock on (advance)
        self._lock = threading.Lock()
        # pod uid -> (its node, clock time its eviction was first scheduled)
        self._since: dict[str, tuple[str, float]] = {}
        self._ready: dict[str, str] = {}  # node name -> the Ready status last seen
        self._marked: set[str] = set()  # uids of the pods marked not ready
        self._silent: dict[str, float] = {}  # node name -> clock time of its kubelet's last heartbeat
        self._leased: dict[str, float] = {}  # node name -> wall clock time of its Lease's last renewal
        # a silent node's nodeHealthData: clock time of the last heartbeat observed (probeTimestamp),
        # the Ready lastHeartbeatTime and the Lease renewTime it was observed with
        self._health: dict[str, tuple[float, Any, float | None]] = {}
        self._renewing = False  # the kubelets' renewal timer is set
        self.renew_interval = node_leases.RENEW_INTERVAL_S  # seconds between a kubelet's renewals
        # Above this many running kubelets with a Lease, renewals happen only when a test moves the
        # clock (advance): a renewal costs about 1 ms here, and 75,000 kubelets renewing every 10 s
        # would be 7,500 writes a second.
        self.wall_clock_renewals_max = 500
        self.node_monitor_grace_period = 50.0  # kube-controller-manager --node-monitor-grace-period
        self.node_startup_grace_period = 60.0  # --node-startup-grace-period

    @property
    def offset(self) -> float:
        return self._clock.read()

    def clocks(self) -> tuple[PassHeld, ...]:
        return (*super().clocks(), self._clock)

    def now(self) -> float:
        return self._clock.monotonic()

    def wall(self) -> float:
        """The simulator's clock as wall time (what a Lease's renewTime records)."""
        return self._clock.wall()

    def advance(self, seconds: float) -> None:
        """Move the clock on, run the health pass, then look at every node again (evictions now
        due run)."""
        self._clock.move(seconds)
        if self._manager is not None:
            self._manager.call_later(self, self._tick, 0.0)
            for node in self._manager.cluster.list("v1", "Node"):
                self._manager.schedule(self, node, 0.0)

    def _tick(self, cluster: ClusterState) -> int:
        """The running kubelets renew their Leases a renew interval on, then the health pass."""
        wall = self.wall()
        with self._lock:
            due = [n for n, at in self._leased.items() if n not in self._silent and wall - at >= self.renew_interval]
        for name in due:
            self._renew(cluster, name, wall)
        return self.monitor_node_health(cluster)

    def attach(self, manager: ControllerManager) -> None:
        """Follow the writes of a silent node's Lease and Node status, as the controller's Lease
        and Node informers do: a change is a heartbeat when it is observed."""

        def on_event(typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
            del ctx
            if typ == "DELETED" or (rt.kind, rt.group) not in (("Lease", "coordination.k8s.io"), ("Node", "")):
                return
            md = obj.get("metadata") or {}
            name = str(md.get("name") or "")
            if name not in self._health:
                return
            if rt.kind == "Node":
                self._observe(name, node=obj)
            elif md.get("namespace") == node_leases.NAMESPACE:
                self._observe(name, lease=obj)

        manager.api.listeners.append(on_event)

    def _observe(self, name: str, node: dict[str, Any] | None = None, lease: dict[str, Any] | None = None) -> None:
        """tryUpdateNodeHealth's probeTimestamp: now, when the Ready condition's lastHeartbeatTime
        differs from the one last seen, or the Lease's renewTime is later than the one last seen;
        what the stamps say is not read as a time (upstream: kubernetes/kubernetes
        pkg/controller/nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth, "Always update
        the probe time if node lease is renewed": savedLease.Spec.RenewTime.Before(observed))."""
        now = self.now()
        with self._lock:
            record = self._health.get(name)
            if record is None:
                return
            probe, heartbeat, renewed = record
            if node is not None:
                conditions = (node.get("status") or {}).get("conditions") or []
                ready = next((c for c in conditions if c.get("type") == "Ready"), None)
                beat = None if ready is None else ready.get("lastHeartbeatTime")
                if beat != heartbeat:
                    probe, heartbeat = now, beat
            if lease is not None:
                renew = node_leases.parse_time((lease.get("spec") or {}).get("renewTime"))
                if renew is not None and (renewed is None or renewed < renew):
                    probe, renewed = now, renew
            self._health[name] = (probe, heartbeat, renewed)

    def _schedule_renewals(self) -> None:
        """The kubelets renew their Leases every renew interval of wall time (10 s), besides when a
        test moves the clock on: one timer for all of them, set while a running kubelet has one."""
        with self._lock:
            if self._renewing or self._manager is None:
                return
            self._renewing = True
        self._manager.call_later(self, self._renewal_tick, self.renew_interval)

    def _renewal_tick(self, cluster: ClusterState) -> None:
        wall = self.wall()
        with self._lock:
            running = {n: at for n, at in self._leased.items() if n not in self._silent}
            self._renewing = False
        if len(running) > self.wall_clock_renewals_max:
            return  # renewed on advance only; the timer is set again by the next Lease made
        for name, at in running.items():
            if wall - at >= self.renew_interval - 0.05:
                self._renew(cluster, name, wall)
        if running:
            self._schedule_renewals()

    def _renew(self, cluster: ClusterState, name: str, wall: float) -> None:
        with contextlib.suppress(ApiError):
            node_leases.renew(cluster, name, wall)
            with self._lock:
                self._leased[name] = wall

    def _ensure_lease(self, cluster: ClusterState, node: dict[str, Any]) -> None:
        """The kubelet's ensureLease, once, while it runs."""
        name = node["metadata"]["name"]
        with self._lock:
            if name in self._leased or name in self._silent or node["metadata"].get("deletionTimestamp"):
                return
        current = cluster.get("v1", "Node", None, name)
        if current is None or current["metadata"].get("uid") != node["metadata"].get("uid"):
            return  # a sync queued before the Node went: no Lease for a kubelet that is gone
        with self._lock:
            self._leased[name] = wall = self.wall()
        with contextlib.suppress(ApiError):  # already there: a kubelet that restarted finds it
            # the kubelet's ensureLease (upstream: kubernetes/kubernetes staging/src/k8s.io/component-helpers/
            # apimachinery/lease/controller.go)
            cluster.create(node_leases.lease(node, wall), manager=KUBELET)
        self._schedule_renewals()

    def on_delete(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        """A deleted Node's Lease goes with it (its ownerReference); a Node of that name made
        later is a new kubelet's, with a new Lease."""
        with self._lock:
            self._leased.pop(obj["metadata"]["name"], None)
            self._health.pop(obj["metadata"]["name"], None)

    def stop_kubelet(self, name: str) -> None:
        """The node's kubelet renews its Lease one last time, then stops renewing it and posting
        status. A node loaded in bulk that the controller never synced gets its Lease first, as
        its kubelet would have made it (ensureLease)."""
        if self._manager is not None:
            node = self._manager.cluster.get("v1", "Node", None, name)
            if node is not None:
                self._ensure_lease(self._manager.cluster, node)
            self._renew(self._manager.cluster, name, self.wall())
        with self._lock:
            self._silent[name] = self.now()
            self._health[name] = (self.now(), None, None)
        if self._manager is not None:  # its final renewal and status, observed now
            cluster = self._manager.cluster
            self._observe(name, node=cluster.get("v1", "Node", None, name) or {}, lease=node_leases.get(cluster, name))
            grace = max(self.node_monitor_grace_period, self.node_startup_grace_period)
            self._manager.call_later(self, self.monitor_node_health, grace + 0.01)

    def start_kubelet(self, name: str) -> None:
        """The kubelet is back: it posts Ready True (upstream: kubernetes/kubernetes
        pkg/kubelet/nodestatus/setters.go ReadyCondition)."""
        with self._lock:
            self._silent.pop(name, None)
            self._health.pop(name, None)
        if self._manager is None:
            return
        cluster = self._manager.cluster
        self._renew(cluster, name, self.wall())
        node = cluster.get("v1", "Node", None, name)
        if node is None:
            return
        stamp = now_iso()
        conditions = [c for c in (node.get("status") or {}).get("conditions") or [] if c.get("type") != "Ready"]
        ready = {"type": "Ready", "status": "True", "reason": "KubeletReady"}
        ready |= {"message": "kubelet is posting ready status", "lastHeartbeatTime": stamp, "lastTransitionTime": stamp}
        # the kubelet's node status update: a strategic merge patch from the node as read
        # (kubernetes/kubernetes pkg/kubelet/kubelet_node_status.go tryUpdateNodeStatus, PatchNodeStatus)
        cluster.patch_node_status(node, {"conditions": [*conditions, ready]})

    def monitor_node_health(self, cluster: ClusterState) -> int:
        """One health pass over every node; returns how many it turned Unknown."""
        bucket = cluster.api.store.buckets.get(cluster.api.rt("v1", "Node").key)
        names = list(bucket.items) if bucket is not None else []
        changed = 0
        soonest: float | None = None  # seconds until a silent node's grace period ends
        with self._lock:
            silent = dict(self._silent)
        for name in names:
            stopped = silent.get(name)
            if stopped is None:
                continue  # its Lease is renewed: probeTimestamp is now
            node = cluster.get("v1", "Node", None, name)
            if node is None:
                continue
            conditions = list((node.get("status") or {}).get("conditions") or [])
            never = not any(c.get("type") == "Ready" for c in conditions)
            grace = self.node_startup_grace_period if never else self.node_monitor_grace_period
            self._observe(name, node=node, lease=node_leases.get(cluster, name))
            age = self._probe_age(name, stopped)
            if age <= grace:
                soonest = grace - age if soonest is None else min(soonest, grace - age)
                continue
            updated = self._turn_unknown(cluster, node)
            if updated is not None:
                self.reconcile(cluster, updated)
                changed += 1
        if soonest is not None and self._manager is not None:
            # a heartbeat observed since the kubelet stopped moved the end of its grace period
            self._manager.call_later(self, self.monitor_node_health, soonest + 0.01)
        return changed

    @staticmethod
    def _turn_unknown(cluster: ClusterState, node: dict[str, Any]) -> dict[str, Any] | None:
        """tryUpdateNodeHealth's UpdateStatus of the node as read, its conditions Unknown; on an
        error (a 409 Conflict where the kubelet wrote since) the node is got again and the update
        tried again, NodeHealthUpdateRetry (5) times (upstream: kubernetes/kubernetes
        pkg/controller/nodelifecycle/node_lifecycle_controller.go monitorNodeHealth). None where
        nothing changes or the node is gone."""
        read = [node]
        name = node["metadata"]["name"]

        def write() -> dict[str, Any] | None:
            current = read.pop() if read else cluster.get("v1", "Node", None, name)
            if current is None:
                return None
            conditions = list((current.get("status") or {}).get("conditions") or [])
            unknown = unknown_conditions(current, conditions)
            if unknown == conditions:
                return None
            status = {**(current.get("status") or {}), "conditions": unknown}
            return cluster.update_status({**current, "apiVersion": "v1", "kind": "Node", "status": status})

        return retry_on_conflict(write)

    def _probe_age(self, name: str, stopped: float) -> float:
        """Seconds since the node's last heartbeat was observed (probeTimestamp)."""
        with self._lock:
            record = self._health.get(name)
        return self.now() - (stopped if record is None else record[0])

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        name = obj["metadata"]["name"]
        self._ensure_lease(cluster, obj)
        taints = list((obj.get("spec") or {}).get("taints") or [])
        have = {(t.get("key"), t.get("effect")) for t in taints if t.get("key") in CONTROLLER_KEYS}
        want = wanted_taints(obj)
        if have != want:
            kept = [t for t in taints if (t.get("key"), t.get("effect")) in want or t.get("key") not in CONTROLLER_KEYS]
            stamp = now_iso()
            added = [{"key": k, "effect": e, "timeAdded": stamp} for k, e in sorted(want - have)]
            obj = cluster.patch("v1", "Node", None, name, {"spec": {"taints": kept + added}})
        ready = next(
            (
                str(c.get("status"))
                for c in (obj.get("status") or {}).get("conditions") or []
                if c.get("type") == "Ready"
            ),
            "",
        )
        before, self._ready[name] = self._ready.get(name), ready
        if before == "True" and ready == "Unknown":
            self._mark_pods(cluster, obj, ready=False)
        elif before == "Unknown" and ready == "True":
            self._mark_pods(cluster, obj, ready=True)
        self._evict(cluster, obj)

    def _mark_pods(self, cluster: ClusterState, node: dict[str, Any], ready: bool) -> None:
        """A node gone Unknown: its pods' Ready condition False, each with the Warning event
        NodeNotReady "Node is not ready", and the node's Normal event NodeNotReady "Node NAME status
        is now: NodeNotReady" (upstream: kubernetes/kubernetes pkg/controller/nodelifecycle/
        node_lifecycle_controller.go monitorNodeHealth; pkg/controller/util/node/controller_utils.go
        MarkPodsNotReady, RecordNodeStatusChange). Ready again: the pods it marked are Ready again,
        standing in for the kubelet's status sync once it reports. Either way the pods' owners sync
        again, as their pod informers would (PodOwner._resync_owner)."""
        name = node["metadata"]["name"]
        if not ready:
            cluster.add_event(node, "NodeNotReady", f"Node {name} status is now: NodeNotReady", "Normal")
        entries, _, _, _ = cluster.api.list_entries(
            cluster.api.rt("v1", "Pod"), None, None, f"spec.nodeName={name}", 0, None
        )
        owners = []
        for entry in entries:
            pod = entry.obj()
            md = pod["metadata"]
            uid = str(md.get("uid"))
            if ready and uid not in self._marked:
                continue
            listed = [pod]

            def write(md: dict[str, Any] = md, listed: list[dict[str, Any]] = listed) -> bool:
                # the listed pod first; after a conflict, the pod as it is now
                return self._mark_pod(cluster, listed.pop() if listed else _read_pod(cluster, md), ready)

            try:
                marked = retry_on_conflict(write)
            except ApiError as exc:
                if exc.code != 404:
                    raise
                continue  # deleted since the list: nothing left to do with it
            if not marked:
                continue
            if ready:
                self._marked.discard(uid)
            else:
                self._marked.add(uid)
                cluster.add_event(pod, "NodeNotReady", "Node is not ready", "Warning")
            ref = controller_of(md)
            if ref is not None:
                owners.append((str(md["namespace"]), ref))
        manager = self._manager
        if manager is None:
            return
        for c in manager.controllers:
            if isinstance(c, PodOwner):
                for ns, ref in owners:
                    manager.call_later(c, lambda cl, c=c, ns=ns, ref=ref: c._resync_owner(cl, ns, ref), c.delay)

    @staticmethod
    def _mark_pod(cluster: ClusterState, pod: dict[str, Any], ready: bool) -> bool:
        """One pod's Ready condition set, written with UpdateStatus and the resourceVersion it was
        read at (kubernetes/kubernetes pkg/controller/util/node/controller_utils.go MarkPodsNotReady:
        UpdatePodCondition, then UpdateStatus; a 409 Conflict fails the pass and the node is retried,
        nodesToRetry in pkg/controller/nodelifecycle/node_lifecycle_controller.go monitorNodeHealth),
        so a condition another writer added since the read is kept. False where its Ready already says so."""
        now = "True" if ready else "False"
        conditions = (pod.get("status") or {}).get("conditions") or []
        if not any(c.get("type") == "Ready" and c.get("status") != now for c in conditions):
            return False
        stamp = now_iso()
        changed = [
            {**c, "status": now, "lastTransitionTime": stamp} if c.get("type") == "Ready" else c for c in conditions
        ]
        cluster.update_status(
            {**pod, "apiVersion": "v1", "kind": "Pod", "status": {**pod["status"], "conditions": changed}}
        )
        return True

    def _evict(self, cluster: ClusterState, node: dict[str, Any]) -> None:
        name = node["metadata"]["name"]
        no_execute = [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("effect") == "NoExecute"]
        if not no_execute:
            with self._lock:  # the taints are gone: every eviction scheduled on the node is cancelled
                for uid in [u for u, (n, _) in self._since.items() if n == name]:
                    del self._since[uid]
            return
        entries, _, _, _ = cluster.api.list_entries(
            cluster.api.rt("v1", "Pod"), None, None, f"spec.nodeName={name}", 0, None
        )
        now = self.now()
        for entry in entries:
            pod = entry.obj()
            md = pod["metadata"]
            uid = str(md.get("uid"))
            wait = (
                None
                if md.get("deletionTimestamp")
                else min_toleration_seconds(no_execute, (pod.get("spec") or {}).get("tolerations") or [])
            )
            if wait is None:
                with self._lock:
                    self._since.pop(uid, None)  # every taint tolerated for ever, or going already
                continue
            with self._lock:
                since = self._since.setdefault(uid, (name, now))[1]
            due = since + wait
            if now >= due:
                self._delete(cluster, pod)
            elif self._manager is not None:
                self._manager.schedule(self, node, due - now + 0.01)

    def _delete(self, cluster: ClusterState, pod: dict[str, Any]) -> None:
        md = pod["metadata"]
        ns, name = md["namespace"], md["name"]
        cluster.add_event(pod, "TaintManagerEviction", f"Marking for deletion Pod {ns}/{name}", "Normal")
        # addConditionAndDeletePod: Get, the DisruptionTarget condition patched in with
        # PatchPodStatus (a strategic merge patch from the pod as got, its uid as precondition), then
        # Delete (kubernetes/kubernetes pkg/controller/tainteviction/taint_eviction.go)
        current = cluster.get("v1", "Pod", ns, name)
        if current is None:
            return
        pod = current
        conditions = [
            c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") != "DisruptionTarget"
        ]
        conditions.append(
            {
                "type": "DisruptionTarget",
                "status": "True",
                "reason": "DeletionByTaintManager",
                "message": "Taint manager: deleting due to NoExecute taint",
                "lastTransitionTime": now_iso(),
            }
        )
        # As kube-controller-manager: the taint-eviction controller's client is kube-controller-manager's
        # (kubernetes/kubernetes staging/src/k8s.io/client-go/rest/config.go AddUserAgent; cluster.py
        # KUBE_CONTROLLER_MANAGER).
        cluster.patch_pod_status(pod, {"conditions": conditions}, KUBE_CONTROLLER_MANAGER)
        cluster.delete("v1", "Pod", ns, name)
        with self._lock:
            self._since.pop(str(md.get("uid")), None)


def _read_pod(cluster: ClusterState, md: dict[str, Any]) -> dict[str, Any]:
    """The pod named by ``md`` as stored now; 404 where it is gone or another pod took its name."""
    found = cluster.get("v1", "Pod", md["namespace"], md["name"])
    if found is None or found["metadata"].get("uid") != md.get("uid"):
        raise ApiError(404, f'pods "{md["name"]}" not found')
    return found
