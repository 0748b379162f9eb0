"""Simulators of the built-in workload controllers: Deployment (through a ReplicaSet),
StatefulSet, DaemonSet and Job create their pods and report status the way
kube-controller-manager and a kubelet would.

Failure modes (``failure=``):
- Deployment / StatefulSet / DaemonSet: "unschedulable" (pods Pending, FailedScheduling
  event naming nvidia.com/gpu; a Deployment Available=False, Progressing True until its
  progressDeadlineSeconds pass, then ProgressDeadlineExceeded: kubernetes/kubernetes
  pkg/controller/deployment/progress.go syncRolloutStatus, util/deployment_util.go
  DeploymentTimedOut), "crashloop"
  (containers in CrashLoopBackOff), "imagepull" (ImagePullBackOff).
- Job: "failed" (BackoffLimitExceeded), plus the pod failure modes above.

The pods themselves (their status, owner reference, the PodOwner base) are in pods.py; the Job
controller is in jobs.py, the Deployment and ReplicaSet controllers in deployment.py, the StatefulSet
controller in statefulset.py (all re-exported here) (upstream: kubernetes/kubernetes pkg/controller).
"""

from __future__ import annotations

import copy
import threading
from typing import Any, ClassVar

from tests.emulators.kube.apiserver import Ctx
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.aggregator import APIServiceAvailability
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.daemon_history import HASH_LABEL, cleanup_history, construct_history
from tests.emulators.kube.controllers.daemon_pods import (
    BURST_REPLICAS,
    TEMPLATE_GENERATION_LABEL,
    daemon_pod_affinity,
    eligible_nodes,
    excess_pods,
    is_updated,
    rolling_update,
    scheduled_first,
    slow_start,
    target_node,
    template_generation,
    update_counts,
)
from tests.emulators.kube.controllers.deployment import DeploymentController as DeploymentController  # re-exported
from tests.emulators.kube.controllers.deployment import ReplicaSetController as ReplicaSetController  # re-exported
from tests.emulators.kube.controllers.deployment_revisions import available_in
from tests.emulators.kube.controllers.disruption import DisruptionController
from tests.emulators.kube.controllers.jobs import JobController as JobController  # re-exported
from tests.emulators.kube.controllers.kubelet_admission import KubeletAdmission
from tests.emulators.kube.controllers.kubelet_volumes import KubeletVolumes
from tests.emulators.kube.controllers.node_filters import matches_affinity, should_run_daemon_pod
from tests.emulators.kube.controllers.node_lifecycle import NodeLifecycleController
from tests.emulators.kube.controllers.pods import PodOwner, template_hash
from tests.emulators.kube.controllers.preemption import Preemption
from tests.emulators.kube.controllers.rescheduling import Rescheduler
from tests.emulators.kube.controllers.scheduling import Scheduler, daemon_pod_spec
from tests.emulators.kube.controllers.statefulset import StatefulSetController as StatefulSetController  # re-exported
from tests.emulators.kube.controllers.volume_prebind import EphemeralVolumeController, PreBind
from tests.emulators.kube.controllers.volume_provisioner import PersistentVolumeController
from tests.emulators.kube.resources import ResourceType
from tests.emulators.kube.status import ApiError

# The most syncs one DaemonSet reconcile runs (each creates or deletes at least one pod); a
# DaemonSet with work left after them is requeued (emulator structure, no upstream behaviour).
MAX_DAEMON_PASSES = 16


class DaemonSetController(PodOwner):
    watches: ClassVar[list[tuple[str, str]]] = [("apps/v1", "DaemonSet")]
    # The most pods one sync creates, and the most it deletes: the rest wait for the next sync
    # (upstream: kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go BurstReplicas,
    # syncNodes). No cap on the pods of a DaemonSet: every node that should run one gets one.
    burst_replicas = BURST_REPLICAS

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self._daemonsets: set[tuple[str, str]] = set()  # the DaemonSets reconciled and not deleted
        self._queued: set[tuple[str, str]] = set()  # queued by a node event, not reconciled yet
        self._nodes: dict[str, tuple[Any, Any]] = {}  # node name -> (labels, taints) last seen
        self._guard = threading.Lock()

    def attach(self, manager: Any) -> None:
        """Follow the nodes too, as the DaemonSet controller's node informer does (upstream:
        kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go addNode: every DaemonSet
        whose pod the new node should run is enqueued; updateNode: nothing where the node's labels
        and taints did not change (shouldIgnoreNodeUpdate), else every DaemonSet for which
        NodeShouldRunDaemonPod differs between the old and the new node). The work queue coalesces
        a DaemonSet queued again before it runs."""
        super().attach(manager)

        def on_event(typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
            if rt.group != "" or rt.kind != "Node" or not self._daemonsets:
                return
            name = str((obj.get("metadata") or {}).get("name") or "")
            if typ == "DELETED":
                self._nodes.pop(name, None)
                return
            now = (
                copy.deepcopy(obj["metadata"].get("labels") or {}),
                copy.deepcopy((obj.get("spec") or {}).get("taints")),
            )
            old = self._nodes.get(name)
            self._nodes[name] = now
            if old != now:
                added = typ == "ADDED"
                manager.call_later(self, lambda cluster: self._node_changed(cluster, name, old, now, added), 0.0)

        manager.api.listeners.append(on_event)

    def _node_changed(
        self,
        cluster: ClusterState,
        name: str,
        old: tuple[Any, Any] | None,
        now: tuple[Any, Any],
        added: bool = False,
    ) -> None:
        def node(state: tuple[Any, Any]) -> dict[str, Any]:
            return {"metadata": {"name": name, "labels": state[0]}, "spec": {"taints": state[1]} if state[1] else {}}

        for ds in cluster.list("apps/v1", "DaemonSet"):
            pod_spec = daemon_pod_spec(((ds.get("spec") or {}).get("template") or {}).get("spec") or {})
            # A new node queues the DaemonSets whose pod it should run, no others (addNode: a
            # 60,000-pod DaemonSet is not synced again for a GPU node it does not run on).
            if added and not should_run_daemon_pod(pod_spec, node(now)):
                continue
            if old is not None and should_run_daemon_pod(pod_spec, node(old)) == should_run_daemon_pod(
                pod_spec, node(now)
            ):
                continue
            # A node last seen before any DaemonSet existed (or bulk-loaded) has no old state here
            # (the listener keeps none while there is no DaemonSet): the DaemonSet is queued where its
            # pods on the node (the store's node index) disagree with what the node should run now,
            # that is, where a sync would change something for it (updateNode's comparison, with
            # the pods standing for the old node).
            if (
                old is None
                and not added
                and should_run_daemon_pod(pod_spec, node(now)) == self._runs_on(cluster, ds, name)
            ):
                continue
            key = (ds["metadata"]["namespace"], ds["metadata"]["name"])
            with self._guard:
                if key in self._queued:
                    continue
                self._queued.add(key)
            if self._manager is not None:
                self._manager.schedule(self, ds, self.delay)

    @staticmethod
    def _runs_on(cluster: ClusterState, ds: dict[str, Any], node: str) -> bool:
        """Whether ``node`` holds a pod of ``ds`` (the store's pods-by-node index, no pod decoded)."""
        uid = ds["metadata"].get("uid")
        return any(uid in e.owners for e in cluster.api.store.on_node("/pods", node))

    def _make_daemon_pod(
        self,
        cluster: ClusterState,
        obj: dict[str, Any],
        node: str,
        pod_spec: dict[str, Any],
        labels: dict[str, str],
        revision: str,
        h: str,
        scheduler: Scheduler,
    ) -> None:
        """The controller's pod template (CreatePodTemplate: its tolerations) pinned to the node by
        required node affinity; the scheduler binds it (syncNodes), through its filters on that node
        alone (NodeAffinity's PreFilter): a node without room for the pod's requests leaves it
        Pending, as NodeResourcesFit does (upstream: kubernetes/kubernetes
        pkg/scheduler/framework/plugins/noderesources/fit.go Filter; the DaemonSet controller's
        NodeShouldRunDaemonPod checks no resources, pkg/controller/daemon/daemon_controller.go
        predicates). The name is unique as generateName's would be: a pod of the same template on
        the node may still be terminating."""
        md = obj["metadata"]
        ns = md["namespace"]
        template = (obj.get("spec") or {}).get("template") or {}
        pod_template = {
            **template,
            "spec": {**pod_spec, "affinity": daemon_pod_affinity(pod_spec.get("affinity"), node)},
        }
        # kubernetes/kubernetes pkg/controller/daemon/util/daemonset_util.go CreatePodTemplate: the
        # template generation label (when the annotation is there), then the hash.
        generation = template_generation(obj)
        pod_labels = {**labels, **({TEMPLATE_GENERATION_LABEL: generation} if generation else {}), HASH_LABEL: revision}
        name = f"{md['name']}-{template_hash({'node': node, 'h': h})[:5]}"
        n = 0
        while cluster.get("v1", "Pod", ns, name) is not None:
            n += 1
            name = f"{md['name']}-{template_hash({'node': node, 'h': h, 'n': n})[:5]}"
        meta = {"namespace": ns, "labels": pod_labels}
        self._make_pod(
            cluster, obj, name, pod_template, pod_labels, scheduler.place(pod_template["spec"], md["uid"], meta)
        )

    @staticmethod
    def _by_node(pods: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        """getNodesToDaemonPods: each node (util.GetTargetNodeName) and its daemon pods."""
        out: dict[str, list[dict[str, Any]]] = {}
        for p in pods:
            out.setdefault(target_node(p) or p["metadata"]["name"], []).append(p)
        return out

    def advance(self, seconds: float) -> None:
        """Move the kubelets' clock on (PodOwner.advance), then sync every DaemonSet: a pod Ready
        for minReadySeconds becomes available (pkg/api/v1/pod/util.go IsPodAvailable)."""
        super().advance(seconds)
        if self._manager is not None:
            for obj in self._manager.cluster.list("apps/v1", "DaemonSet"):
                self._manager.schedule(self, obj, 0.0)

    def observed(self, obj: dict[str, Any]) -> None:
        """A DaemonSet the scale generator made at steady state (generate_daemons.py) counts as one
        this controller has synced: node events re-sync it as they would a reconciled one."""
        self._daemonsets.add((obj["metadata"]["namespace"], obj["metadata"]["name"]))

    def on_delete(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        key = (obj["metadata"].get("namespace", ""), obj["metadata"].get("name", ""))
        self._daemonsets.discard(key)
        self._queued.discard(key)

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        md = obj["metadata"]
        ns = md["namespace"]
        with self._guard:
            self._queued.discard((ns, md["name"]))
        self._daemonsets.add((ns, md["name"]))
        spec = obj.get("spec") or {}
        template = spec.get("template") or {}
        pod_spec = daemon_pod_spec(template.get("spec") or {})
        names = eligible_nodes(cluster, pod_spec)  # NodeShouldRunDaemonPod's shouldRun (daemon_pods.py)
        desired = len(names)
        # constructHistory: the template's ControllerRevision, whose hash labels its pods (upstream:
        # kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go syncDaemonSet, update.go).
        cur, old_revisions = construct_history(cluster, obj, lambda: self._pods(cluster, obj))
        if cur is None:  # a hash collision raised status.collisionCount: the next sync uses it
            self.requeue(obj, self.delay)
            return
        revision = cur["metadata"]["labels"][HASH_LABEL]
        generation = template_generation(obj)
        h = template_hash(template)
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        min_ready = int(spec.get("minReadySeconds") or 0)

        def available(p: dict[str, Any]) -> bool:
            # pkg/api/v1/pod/util.go IsPodAvailable with the DaemonSet's minReadySeconds.
            return self._ready(p) and available_in(p, min_ready, self.kubelet_wall()) == 0.0

        surge = (
            update_counts(spec, len(names))[0] > 0
            and (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"
        )
        scheduler = Scheduler(cluster)
        changed = False
        # Each pass is one sync of updateDaemonSet: the manage loop (podsShouldBeOnNode: a pod for a
        # node with none, the excess pruned); only when it changed nothing (its expectations
        # satisfied) rollingUpdate, whose deleted pods the next pass's manage replaces and whose
        # surge nodes get their new pod now (syncNodes).
        current: list[dict[str, Any]] | None = None
        pending = False
        for sync in range(MAX_DAEMON_PASSES):
            current = self._pods(cluster, obj)
            by_node = self._by_node(current)
            on_nodes = {n: by_node.get(n, []) for n in names}
            delete = [
                x for n in names for x in excess_pods(on_nodes[n], revision, surge, self._ready, available, generation)
            ]
            create = [n for n in names if not on_nodes[n]]
            if not delete and not create:
                delete, create = rolling_update(spec, on_nodes, revision, available, generation)
            if not delete and not create:
                break
            if sync == MAX_DAEMON_PASSES - 1:
                pending = True
                break
            current = None
            changed = True
            # syncNodes (upstream: kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go):
            # the creates first, then the deletes, each at most burstReplicas; a pod already gone
            # (IsNotFound) is no error; a refused create is the sync's error once the deletes are sent.
            refused = slow_start(
                create[: self.burst_replicas],
                lambda node: self._make_daemon_pod(cluster, obj, node, pod_spec, labels, revision, h, scheduler),
            )
            for p in delete[: self.burst_replicas]:
                try:
                    cluster.delete("v1", "Pod", ns, p["metadata"]["name"])
                except ApiError as exc:
                    if exc.code != 404:
                        raise
            if refused is not None:
                raise refused  # the next sync retries the slow start
        current = current if current is not None else self._pods(cluster, obj)  # the last pass changed none
        existing = self._by_node(current)
        # updateDaemonSetStatus reads the oldest pod of each node (podByCreationTimestampAndPhase).
        pods = [scheduled_first(existing[n])[0] for n in names if existing.get(n)]
        # syncNodes deletes the pod of a node the DaemonSet's pod no longer fits: NodeShouldRunDaemonPod
        # gives shouldContinueRunning false where the required node affinity (the nodeSelector with it)
        # no longer matches; an untolerated NoSchedule taint only stops new pods (upstream:
        # kubernetes/kubernetes v1.34 pkg/controller/daemon/daemon_controller.go podsShouldBeOnNode).
        placed = set(names)
        for node, on_node in existing.items():
            found = None if node in placed else cluster.get("v1", "Node", None, node)
            if found is not None and not matches_affinity(pod_spec, found):
                for p in on_node:
                    cluster.delete("v1", "Pod", ns, p["metadata"]["name"])
        cleanup_history(cluster, obj, old_revisions, current)
        ready = sum(1 for p in pods if self._ready(p))
        avail = sum(1 for p in pods if available(p))
        scheduled = desired if self.failure != "unschedulable" else 0
        # updateDaemonSetStatus counts the pods whose controller-revision-hash is the current
        # revision's (upstream: kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go
        # updateDaemonSetStatus, util.IsPodUpdated), the field kubectl rollout status reads
        # (kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go DaemonSetStatusViewer).
        updated = sum(1 for p in pods if is_updated(p, revision, generation))
        waits = [available_in(p, min_ready, self.kubelet_wall()) for p in pods]
        later = [w for w in waits if w]
        if pending:  # syncs left: upstream's pod informer syncs the DaemonSet again as its pods show
            self.requeue(obj, self.delay)
        elif later:
            # A ready pod not yet available: upstream's syncDaemonSet requeues the DaemonSet after
            # minReadySeconds (daemon_controller.go updateDaemonSetStatus, enqueueDaemonSetAfter).
            self.requeue(obj, min(later))
        elif changed and updated < len(pods):
            # Upstream's pod informer re-syncs the DaemonSet when its new pods change; here a
            # reconcile that changed pods runs again, and one that could change none (a new pod
            # that is not available holds maxUnavailable) waits for the next event.
            self.requeue(obj, self.delay)
        cluster.patch_status(
            "apps/v1",
            "DaemonSet",
            ns,
            md["name"],
            {
                "observedGeneration": md.get("generation", 1),
                "desiredNumberScheduled": desired,
                "currentNumberScheduled": scheduled,
                "updatedNumberScheduled": min(updated, scheduled),
                "numberReady": ready,
                "numberAvailable": avail,
                "numberMisscheduled": 0,
                **({"numberUnavailable": desired - avail} if desired - avail else {}),
            },
        )


def builtin_controllers(delay: float = 0.05, failure: str | None = None) -> list[Controller]:
    return [
        DeploymentController(delay, failure),
        StatefulSetController(delay, failure),
        DaemonSetController(delay, failure),
        JobController(delay, failure),
        # Node condition taints and taint-based eviction (node_lifecycle.py).
        NodeLifecycleController(delay),
        # Pending pods retried on node events, as kube-scheduler's queue does (upstream:
        # kubernetes/kubernetes pkg/scheduler/backend/queue/scheduling_queue.go, MoveAllToActiveOrBackoffQueue).
        Rescheduler(delay),
        # The kubelet's admission of pods created bound (upstream: kubernetes/kubernetes
        # pkg/kubelet/lifecycle/predicate.go).
        KubeletAdmission(delay),
        # DefaultPreemption for Pending pods of a higher priority (upstream: kubernetes/kubernetes
        # pkg/scheduler/framework/plugins/defaultpreemption).
        Preemption(delay),
        # PodDisruptionBudget status (upstream: kubernetes/kubernetes pkg/controller/disruption/disruption.go).
        DisruptionController(delay),
        # kube-aggregator's Available condition of APIServices (aggregator.py).
        APIServiceAvailability(delay),
        # Claims bound and provisioned (volume_provisioner.py; upstream: kubernetes/kubernetes
        # pkg/controller/volume/persistentvolume/pv_controller.go); the scheduler's VolumeBinding
        # PreBind, which binds a pod once its claims are (pkg/scheduler/framework/plugins/
        # volumebinding/binder.go BindPodVolumes), and the ephemeral volume controller
        # (pkg/controller/volume/ephemeral/controller.go): volume_prebind.py.
        PersistentVolumeController(delay),
        PreBind(delay),
        EphemeralVolumeController(delay),
        # The kubelets' mount retries of a pod's Secret and ConfigMap volumes (kubelet_volumes.py;
        # upstream: kubernetes/kubernetes pkg/kubelet/volumemanager).
        KubeletVolumes(delay),
    ]
