"""The StatefulSet controller, as kube-controller-manager's: ControllerRevisions, ordinals, the
pod management policy, RollingUpdate with its partition, OnDelete, and the status kubectl reads.

upstream: kubernetes/kubernetes pkg/controller/statefulset/stateful_set_control.go
(UpdateStatefulSet, getStatefulSetRevisions, truncateHistory, updateStatefulSet, processReplica,
processCondemned, computeReplicaStatus, read at 0004b149) and stateful_set_utils.go (newRevision:
getPatch's data, the template's labels and the set's annotations; ApplyRevision;
newVersionedStatefulSetPod; completeRollingUpdate, which compares with spec.replicas; nextRevision;
allowsBurst). A revision's data is the DaemonSet's getPatch (daemon_history.py get_patch, the
same replace patch); its name is pkg/controller/history/controller_history.go's
(controller_history.py: NewControllerRevision, CreateControllerRevision, HashControllerRevision).

kubectl's side: kubernetes/kubectl pkg/polymorphichelpers/history.go StatefulSetHistoryViewer,
rollback.go StatefulSetRollbacker (statefulsetMatch: the revision's data byte for byte),
rollout_status.go StatefulSetStatusViewer.

PersistentVolumeClaims (volumeClaimTemplates, persistentVolumeClaimRetentionPolicy) are
statefulset_claims.py's.

``spec.updateStrategy.rollingUpdate.maxUnavailable`` is ignored, as the v1.32 cluster the emulator
claims to be ignores it: the MaxUnavailableStatefulSet gate is alpha and off from v1.24 to v1.34
(beta and on from v1.35; kubernetes/kubernetes pkg/features/kube_features.go), so UpdateStatefulSet
takes updateStatefulSet's walk, one pod at a time, never updateStatefulSetAfterInvariantEstablished.
Not simulated: adoption of orphaned pods and revisions.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from tests.emulators.kube.cluster import RETRY_STEPS, ClusterState
from tests.emulators.kube.controllers import statefulset_claims as claims
from tests.emulators.kube.controllers.base import DeletionTolerantController
from tests.emulators.kube.controllers.controller_history import (
    REVISION_HASH_LABEL,
    controller_revision,
    controller_revision_name,
    go_marshal,
    hash_controller_revision,
)
from tests.emulators.kube.controllers.daemon_history import controlled, get_patch, matches
from tests.emulators.kube.controllers.deployment_revisions import available_in
from tests.emulators.kube.controllers.pods import PodOwner, live_dependents
from tests.emulators.kube.controllers.scheduling import Scheduler
from tests.emulators.kube.status import ApiError

# apps/v1 StatefulSetRevisionLabel (= ControllerRevisionHashLabelKey): a pod's revision's name.
REVISION = "controller-revision-hash"
POD_NAME = "statefulset.kubernetes.io/pod-name"
POD_INDEX = "apps.kubernetes.io/pod-index"
# How many revisions' names CreateControllerRevision tries before this sync gives up (upstream loops).
MAX_COLLISIONS = 32


def _number(revision: dict[str, Any]) -> int:
    return int(revision.get("revision") or 0)


def revisions(
    cluster: ClusterState, sts: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """getStatefulSetRevisions: (current, update, every revision before this sync, sorted).

    The update revision is the last revision when its data equals getPatch of the set; an older
    equal one (a template rolled back to) is renumbered nextRevision (UpdateControllerRevision);
    none equal: a new one numbered nextRevision, its name moved on by status.collisionCount while
    it collides with a revision of other data (CreateControllerRevision). The current revision is
    the one status.currentRevision names, or the update revision when none does."""
    found = controlled(cluster, sts)  # SortControllerRevisions: by revision, then name
    following = (_number(found[-1]) + 1) if found else 1  # nextRevision
    equal = [r for r in found if matches(sts, r)]
    if equal and equal[-1] is found[-1]:
        update: dict[str, Any] | None = found[-1]
    elif equal:
        md = equal[-1]["metadata"]
        update = cluster.patch("apps/v1", "ControllerRevision", md["namespace"], md["name"], {"revision": following})
    else:
        update = create_revision(cluster, sts, following)
    named = (sts.get("status") or {}).get("currentRevision")
    current = next((r for r in found if r["metadata"]["name"] == named), update)
    return current, update, found


def create_revision(cluster: ClusterState, sts: dict[str, Any], number: int) -> dict[str, Any]:
    """stateful_set_utils.go newRevision with history.NewControllerRevision, then
    CreateControllerRevision: named ``<set>-<HashControllerRevision(data, collisionCount)>``,
    labelled with the template's labels and ``controller.kubernetes.io/hash`` (the hash of the count
    the sync began with), carrying the set's annotations, controlled by the set. A name taken by a
    revision of other data raises the count and is hashed again; the raised count is written to
    status.collisionCount (updateStatefulSetStatus)."""
    md = sts["metadata"]
    data = get_patch(sts)
    raw = go_marshal(data)
    fresh = cluster.get("apps/v1", "StatefulSet", md["namespace"], md["name"]) or sts
    start = int((fresh.get("status") or {}).get("collisionCount") or 0)
    template = (sts.get("spec") or {}).get("template") or {}
    labels = {
        **((template.get("metadata") or {}).get("labels") or {}),
        REVISION_HASH_LABEL: hash_controller_revision(raw, start),
    }
    for count in range(start, start + MAX_COLLISIONS):
        name = controller_revision_name(md["name"], hash_controller_revision(raw, count))
        there = cluster.get("apps/v1", "ControllerRevision", md["namespace"], name)
        if there is not None and there.get("data") != data:
            continue  # AlreadyExists with other bytes: *collisionCount++
        if count != start:
            cluster.patch_status("apps/v1", "StatefulSet", md["namespace"], md["name"], {"collisionCount": count})
        if there is not None:
            return there  # AlreadyExists with equal bytes: that revision
        return cluster.create(controller_revision(sts, name, labels, data, number))
    raise RuntimeError(f"StatefulSet {md['name']}: no free ControllerRevision name")


def truncate_history(
    cluster: ClusterState,
    sts: dict[str, Any],
    pods: list[dict[str, Any]],
    found: list[dict[str, Any]],
    live: set[str],
) -> None:
    """truncateHistory: the revisions neither current, update nor any pod's, past
    revisionHistoryLimit, are deleted lowest first (a negative limit keeps all)."""
    live = live | {(p["metadata"].get("labels") or {}).get(REVISION, "") for p in pods}
    history = [r for r in found if r["metadata"]["name"] not in live]
    limit = int((sts.get("spec") or {}).get("revisionHistoryLimit", 10))
    if limit < 0 or len(history) <= limit:
        return
    for rev in history[: len(history) - limit]:
        cluster.delete("apps/v1", "ControllerRevision", rev["metadata"]["namespace"], rev["metadata"]["name"])


def revision_template(revision: dict[str, Any]) -> dict[str, Any]:
    """ApplyRevision: the pod template the revision's replace patch restores."""
    template = copy.deepcopy(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    md = template.get("metadata")
    if isinstance(md, dict) and md.get("creationTimestamp") is None:
        md.pop("creationTimestamp", None)
    return dict(template)


def ordinal(sts: dict[str, Any], pod: dict[str, Any]) -> int:
    """getOrdinal (getParentNameAndOrdinal): the number after the set's name and "-", or -1."""
    name, prefix = pod["metadata"]["name"], sts["metadata"]["name"] + "-"
    tail = name[len(prefix) :] if name.startswith(prefix) else ""
    return int(tail) if tail.isdigit() and tail.isascii() else -1


def uses_current(sts: dict[str, Any], index: int) -> bool:
    """newVersionedStatefulSetPod: a RollingUpdate pod below the partition (with no rollingUpdate,
    below start + status.currentReplicas) is made from the current revision."""
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    start = int((spec.get("ordinals") or {}).get("start") or 0)
    if "rollingUpdate" in strategy:
        return index < start + int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
    return strategy.get("type", "RollingUpdate") == "RollingUpdate" and index < start + int(
        status.get("currentReplicas") or 0
    )


class StatefulSetController(DeletionTolerantController, PodOwner):
    """A StatefulSet deleted while it reconciles (KAITO deleting its Workspace's set) is dropped:
    the write answers 404, and upstream's next sync finds the set gone from its lister and returns
    (upstream: kubernetes/kubernetes v1.34.0 pkg/controller/statefulset/stateful_set.go sync,
    ``errors.IsNotFound(err)``: "StatefulSet has been deleted").

    Each reconcile runs syncs (updateStatefulSet) until one changes no pod: the emulator's kubelets
    make a pod Ready as it is created, where upstream's pod informer would sync the set again."""

    watches: ClassVar[list[tuple[str, str]]] = [("apps/v1", "StatefulSet")]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failures: dict[str, int] = {}  # set uid -> pod creates refused in a row

    def _reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        md = obj["metadata"]
        passes = 2 * int((obj.get("spec") or {}).get("replicas", 1)) + 8
        for _ in range(passes):
            sts = cluster.get("apps/v1", "StatefulSet", md["namespace"], md["name"])
            if sts is None or sts["metadata"].get("uid") != md["uid"]:
                return
            wait = self._sync(cluster, sts)
            if wait is not None:
                if wait > 0:
                    self.requeue(sts, wait)
                return

    def _available(self, sts: dict[str, Any], pod: dict[str, Any]) -> bool:
        """isRunningAndAvailable: Running, Ready, and Ready for minReadySeconds (IsPodAvailable)."""
        min_ready = int((sts.get("spec") or {}).get("minReadySeconds") or 0)
        return (
            (pod.get("status") or {}).get("phase") == "Running"
            and self._ready(pod)
            and available_in(pod, min_ready, self.kubelet_wall()) == 0.0
        )

    def _running_and_ready(self, pod: dict[str, Any]) -> bool:
        return (pod.get("status") or {}).get("phase") == "Running" and self._ready(pod)

    def _sync(self, cluster: ClusterState, sts: dict[str, Any]) -> float | None:
        """One updateStatefulSet with its status write: None when it changed a pod (sync again),
        else the seconds until it should run again (0: on the next event only)."""
        md, spec = sts["metadata"], sts.get("spec") or {}
        ns = md["namespace"]
        current, update, found = revisions(cluster, sts)
        pods = live_dependents(cluster, md["uid"], "/pods", "v1", "Pod", terminating=True)
        start = int((spec.get("ordinals") or {}).get("start") or 0)
        count = int(spec.get("replicas", 1))
        replicas: dict[int, dict[str, Any]] = {}
        condemned: list[dict[str, Any]] = []
        for pod in pods:
            index = ordinal(sts, pod)
            if start <= index < start + count:
                replicas[index] = pod
            elif index >= 0:
                condemned.append(pod)
        condemned.sort(key=lambda p: -ordinal(sts, p))
        monotonic = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"  # allowsBurst
        outcome = self._apply(cluster, sts, replicas, condemned, start, count, monotonic, current, update)
        fresh = cluster.get("apps/v1", "StatefulSet", ns, md["name"]) or sts
        after = live_dependents(cluster, md["uid"], "/pods", "v1", "Pod", terminating=True)
        self._write_status(cluster, sts, fresh, after, current, update)
        truncate_history(cluster, sts, after, found, {current["metadata"]["name"], update["metadata"]["name"]})
        return outcome

    def _apply(
        self,
        cluster: ClusterState,
        sts: dict[str, Any],
        replicas: dict[int, dict[str, Any]],
        condemned: list[dict[str, Any]],
        start: int,
        count: int,
        monotonic: bool,
        current: dict[str, Any],
        update: dict[str, Any],
    ) -> float | None:
        md = sts["metadata"]
        if md.get("deletionTimestamp"):
            return 0.0
        changed = False
        waits: list[float] = []
        unavailable = [
            p for p in [*(replicas[i] for i in sorted(replicas)), *reversed(condemned)] if not self._available(sts, p)
        ]
        first_unhealthy = unavailable[0]["metadata"]["uid"] if unavailable else None
        scheduler = Scheduler(cluster)
        # processReplica, in ordinal order.
        for index in range(start, start + count):
            pod = replicas.get(index)
            if pod is not None and (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded"):
                # A failed or succeeded pod is deleted; its replacement comes once it is gone.
                if not pod["metadata"].get("deletionTimestamp"):
                    self._delete_pod(cluster, sts, pod)
                return None
            if pod is None:
                made = self._create(cluster, sts, index, current, update, scheduler)
                if made is False:
                    # The name is still another pod's (one being deleted, or one the garbage
                    # collector has yet to take), a claim is still an earlier pod's
                    # (PodClaimIsStale) or being deleted: upstream's sync ends, and the set is
                    # synced again after a back-off.
                    if monotonic:
                        return 0.1
                    waits.append(0.1)
                    continue
                if made is not True:
                    return made  # the API server refused the pod: the sync ends with its error
                if monotonic:
                    return None
                changed = True
                continue
            if self._claims_of_live(cluster, sts, pod, index):
                if monotonic:
                    return 0.1
                waits.append(0.1)
                continue
            if pod["metadata"].get("deletionTimestamp"):
                if monotonic:
                    return 0.1  # waits for the graceful deletion to end
                waits.append(0.1)
                continue
            if monotonic and not self._available(sts, pod):
                return self._until_available(sts, pod)
        if changed:
            return None
        # "Fix pod claims for condemned pods": a whenScaled Delete claim is handed to its pod, so
        # the garbage collector deletes it with the pod.
        for pod in condemned:
            claims.fix_owners(cluster, sts, pod, ordinal(sts, pod))
        # processCondemned, highest ordinal first.
        for pod in condemned:
            if pod["metadata"].get("deletionTimestamp"):
                if monotonic:
                    return 0.1
                continue
            if monotonic and not self._available(sts, pod) and pod["metadata"]["uid"] != first_unhealthy:
                return self._until_available(sts, pod)
            self._delete_pod(cluster, sts, pod)
            if monotonic:
                return None
            changed = True
        if changed:
            return None
        strategy = (sts.get("spec") or {}).get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") == "OnDelete":
            return min(waits, default=0.0)
        # The rolling update: the highest ordinal not at the update revision is deleted (its
        # replacement, made from the update revision, comes on the next sync); an unavailable pod
        # on the way down holds it.
        update_min = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
        for index in reversed(range(start, start + count)):
            if index - start < update_min:
                break
            pod = replicas.get(index)
            if pod is None:  # a Parallel set's pod whose name is still taken: it waits for it
                return 0.1
            revision = (pod["metadata"].get("labels") or {}).get(REVISION)
            if revision != update["metadata"]["name"] and not pod["metadata"].get("deletionTimestamp"):
                self._delete_pod(cluster, sts, pod)
                return None
            if not self._available(sts, pod):
                return self._until_available(sts, pod) if not pod["metadata"].get("deletionTimestamp") else 0.1
        return min(waits, default=0.0)

    def _delete_pod(self, cluster: ClusterState, sts: dict[str, Any], pod: dict[str, Any]) -> None:
        """DeleteStatefulPod, with recordPodEvent's SuccessfulDelete on the set
        (stateful_pod_control.go)."""
        name = pod["metadata"]["name"]
        cluster.delete("v1", "Pod", sts["metadata"]["namespace"], name)
        message = f"delete Pod {name} in StatefulSet {sts['metadata']['name']} successful"
        cluster.add_event(sts, "SuccessfulDelete", message, "Normal", claims.SOURCE)

    def _until_available(self, sts: dict[str, Any], pod: dict[str, Any]) -> float:
        """A Ready pod waiting out minReadySeconds: when to sync again (upstream's
        syncStatefulSet requeues after minReadySeconds); 0 for one that is not Ready."""
        min_ready = int((sts.get("spec") or {}).get("minReadySeconds") or 0)
        left = available_in(pod, min_ready, self.kubelet_wall()) if self._running_and_ready(pod) else None
        return float(left or 0.0)

    def _create(
        self,
        cluster: ClusterState,
        sts: dict[str, Any],
        index: int,
        current: dict[str, Any],
        update: dict[str, Any],
        scheduler: Scheduler,
    ) -> bool | float:
        """newVersionedStatefulSetPod: the pod NAME-ordinal from the current or the update
        revision's template, labelled with that revision's name and its identity (updateIdentity);
        False where a pod of that name is still there, the seconds to the retry where the API
        server refused it."""
        md = sts["metadata"]
        ns, name = md["namespace"], f"{md['name']}-{index}"
        if cluster.get("v1", "Pod", ns, name) is not None:
            return False
        revision = current if uses_current(sts, index) else update
        template = revision_template(revision)
        unmade = {"metadata": {"name": name, "namespace": ns}}
        if claims.claim_is_stale(cluster, sts, unmade, index):
            return False
        try:
            claims.create_claims(cluster, sts, name, index)
        except claims.ClaimError as exc:
            message = f"create Pod {name} in StatefulSet {md['name']} failed error: {exc}"
            cluster.add_event(sts, "FailedCreate", message, "Warning", claims.SOURCE)
            return False
        claims.update_storage(sts, template.setdefault("spec", {}), index)
        labels = {
            **((template.get("metadata") or {}).get("labels") or {}),
            REVISION: revision["metadata"]["name"],
            POD_NAME: name,
            POD_INDEX: str(index),
        }
        node = scheduler.place(template.get("spec") or {}, md["uid"], {"namespace": ns, "labels": labels})
        try:
            self._make_pod(cluster, sts, name, template, labels, node)
        except ApiError as exc:
            if exc.code == 404:
                raise
            return self._refused(cluster, sts, name, exc)
        self.failures.pop(md["uid"], None)
        # CreateStatefulPod then sets the claims' owners, the pod as the set has it (no uid), and
        # records recordPodEvent's SuccessfulCreate on the set.
        claims.fix_owners(cluster, sts, unmade, index)
        message = f"create Pod {name} in StatefulSet {md['name']} successful"
        cluster.add_event(sts, "SuccessfulCreate", message, "Normal", claims.SOURCE)
        return True

    def _refused(self, cluster: ClusterState, sts: dict[str, Any], name: str, exc: ApiError) -> float:
        """CreateStatefulPod's refused create (an admission webhook, LimitRanger, a quota):
        recordPodEvent's Warning FailedCreate "create Pod P in StatefulSet S failed error: <the
        API error>" on the set, and the error requeues the set rate-limited, 5 ms doubling per
        failure up to 1000 s (kubernetes/client-go util/workqueue/default_rate_limiters.go
        DefaultControllerRateLimiter; a floor of 50 ms here, as deployment.py's)."""
        message = f"create Pod {name} in StatefulSet {sts['metadata']['name']} failed error: {exc.message}"
        cluster.add_event(sts, "FailedCreate", message, "Warning", claims.SOURCE)
        n = self.failures.get(sts["metadata"]["uid"], 0)
        self.failures[sts["metadata"]["uid"]] = n + 1
        return max(0.05, min(0.005 * 2**n, 1000.0))

    def _claims_of_live(self, cluster: ClusterState, sts: dict[str, Any], pod: dict[str, Any], index: int) -> bool:
        """processReplica for a pod that exists: a Pending pod's missing claims are made
        (createMissingPersistentVolumeClaims), and its claims' owners follow the retention policy
        (ClaimsMatchRetentionPolicy, UpdateStatefulPod). True: a claim is being deleted (the
        sync ends with the error)."""
        if not claims.templates(sts):
            return False
        if (pod.get("status") or {}).get("phase") == "Pending":
            try:
                claims.create_claims(cluster, sts, pod["metadata"]["name"], index)
            except claims.ClaimError:
                return True
        claims.fix_owners(cluster, sts, pod, index)
        return False

    def _write_status(
        self,
        cluster: ClusterState,
        sts: dict[str, Any],
        fresh: dict[str, Any],
        pods: list[dict[str, Any]],
        current: dict[str, Any],
        update: dict[str, Any],
    ) -> None:
        """computeReplicaStatus, then completeRollingUpdate (stateful_set_utils.go): a RollingUpdate
        set with spec.replicas pods, all updated and ready, makes the update revision current."""
        md = sts["metadata"]
        cur, upd = current["metadata"]["name"], update["metadata"]["name"]
        live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        ready = sum(1 for p in pods if self._running_and_ready(p))
        status: dict[str, Any] = {
            "observedGeneration": md.get("generation", 1),
            "replicas": len(pods),
            "readyReplicas": ready,
            "availableReplicas": sum(1 for p in pods if self._available(sts, p)),
            "currentReplicas": sum(1 for p in live if (p["metadata"].get("labels") or {}).get(REVISION) == cur),
            "updatedReplicas": sum(1 for p in live if (p["metadata"].get("labels") or {}).get(REVISION) == upd),
            "currentRevision": cur,
            "updateRevision": upd,
            "collisionCount": int((fresh.get("status") or {}).get("collisionCount") or 0),
        }
        strategy = ((sts.get("spec") or {}).get("updateStrategy") or {}).get("type", "RollingUpdate")
        want = int((sts.get("spec") or {}).get("replicas", 1))
        if strategy == "RollingUpdate" and status["updatedReplicas"] == ready == status["replicas"] == want:
            status["currentReplicas"] = status["updatedReplicas"]
            status["currentRevision"] = upd
        # updateStatefulSetStatus -> UpdateStatefulSetStatus: UpdateStatus of the set as this sync read
        # it, and on a conflict the same status over the set Got afresh, retry.RetryOnConflict's
        # DefaultRetry (kubernetes/kubernetes pkg/controller/statefulset/stateful_set_control.go,
        # stateful_set_status_updater.go).
        cluster.update_status_again(sts, status, tries=RETRY_STEPS)
