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
from tests.emulators.kube.controllers.pods import POD_FAILURES, PodOwner, owner_ref, template_hash
from tests.emulators.kube.controllers.rollout import (
    ProgressDeadline,
    condition,
    max_unavailable,
    new_rs_new_replicas,
    rollout_conditions,
)
from tests.emulators.kube.controllers.scheduling import Scheduler

# The most syncs one reconcile runs: each scales a ReplicaSet by at least one pod.
MAX_PASSES = 64


def _spec_replicas(rs: dict[str, Any]) -> int:
    return int((rs.get("spec") or {}).get("replicas", 1))


def _available(rs: dict[str, Any]) -> int:
    return int((rs.get("status") or {}).get("availableReplicas") or 0)


class ReplicaSetController(PodOwner):
    watches: ClassVar[list[tuple[str, str]]] = [("apps/v1", "ReplicaSet")]

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
        while len(pods) < want:
            name = f"{obj['metadata']['name']}-{template_hash({'n': i, 'uid': obj['metadata']['uid']})[:5]}"
            i += 1
            if cluster.get("v1", "Pod", obj["metadata"]["namespace"], name) is not None:
                continue
            meta = {"namespace": obj["metadata"]["namespace"], "labels": labels}
            node = scheduler.place(template.get("spec") or {}, obj["metadata"]["uid"], meta)
            pods.append(self._make_pod(cluster, obj, name, template, labels, node))
        ready = sum(1 for p in pods if self._ready(p))
        cluster.patch_status(
            "apps/v1",
            "ReplicaSet",
            obj["metadata"]["namespace"],
            obj["metadata"]["name"],
            {
                "replicas": len(pods),
                "fullyLabeledReplicas": len(pods),
                "readyReplicas": ready,
                "availableReplicas": ready,
                "observedGeneration": obj["metadata"].get("generation", 1),
            },
        )


class DeploymentController(PodOwner):
    watches: ClassVar[list[tuple[str, str]]] = [("apps/v1", "Deployment")]

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.progress = ProgressDeadline()
        # The ReplicaSets' pods are made here; their kubelets run on this controller's clock.
        self._replicasets = ReplicaSetController(0, failure)
        self._replicasets.crash_loops = self.crash_loops
        self._replicasets.kubelet_now = self.kubelet_now  # type: ignore[method-assign]

    def advance(self, seconds: float) -> None:
        """Move the simulator's clock on, then sync every Deployment: a stuck one past its
        progressDeadlineSeconds times out (rollout.ProgressDeadline); the kubelets' clock moves
        with it (PodOwner.advance)."""
        super().advance(seconds)
        self.progress.offset += seconds
        if self._manager is not None:
            for obj in self._manager.cluster.list("apps/v1", "Deployment"):
                self._manager.schedule(self, obj, 0.0)

    def on_delete(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        self.progress.forget(str(obj["metadata"].get("uid")))

    # ---- the ReplicaSets -----------------------------------------------------------------

    def _owned(self, cluster: ClusterState, obj: dict[str, Any]) -> list[dict[str, Any]]:
        """The Deployment's ReplicaSets, oldest first (kubernetes/kubernetes pkg/controller/controller_utils.go
        ReplicaSetsByCreationTimestamp)."""
        out = []
        for bucket, key in cluster.api.store.dependents_of(obj["metadata"]["uid"]):
            if bucket != "apps/replicasets":
                continue
            ns, _, name = key.partition("/")
            rs = cluster.get("apps/v1", "ReplicaSet", ns, name)
            if rs is not None and not rs["metadata"].get("deletionTimestamp"):
                out.append(rs)
        return sorted(out, key=lambda rs: (str(rs["metadata"].get("creationTimestamp")), rs["metadata"]["name"]))

    def _scale(self, cluster: ClusterState, rs: dict[str, Any], replicas: int) -> dict[str, Any]:
        """kubernetes/kubernetes pkg/controller/deployment/sync.go scaleReplicaSetAndRecordEvent, then the
        ReplicaSet controller's sync of its pods."""
        md = rs["metadata"]
        if _spec_replicas(rs) != replicas:
            rs = cluster.patch("apps/v1", "ReplicaSet", md["namespace"], md["name"], {"spec": {"replicas": replicas}})
        self._replicasets.reconcile(cluster, rs)
        return cluster.get("apps/v1", "ReplicaSet", md["namespace"], md["name"]) or rs

    def _create(self, cluster: ClusterState, obj: dict[str, Any], replicas: int) -> dict[str, Any]:
        """kubernetes/kubernetes pkg/controller/deployment/sync.go getNewReplicaSet: the template with its
        pod-template-hash label, owned by the Deployment."""
        md, spec = obj["metadata"], obj.get("spec") or {}
        template = spec.get("template") or {}
        h = template_hash(template)
        rs_labels = {**((template.get("metadata") or {}).get("labels") or {}), "pod-template-hash": h}
        tpl = copy.deepcopy(template)
        tpl.setdefault("metadata", {})["labels"] = rs_labels
        rs = cluster.create(
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": f"{md['name']}-{h}",
                    "namespace": md["namespace"],
                    "labels": rs_labels,
                    "annotations": {"deployment.kubernetes.io/revision": "1"},
                    "ownerReferences": [owner_ref(obj)],
                },
                "spec": {
                    "replicas": 0,
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
            old[i] = self._scale(cluster, old[i], 0)
        if active:
            return new, True
        if self._old_pods_running(cluster, old):
            return new, False
        if new is None:
            return self._create(cluster, obj, want), True
        if _spec_replicas(new) != want:
            return self._scale(cluster, new, want), True
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
            return self._create(cluster, obj, new_rs_new_replicas(spec, want, old_count, 0)), True
        have = _spec_replicas(new)
        if have != want:
            target = want if have > want else new_rs_new_replicas(spec, want, old_count + have, have)
            if target != have:
                return self._scale(cluster, new, target), True
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
            old[i] = self._scale(cluster, rs, _spec_replicas(rs) - n)
            scaled += n
        available = sum(_available(rs) for rs in [*old, new])
        done, total = 0, available - min_available
        for i, rs in enumerate(old):  # scaleDownOldReplicaSetsForRollingUpdate
            if done >= total:
                break
            if _spec_replicas(rs) == 0:
                continue
            n = min(_spec_replicas(rs), total - done)
            old[i] = self._scale(cluster, rs, _spec_replicas(rs) - n)
            done += n
        return new, scaled + done > 0

    def _cleanup(self, cluster: ClusterState, obj: dict[str, Any], old: list[dict[str, Any]]) -> None:
        """kubernetes/kubernetes pkg/controller/deployment/sync.go cleanupDeployment: old ReplicaSets scaled to 0
        past revisionHistoryLimit (default 10, pkg/apis/apps/v1/defaults.go) are deleted, oldest first."""
        limit = int((obj.get("spec") or {}).get("revisionHistoryLimit", 10))
        for rs in old[: max(0, len(old) - limit)]:
            if _spec_replicas(rs) == 0 and not int((rs.get("status") or {}).get("replicas") or 0):
                cluster.delete("apps/v1", "ReplicaSet", rs["metadata"]["namespace"], rs["metadata"]["name"])

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
        rs_name = f"{md['name']}-{template_hash(spec.get('template') or {})}"
        owned = self._owned(cluster, obj)
        new = next((rs for rs in owned if rs["metadata"]["name"] == rs_name), None)
        old = [rs for rs in owned if rs["metadata"]["name"] != rs_name]
        recreate = (spec.get("strategy") or {}).get("type") == "Recreate"
        if new is not None:
            # the new ReplicaSet's own pods (a pod deleted or bound since re-syncs it here)
            new = self._scale(cluster, new, _spec_replicas(new))
        for _ in range(MAX_PASSES):
            new, changed = (self._recreate if recreate else self._roll)(cluster, obj, new, old)
            if not changed:
                break
        if recreate and new is None:
            self.requeue(obj, 0.1)  # old pods still terminating: the next sync looks again
        elif new is not None and _spec_replicas(new) == want:
            self._cleanup(cluster, obj, old)
        every = [rs for rs in [*old, new] if rs is not None]
        rst = (new or {}).get("status") or {}
        total = sum(int((rs.get("status") or {}).get("replicas") or 0) for rs in every)
        updated = int(rst.get("replicas") or 0)
        ready = sum(int((rs.get("status") or {}).get("readyReplicas") or 0) for rs in every)
        available = sum(_available(rs) for rs in every)
        # kubernetes/kubernetes pkg/controller/deployment/sync.go calculateStatus
        status: dict[str, Any] = {
            "observedGeneration": md.get("generation", 1),
            "replicas": total,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": available,
        }
        unavailable = sum(_spec_replicas(rs) for rs in every) - available
        if unavailable > 0:
            status["unavailableReplicas"] = unavailable
        if self.failure in POD_FAILURES and want > 0:
            status["conditions"] = [
                condition(
                    "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."
                ),
                condition(
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    f'ReplicaSet "{rs_name}" has timed out progressing.',
                ),
            ]
        else:
            left = self.progress.left(obj, status)
            complete = updated == want and total == want and available == want
            status["conditions"] = rollout_conditions(
                spec, want, available, rs_name, obj.get("status") or {}, complete, timed_out=left <= 0
            )
            if not complete and left > 0:
                self.requeue(obj, left + 0.01)  # requeueStuckDeployment
        cluster.patch_status("apps/v1", "Deployment", ns, md["name"], status)
