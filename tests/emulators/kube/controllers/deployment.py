"""The Deployment controller and the ReplicaSets it owns, rolled out by the Deployment's strategy.

A pod template is one ReplicaSet (named for its hash). A new template rolls as upstream rolls it
(kubernetes/kubernetes pkg/controller/deployment/deployment_controller.go syncDeployment: Recreate
-> recreate.go rolloutRecreate, RollingUpdate, the default of pkg/apis/apps/v1/defaults.go
SetDefaults_Deployment -> rolling.go rolloutRolling). Each pass of ``_roll`` or ``_recreate`` is
one sync of the real controller; the emulator runs the syncs the ReplicaSets' status updates would
trigger in one reconcile, and stops where upstream waits: a new pod no node takes stays Pending,
the old ReplicaSet keeps serving, and the rollout times out at its progressDeadlineSeconds
(rollout.ProgressDeadline).
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.base import PassHeld
from tests.emulators.kube.controllers.deployment_revisions import (
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    REVISION,
    available_in,
    copy_deployment_annotations,
    find_new,
    max_revision,
    paused_condition,
    revision,
    set_new_revision,
    set_replicas_annotations,
    without_hash,
)
from tests.emulators.kube.controllers.deployment_scale import (
    active_or_latest,
    is_saturated,
    is_scaling_event,
    proportional_sizes,
)
from tests.emulators.kube.controllers.pods import (
    PodOwner,
    compute_hash,
    live_dependents,
    owner_ref,
    template_hash,
)
from tests.emulators.kube.controllers.replica_failure import (
    NAMESPACE_TERMINATING,
    REPLICA_FAILURE,
    replica_failure,
    replica_failures,
)
from tests.emulators.kube.controllers.rollout import (
    ProgressDeadline,
    max_surge,
    max_unavailable,
    new_rs_new_replicas,
    rollout_conditions,
)
from tests.emulators.kube.controllers.scheduling import Scheduler
from tests.emulators.kube.status import ApiError

# The field manager of the controller's writes (kube-controller-manager runs the deployment controller).
MANAGER = "kube-controller-manager"
# The most syncs one reconcile runs: each scales a ReplicaSet by at least one pod.
MAX_PASSES = 64


def _spec_replicas(rs: dict[str, Any]) -> int:
    return int((rs.get("spec") or {}).get("replicas", 1))


def _available(rs: dict[str, Any]) -> int:
    return int((rs.get("status") or {}).get("availableReplicas") or 0)


class ReplicaSetController(PodOwner):
    watches: ClassVar[list[tuple[str, str]]] = [("apps/v1", "ReplicaSet")]

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.wake: dict[str, float | None] = {}  # ReplicaSet uid -> seconds until a ready pod is available
        self.failures: dict[str, int] = {}  # ReplicaSet uid -> syncs in a row that ended on an error
        self.retry: dict[str, float] = {}  # ReplicaSet uid -> seconds until the rate-limited retry

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        spec = obj.get("spec") or {}
        want = int(spec.get("replicas", 1))
        template = spec.get("template") or {}
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        # A scale-down deletes the least useful pods first: unscheduled before scheduled, Pending
        # before Running, not ready before ready (upstream: kubernetes/kubernetes
        # pkg/controller/replicaset/replica_set.go getPodsToDelete, pkg/controller/controller_utils.go
        # ActivePodsWithRanks). So an old ReplicaSet rolled down loses its Pending pod, not the one serving.
        pods = sorted(
            self._pods(cluster, obj),
            key=lambda p: (
                not (p.get("spec") or {}).get("nodeName"),
                (p.get("status") or {}).get("phase") != "Running",
                not self._ready(p),
            ),
        )
        scheduler = Scheduler(cluster)
        for p in pods[want:]:
            cluster.delete("v1", "Pod", p["metadata"]["namespace"], p["metadata"]["name"])
        pods = pods[:want]
        i = 0
        refused: ApiError | None = None
        while len(pods) < want:
            name = f"{obj['metadata']['name']}-{template_hash({'n': i, 'uid': obj['metadata']['uid']})[:5]}"
            i += 1
            if cluster.get("v1", "Pod", obj["metadata"]["namespace"], name) is not None:
                continue
            meta = {"namespace": obj["metadata"]["namespace"], "labels": labels}
            node = scheduler.place(template.get("spec") or {}, obj["metadata"]["uid"], meta)
            try:
                pods.append(self._make_pod(cluster, obj, name, template, labels, node))
            except ApiError as exc:
                refused = self._failed_create(cluster, obj, exc)
                break  # slowStartBatch stops at the first batch with an error
        failure = replica_failure(obj, refused, len(pods) - want)
        self._backoff(obj, refused)
        ready = sum(1 for p in pods if self._ready(p))
        # A ready pod counts as available once it has been Ready for minReadySeconds
        # (kubernetes/kubernetes pkg/controller/replicaset/replica_set_utils.go calculateStatus:
        # podutil.IsPodAvailable, on the kubelets' clock); replica_set.go syncReplicaSet requeues
        # a ReplicaSet whose ready pods are not all available yet: ``wake`` says when.
        now = self.kubelet_wall()
        waits = [available_in(p, int(spec.get("minReadySeconds") or 0), now) for p in pods]
        later = [w for w in waits if w]
        self.wake[obj["metadata"]["uid"]] = min(later) if later else None
        # updateReplicaSetStatus: UpdateStatus of the ReplicaSet as read, once more over a fresh Get
        # (kubernetes/kubernetes pkg/controller/replicaset/replica_set_utils.go, statusUpdateRetries).
        status = {
            "replicas": len(pods),
            "fullyLabeledReplicas": len(pods),
            "readyReplicas": ready,
            "availableReplicas": sum(1 for w in waits if w == 0.0),
            "observedGeneration": obj["metadata"].get("generation", 1),
            **failure,
        }
        cluster.update_status_again(obj, status, tries=2)

    def _failed_create(self, cluster: ClusterState, rs: dict[str, Any], exc: ApiError) -> ApiError | None:
        """kubernetes/kubernetes pkg/controller/controller_utils.go RealPodControl.createPods: a
        refused create (an admission webhook's denial, a ResourceQuota) records a Warning event
        FailedCreate "Error creating: <the API error>" on the ReplicaSet, unless the namespace is
        terminating (then the create counts as done: kubernetes/kubernetes
        pkg/controller/replicaset/replica_set.go manageReplicas returns nil)."""
        causes = (exc.details or {}).get("causes") or []
        if any(c.get("type") == NAMESPACE_TERMINATING for c in causes):
            return None
        cluster.add_event(rs, "FailedCreate", f"Error creating: {exc.message}", "Warning", "replicaset-controller")
        return exc

    def _backoff(self, rs: dict[str, Any], refused: ApiError | None) -> None:
        """kubernetes/kubernetes pkg/controller/replicaset/replica_set.go processNextWorkItem: an error requeues the
        ReplicaSet rate-limited, 5 ms
        doubling per failure up to 1000 s (kubernetes/client-go util/workqueue/default_rate_limiters.go
        DefaultControllerRateLimiter); a sync without one forgets the count. ``retry`` says when:
        the Deployment controller, which syncs its ReplicaSets here, requeues itself then."""
        uid = rs["metadata"]["uid"]
        if refused is None:
            self.failures.pop(uid, None)
            self.retry.pop(uid, None)
            return
        n = self.failures.get(uid, 0)
        self.failures[uid] = n + 1
        self.retry[uid] = max(0.05, min(0.005 * 2**n, 1000.0))


class DeploymentController(PodOwner):
    watches: ClassVar[list[tuple[str, str]]] = [("apps/v1", "Deployment")]

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.progress = ProgressDeadline()
        # The ReplicaSets' pods are made here; their kubelets run on this controller's clock.
        self._replicasets = ReplicaSetController(0, failure)
        self._replicasets.crash_loops = self.crash_loops
        self._replicasets.kubelet_now = self.kubelet_now  # type: ignore[method-assign]
        self._replicasets.kubelet_wall = self.kubelet_wall  # type: ignore[method-assign]

    def advance(self, seconds: float) -> None:
        """Move the simulator's clock on, then sync every Deployment: a stuck one past its
        progressDeadlineSeconds times out (rollout.ProgressDeadline); the kubelets' clock moves
        with it (PodOwner.advance)."""
        super().advance(seconds)
        self.progress.clock.move(seconds)
        if self._manager is not None:
            for obj in self._manager.cluster.list("apps/v1", "Deployment"):
                self._manager.schedule(self, obj, 0.0)

    # kubernetes/kubernetes pkg/controller/deployment/progress.go reads the time through nowFn.
    def clocks(self) -> tuple[PassHeld, ...]:
        return (*super().clocks(), self.progress.clock)

    def fail_pods(self, failure: str | None) -> None:
        """From now on, the pods its ReplicaSets make fail with ``failure`` (pods.POD_FAILURES)."""
        self.failure = self._replicasets.failure = failure

    def on_delete(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        self.progress.forget(str(obj["metadata"].get("uid")))

    # ---- the ReplicaSets -----------------------------------------------------------------

    def _owned(self, cluster: ClusterState, obj: dict[str, Any]) -> list[dict[str, Any]]:
        """The Deployment's ReplicaSets, oldest first (kubernetes/kubernetes pkg/controller/controller_utils.go
        ReplicaSetsByCreationTimestamp)."""
        out = live_dependents(cluster, obj["metadata"]["uid"], "apps/replicasets", "apps/v1", "ReplicaSet")
        return sorted(out, key=lambda rs: (str(rs["metadata"].get("creationTimestamp")), rs["metadata"]["name"]))

    def _scale(
        self,
        cluster: ClusterState,
        rs: dict[str, Any],
        replicas: int,
        obj: dict[str, Any] | None = None,
        annotate: bool = False,
    ) -> dict[str, Any]:
        """kubernetes/kubernetes pkg/controller/deployment/sync.go scaleReplicaSetAndRecordEvent (a new size
        also sets the desired-replicas and max-replicas annotations, scaleReplicaSet; ``annotate``: called as
        scale's proportional loop calls scaleReplicaSet, which writes changed annotations at the same size),
        then the ReplicaSet controller's sync of its pods."""
        md = rs["metadata"]
        notes: dict[str, str] = dict(md.get("annotations") or {})
        relabel = False
        if obj is not None:
            want = int((obj.get("spec") or {}).get("replicas", 1))
            relabel = set_replicas_annotations(notes, want, want + max_surge(obj.get("spec") or {}, want))
        if _spec_replicas(rs) != replicas or (annotate and obj is not None and relabel):
            patch: dict[str, Any] = {"spec": {"replicas": replicas}}
            if obj is not None:
                patch["metadata"] = {"annotations": {k: notes[k] for k in (DESIRED_REPLICAS, MAX_REPLICAS)}}
            rs = cluster.patch("apps/v1", "ReplicaSet", md["namespace"], md["name"], patch, manager=MANAGER)
        self._replicasets.reconcile(cluster, rs)
        return cluster.get("apps/v1", "ReplicaSet", md["namespace"], md["name"]) or rs

    def _create(
        self, cluster: ClusterState, obj: dict[str, Any], replicas: int, old: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """kubernetes/kubernetes pkg/controller/deployment/sync.go getNewReplicaSet: the template with its
        pod-template-hash label, owned by the Deployment, with the Deployment's minReadySeconds, revision
        MaxRevision(old) + 1 and the Deployment's annotations (deployment_util.go SetNewReplicaSetAnnotations);
        the Deployment then carries that revision (SetDeploymentRevision). Its name and pod-template-hash are
        ComputeHash(template, status.collisionCount); a ReplicaSet of that name that is not this Deployment's
        with an equal template (EqualIgnoreHash) is a hash collision: status.collisionCount goes up by one and
        the next sync (here, the next try) uses the new hash."""
        md, spec = obj["metadata"], obj.get("spec") or {}
        template = spec.get("template") or {}
        h = self._free_hash(cluster, obj)
        if not isinstance(h, str):
            return self._scale(cluster, h, replicas)
        rs_labels = {**((template.get("metadata") or {}).get("labels") or {}), "pod-template-hash": h}
        tpl = copy.deepcopy(template)
        tpl.setdefault("metadata", {})["labels"] = rs_labels
        want = int(spec.get("replicas", 1))
        notes: dict[str, str] = {}
        copy_deployment_annotations(obj, notes)
        set_new_revision(notes, max_revision(old) + 1)
        set_replicas_annotations(notes, want, want + max_surge(spec, want))
        rs = cluster.create(
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": f"{md['name']}-{h}",
                    "namespace": md["namespace"],
                    "labels": rs_labels,
                    "annotations": notes,
                    "ownerReferences": [owner_ref(obj)],
                },
                "spec": {
                    "replicas": 0,
                    **({"minReadySeconds": spec["minReadySeconds"]} if spec.get("minReadySeconds") else {}),
                    "selector": {
                        "matchLabels": {
                            **((spec.get("selector") or {}).get("matchLabels") or {}),
                            "pod-template-hash": h,
                        }
                    },
                    "template": tpl,
                },
            }
        )
        return self._scale(cluster, rs, replicas)

    def _free_hash(self, cluster: ClusterState, obj: dict[str, Any]) -> str | dict[str, Any]:
        """The pod-template-hash getNewReplicaSet creates the new ReplicaSet with, after as many hash collisions
        as there are (sync.go getNewReplicaSet, errors.IsAlreadyExists); or the ReplicaSet of that name when it
        is this Deployment's own, with the same template."""
        md = obj["metadata"]
        template = (obj.get("spec") or {}).get("template") or {}
        h = ""
        for _ in range(MAX_PASSES):
            fresh = cluster.get("apps/v1", "Deployment", md["namespace"], md["name"]) or obj
            count = (fresh.get("status") or {}).get("collisionCount")
            h = compute_hash(template, count)
            there = cluster.get("apps/v1", "ReplicaSet", md["namespace"], f"{md['name']}-{h}")
            if there is None:
                return h
            refs = there["metadata"].get("ownerReferences") or []
            if any(r.get("controller") and r.get("uid") == md["uid"] for r in refs) and without_hash(
                (there.get("spec") or {}).get("template") or {}
            ) == without_hash(template):
                return there
            # UpdateStatus of the Deployment as read with the count raised; its error is dropped and
            # the sync ends with the AlreadyExists, requeued: the next try reads the count again, so a
            # count another writer raised in between is not overwritten (a 409 here).
            try:
                cluster.update_status_of(fresh, {"collisionCount": int(count or 0) + 1})
            except ApiError as exc:
                if exc.reason != "Conflict":
                    raise
        return h

    def _sync_new(
        self, cluster: ClusterState, obj: dict[str, Any], new: dict[str, Any], old: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """kubernetes/kubernetes pkg/controller/deployment/sync.go getNewReplicaSet, the existing one: the
        Deployment's annotations and minReadySeconds copied on, its revision raised to MaxRevision(old) + 1
        when lower (an undone template's ReplicaSet: deployment_util.go SetNewReplicaSetAnnotations)."""
        notes = dict((new["metadata"].get("annotations")) or {})
        changed = copy_deployment_annotations(obj, notes)
        changed = set_new_revision(notes, max_revision(old) + 1) or changed
        min_ready = int((obj.get("spec") or {}).get("minReadySeconds") or 0)
        if not changed and int((new.get("spec") or {}).get("minReadySeconds") or 0) == min_ready:
            return new
        md = new["metadata"]
        patch = {"metadata": {"annotations": notes}, "spec": {"minReadySeconds": min_ready}}
        return cluster.patch("apps/v1", "ReplicaSet", md["namespace"], md["name"], patch, manager=MANAGER)

    def _old_pods_running(self, cluster: ClusterState, old: list[dict[str, Any]]) -> bool:
        """kubernetes/kubernetes pkg/controller/deployment/recreate.go oldPodsRunning: an old ReplicaSet still
        has replicas, or a pod of one (a Terminating one too) is in no terminal phase."""
        if any(int((rs.get("status") or {}).get("replicas") or 0) for rs in old):
            return True
        for rs in old:
            for bucket, key in cluster.api.store.dependents_of(rs["metadata"]["uid"]):
                if bucket != "/pods":
                    continue
                ns, _, name = key.partition("/")
                pod = cluster.get("v1", "Pod", ns, name)
                if pod is not None and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
                    return True
        return False

    def _recreate(
        self, cluster: ClusterState, obj: dict[str, Any], new: dict[str, Any] | None, old: list[dict[str, Any]]
    ) -> tuple[dict[str, Any] | None, bool]:
        """One sync of kubernetes/kubernetes pkg/controller/deployment/recreate.go rolloutRecreate: scale every
        old ReplicaSet to 0; wait while an old pod runs; only then create the new ReplicaSet
        (getAllReplicaSetsAndSyncRevision with createIfNotExisted false before) and scale it to spec.replicas."""
        want = int((obj.get("spec") or {}).get("replicas", 1))
        active = [i for i, rs in enumerate(old) if _spec_replicas(rs) > 0]
        for i in active:
            old[i] = self._scale(cluster, old[i], 0, obj)
        if active:
            return new, True
        if self._old_pods_running(cluster, old):
            return new, False
        if new is None:
            return self._create(cluster, obj, want, old), True
        if _spec_replicas(new) != want:
            return self._scale(cluster, new, want, obj), True
        return new, False

    def _roll(
        self, cluster: ClusterState, obj: dict[str, Any], new: dict[str, Any] | None, old: list[dict[str, Any]]
    ) -> tuple[dict[str, Any] | None, bool]:
        """One sync of kubernetes/kubernetes pkg/controller/deployment/rolling.go rolloutRolling: scale the new
        ReplicaSet up within maxSurge (reconcileNewReplicaSet, util NewRSNewReplicas); else scale the old ones
        down within maxUnavailable (reconcileOldReplicaSets: at most allPods - minAvailable - the new set's
        unavailable pods; cleanupUnhealthyReplicas first, then scaleDownOldReplicaSetsForRollingUpdate while
        more than minAvailable pods are available, oldest ReplicaSet first)."""
        spec = obj.get("spec") or {}
        want = int(spec.get("replicas", 1))
        old_count = sum(_spec_replicas(rs) for rs in old)
        if new is None:
            return self._create(cluster, obj, new_rs_new_replicas(spec, want, old_count, 0), old), True
        have = _spec_replicas(new)
        if have != want:
            target = want if have > want else new_rs_new_replicas(spec, want, old_count + have, have)
            if target != have:
                return self._scale(cluster, new, target, obj), True
        if old_count == 0:
            return new, False
        min_available = want - max_unavailable(spec, want)
        max_scaled_down = old_count + have - min_available - (have - _available(new))
        if max_scaled_down <= 0:
            return new, False
        scaled = 0
        for i, rs in enumerate(old):  # cleanupUnhealthyReplicas
            if scaled >= max_scaled_down:
                break
            unhealthy = _spec_replicas(rs) - _available(rs)
            if _spec_replicas(rs) == 0 or unhealthy <= 0:
                continue
            n = min(max_scaled_down - scaled, unhealthy)
            old[i] = self._scale(cluster, rs, _spec_replicas(rs) - n, obj)
            scaled += n
        available = sum(_available(rs) for rs in [*old, new])
        done, total = 0, available - min_available
        for i, rs in enumerate(old):  # scaleDownOldReplicaSetsForRollingUpdate
            if done >= total:
                break
            if _spec_replicas(rs) == 0:
                continue
            n = min(_spec_replicas(rs), total - done)
            old[i] = self._scale(cluster, rs, _spec_replicas(rs) - n, obj)
            done += n
        return new, scaled + done > 0

    def _cleanup(self, cluster: ClusterState, obj: dict[str, Any], old: list[dict[str, Any]]) -> None:
        """kubernetes/kubernetes pkg/controller/deployment/sync.go cleanupDeployment: old ReplicaSets past
        revisionHistoryLimit (default 10, pkg/apis/apps/v1/defaults.go) are deleted, lowest revision first
        (deployment_util.go ReplicaSetsByRevision, creation time between equals), those scaled to 0 only."""
        limit = int((obj.get("spec") or {}).get("revisionHistoryLimit", 10))
        by_revision = sorted(old, key=lambda rs: revision(rs) or 0)  # stable: oldest first within a revision
        for rs in by_revision[: max(0, len(old) - limit)]:
            if _spec_replicas(rs) == 0 and not int((rs.get("status") or {}).get("replicas") or 0):
                cluster.delete("apps/v1", "ReplicaSet", rs["metadata"]["namespace"], rs["metadata"]["name"])

    def _sync_scale(
        self, cluster: ClusterState, obj: dict[str, Any], new: dict[str, Any] | None, old: list[dict[str, Any]]
    ) -> None:
        """kubernetes/kubernetes pkg/controller/deployment/sync.go scale, run by sync for a paused
        Deployment and for a scaling event (isScalingEvent): one active ReplicaSet (or, none active, the
        newest: deployment_util.go FindActiveOrLatest) takes spec.replicas; a saturated new ReplicaSet scales
        the old ones to 0; otherwise a RollingUpdate shares the change between the active ones in proportion
        (deployment_scale.proportional_sizes), each written through scaleReplicaSet, which sets its
        desired-replicas and max-replicas annotations even where its size stays."""
        want = int((obj.get("spec") or {}).get("replicas", 1))
        target = active_or_latest(new, old)
        if target is not None:
            if _spec_replicas(target) != want:
                self._scale(cluster, target, want, obj)
            return
        if is_saturated(obj, new):
            for rs in old:
                if _spec_replicas(rs) > 0:
                    self._scale(cluster, rs, 0, obj)
            return
        if (obj.get("spec") or {}).get("strategy", {}).get("type", "RollingUpdate") != "RollingUpdate":
            return
        for rs, size in proportional_sizes(obj, new, old):
            self._scale(cluster, rs, size, obj, annotate=True)

    # ---- the sync ------------------------------------------------------------------------

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        md = obj["metadata"]
        if md.get("deletionTimestamp"):
            # A Deployment being deleted (held by foregroundDeletion while its ReplicaSets and pods
            # go) makes no ReplicaSet or pod (upstream: kubernetes/kubernetes
            # pkg/controller/deployment/deployment_controller.go syncDeployment, syncStatusOnly).
            return
        ns = md["namespace"]
        spec = obj.get("spec") or {}
        want = int(spec.get("replicas", 1))
        paused = bool(spec.get("paused"))
        collisions = (obj.get("status") or {}).get("collisionCount")
        rs_name = f"{md['name']}-{compute_hash(spec.get('template') or {}, collisions)}"
        owned = self._owned(cluster, obj)
        new = find_new(obj, owned)
        old = [rs for rs in owned if rs is not new]
        if new is not None:
            rs_name = new["metadata"]["name"]
            new = self._sync_new(cluster, obj, new, old)
        # each ReplicaSet's own sync: its pods (one deleted or bound since is made again) and status
        old = [self._scale(cluster, rs, _spec_replicas(rs)) for rs in old]
        if new is not None:
            new = self._scale(cluster, new, _spec_replicas(new))
        recreate = (spec.get("strategy") or {}).get("type") == "Recreate"
        if not paused and is_scaling_event(obj, new, old):
            # deployment_controller.go syncDeployment: a scaling event only syncs (sync.go sync -> scale);
            # the ReplicaSets' updates bring the next syncs, the rollout's, run here right after.
            self._sync_scale(cluster, obj, new, old)
            old = [cluster.get("apps/v1", "ReplicaSet", ns, rs["metadata"]["name"]) or rs for rs in old]
            if new is not None:
                new = cluster.get("apps/v1", "ReplicaSet", ns, new["metadata"]["name"]) or new
        if paused:
            # deployment_controller.go syncDeployment: a paused Deployment only syncs (sync.go sync):
            # no new ReplicaSet, no rollout, scaling still applies, old ones cleaned up.
            self._sync_scale(cluster, obj, new, old)
            old = [cluster.get("apps/v1", "ReplicaSet", ns, rs["metadata"]["name"]) or rs for rs in old]
            if new is not None:
                new = cluster.get("apps/v1", "ReplicaSet", ns, new["metadata"]["name"]) or new
            self._cleanup(cluster, obj, old)
        else:
            for _ in range(MAX_PASSES):
                new, changed = (self._recreate if recreate else self._roll)(cluster, obj, new, old)
                if not changed:
                    break
            if recreate and new is None:
                self.requeue(obj, 0.1)  # old pods still terminating: the next sync looks again
            elif new is not None and _spec_replicas(new) == want:
                self._cleanup(cluster, obj, old)
        if new is not None:
            rs_name = new["metadata"]["name"]
            self._set_revision(cluster, obj, new)
        every = [rs for rs in [*old, new] if rs is not None]
        rst = (new or {}).get("status") or {}
        total = sum(int((rs.get("status") or {}).get("replicas") or 0) for rs in every)
        updated = int(rst.get("replicas") or 0)
        ready = sum(int((rs.get("status") or {}).get("readyReplicas") or 0) for rs in every)
        available = sum(_available(rs) for rs in every)
        # kubernetes/kubernetes pkg/controller/deployment/sync.go calculateStatus
        status: dict[str, Any] = {
            "observedGeneration": md.get("generation", 1),
            # calculateStatus keeps the collision count getNewReplicaSet raised.
            **({"collisionCount": count} if (count := self._collisions(cluster, obj)) is not None else {}),
            "replicas": total,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": available,
        }
        unavailable = sum(_spec_replicas(rs) for rs in every) - available
        # omitempty: none unavailable leaves the field out of the status UpdateStatus sends
        status["unavailableReplicas"] = unavailable if unavailable > 0 else None
        # Pods that crash, cannot pull or are placed nowhere are a rollout that makes no progress: Available
        # False and Progressing True until progressDeadlineSeconds pass (kubernetes/kubernetes
        # pkg/controller/deployment/sync.go calculateStatus, progress.go syncRolloutStatus), as for any other.
        before = obj.get("status") or {}
        progressing = next((c for c in before.get("conditions") or [] if c.get("type") == "Progressing"), None)
        marked = paused_condition(spec, progressing)  # sync.go checkPausedConditions
        if marked is not progressing:
            rest = [c for c in before.get("conditions") or [] if c.get("type") != "Progressing"]
            before = {**before, "conditions": [*rest, marked]}
        if paused:
            # kubernetes/kubernetes pkg/controller/deployment/sync.go syncDeploymentStatus ->
            # calculateStatus: Available recomputed, Progressing left as checkPausedConditions set it;
            # progress.go syncRolloutStatus, and so the progress deadline, runs only for a rollout
            # (rolling.go, recreate.go).
            avail = rollout_conditions(spec, want, available, rs_name, before, False)[0]
            # calculateStatus starts from the conditions the Deployment has: ReplicaFailure stays.
            kept = [c for c in before.get("conditions") or [] if c.get("type") == REPLICA_FAILURE]
            status["conditions"] = [avail, *([marked] if marked is not None else []), *kept]
        else:
            left = self.progress.left(obj, status)
            complete = updated == want and total == want and available == want
            status["conditions"] = [
                *rollout_conditions(spec, want, available, rs_name, before, complete, timed_out=left <= 0),
                # kubernetes/kubernetes pkg/controller/deployment/progress.go syncRolloutStatus
                # moves the ReplicaSets' failure condition over
                *replica_failures(new, every),
            ]
            if not complete and left > 0:
                self.requeue(obj, left + 0.01)  # requeueStuckDeployment
        wake = [self._replicasets.wake.get(rs["metadata"]["uid"]) for rs in every]
        wake += [self._replicasets.retry.get(rs["metadata"]["uid"]) for rs in every]
        soonest = min((w for w in wake if w), default=None)
        if soonest is not None:
            self.requeue(obj, soonest)  # replica_set.go syncReplicaSet: AddAfter minReadySeconds
        # calculateStatus starts from the conditions the Deployment has, so one of a type the
        # controller does not set stays; SetDeploymentCondition appends those it sets
        # (kubernetes/kubernetes pkg/controller/deployment/sync.go calculateStatus,
        # util/deployment_util.go SetDeploymentCondition, filterOutCondition).
        mine = {"Available", "Progressing", REPLICA_FAILURE}
        if "conditions" in status:
            kept = [c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") not in mine]
            status["conditions"] = [*kept, *status["conditions"]]
        try:
            # syncRolloutStatus / syncDeploymentStatus: UpdateStatus of the Deployment as this sync
            # read it. A 409 (another writer, or this sync's own revision or collision write, whose
            # answer getNewReplicaSet drops) is the sync's error: handleErr requeues the Deployment
            # and the next sync computes the status again (kubernetes/kubernetes
            # pkg/controller/deployment/progress.go syncRolloutStatus, sync.go syncDeploymentStatus,
            # getNewReplicaSet, deployment_controller.go handleErr).
            cluster.update_status_of(obj, status)
        except ApiError as exc:
            # deleted since it was read: the status update's error requeues it and the next sync
            # finds it gone (upstream: kubernetes/kubernetes pkg/controller/deployment/
            # deployment_controller.go handleErr, syncDeployment "Deployment has been deleted")
            if exc.code != 404:
                raise

    def _collisions(self, cluster: ClusterState, obj: dict[str, Any]) -> int | None:
        md = obj["metadata"]
        fresh = cluster.get("apps/v1", "Deployment", md["namespace"], md["name"]) or obj
        count = (fresh.get("status") or {}).get("collisionCount")
        return None if count is None else int(count)

    def _set_revision(self, cluster: ClusterState, obj: dict[str, Any], new: dict[str, Any]) -> None:
        """kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go SetDeploymentRevision: the
        Deployment carries its new ReplicaSet's revision (written with its status: the status strategy keeps
        annotations, pkg/registry/apps/deployment/strategy.go deploymentStatusStrategy.PrepareForUpdate)."""
        value = (new["metadata"].get("annotations") or {}).get(REVISION)
        md = obj["metadata"]
        if value is None or (md.get("annotations") or {}).get(REVISION) == value:
            return
        patch = {"metadata": {"annotations": {REVISION: value}}}
        cluster.patch("apps/v1", "Deployment", md["namespace"], md["name"], patch, manager=MANAGER)
