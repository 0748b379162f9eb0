"""Bindings of the KubeFleet hub simulator: the (Cluster)ResourceBinding objects the hub keeps, one
per placement and member the scheduler picked, written to the store as the hub writes them.

upstream: kubefleet-dev/kubefleet e160c1cd (paths relative to it):

* The CRDs: config/crd/bases/placement.kubernetes-fleet.io_clusterresourcebindings.yaml (cluster
  scoped, short name ``crb``, versions v1 and v1beta1, v1beta1 stored) and
  placement.kubernetes-fleet.io_resourcebindings.yaml (namespaced, ``rb``, v1beta1 only). They are
  not among ../shared/crds/fleet, so the simulator installs them as the hub agent's chart does,
  cut down to an object spec and status (the fields below).
* apis/placement/v1beta1/binding_types.go ResourceBindingSpec: state (Scheduled, Bound,
  Unscheduled), resourceSnapshotName, schedulingPolicySnapshotName, targetCluster, clusterDecision;
  ResourceBindingStatus.conditions (RolloutStarted, Overridden, WorkSynchronized, Applied,
  Available).
* pkg/scheduler/framework/frameworkutils.go generateBinding: the scheduler creates a binding for a
  picked cluster, named by pkg/scheduler/framework/uniquename/uniquename.go NewBindingName
  (``{placement}-{cluster}-{8 random}``, segments cut to fit a DNS label), labelled
  kubernetes-fleet.io/parent-CRP with the placement's name (PlacementTrackingLabel), state
  Scheduled; the rollout controller (pkg/controllers/rollout) or an update run
  (pkg/controllers/updaterun/execution.go) binds it to a resource snapshot (state Bound,
  resourceSnapshotName ``{placement}-{index}-snapshot``).
* The scheduler creates every binding with its finalizer kubernetes-fleet.io/scheduler-crb-cleanup
  (apis/placement/v1beta1/binding_types.go SchedulerBindingCleanupFinalizer; frameworkutils.go
  generateBinding). A binding being deleted is "deleting" to the scheduler (frameworkutils.go
  classifyBindings), which removes that finalizer (framework.go removeFinalizerAndUpdate); so is
  every binding of a deleted placement, which it also deletes (pkg/scheduler/scheduler.go
  cleanUpAllBindingsFor).
* A binding of a cluster no longer picked is not deleted by the scheduler: it marks it Unscheduled
  and records the state it had in the annotation kubernetes-fleet.io/previous-binding-state
  (framework.go markUnscheduledForAndUpdate; apis/placement/v1beta1/commons.go
  PreviousBindingStateAnnotation). A cluster picked again gets its binding back in that state
  (frameworkutils.go crossReferencePickedClustersAndDeDupBindings); the annotation stays (``_reschedule``).
* Spec writes are conditional, each controller's own fields (``_reschedule``, ``_roll``,
  ``_unschedule``): a 409 requeues the placement, or is retried from a fresh Get where upstream
  retries it, so a writer that came between keeps its change. Under a
  rolling update the rollout controller deletes an Unscheduled binding (pkg/controllers/rollout/
  controller.go: "The only thing we can do on an unscheduled binding is to delete it"); under
  External the next update run does, in its deletion stage (pkg/controllers/updaterun/
  initialization.go collectScheduledClusters, execution.go executeDeleteStage; fleet_runs).
  An evicted member's binding is deleted (pkg/controllers/clusterresourceplacementeviction/
  controller.go deleteClusterResourceBinding).
* The binding's conditions are the per-cluster conditions of the placement's status, less
  Scheduled (pkg/controllers/placement/placement_status.go setResourcePlacementStatusBasedOnBinding
  copies them from the binding).

* The work generator's finalizer kubernetes-fleet.io/work-cleanup (apis/placement/v1beta1/commons.go
  WorkFinalizer; pkg/controllers/workgenerator/controller.go): added to a Bound or Unscheduled
  binding whose member exists (ensureFinalizer); on a binding being deleted handleDelete deletes
  its Works and removes the finalizer only once none is left, so the binding stays "deleting"
  while the member removes what was placed. The simulator has no Works: they go at once, except
  on a member annotated ``fleet.emulator/fail: cleanup`` (its work applier never confirms), until
  that member leaves the fleet (pkg/controllers/membercluster/v1beta1/membercluster_controller.go
  garbageCollectWork strips the Works' finalizers).
* The rollout controller (pkg/controllers/rollout/controller.go) binds, updates and deletes the
  bindings of a RollingUpdate placement a few at a time (maxSurge, maxUnavailable): fleet_rollout,
  whose ``removals`` ``sync`` deletes. A binding is ready when its Available (or DiffReported)
  condition is True (isBindingReady). A member with a deleting binding and a live one makes the
  controller wait (waitForResourcesToCleanUp): nothing is bound or deleted until the deleting
  binding is gone.
* Dangling bindings: the scheduler marks the Scheduled or Bound binding of a member that left the
  fleet Unscheduled (frameworkutils.go classifyBindings "dangling", framework.go
  markUnscheduledForAndUpdate); here the member is no longer picked, which comes to the same.
* A member can have a deleting binding and a new one at once: the scheduler ignores deleting
  bindings (classifyBindings) and creates a new binding for a member picked again. Bindings are
  therefore read live (``bindings_of``, by member) or all (``all_bindings``).

* Generations: the conditions the simulator writes observe the binding's own generation (the work
  generator's ObservedGeneration), and readiness and failure read only those (``ready``, ``failed``).
* Override snapshots: a Bound binding names those it rolled out (clusterResourceOverrideSnapshots,
  resourceOverrideSnapshots); fleet_rollout makes it stale when they change.

Not modelled: cluster scores in the decision. A connected member's Works being applied (Applied
False, ApplyInProgress) before its work applier reports are modelled only for a member annotated
``fleet.emulator/apply-seconds`` (fleet_member_status); others apply at once here (upstream:
kubefleet-dev/kubefleet pkg/controllers/workapplier, the Applied condition's ApplyInProgress).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers.finalizers import add_finalizer, remove_finalizer, remove_finalizer_by_update
from tests.emulators.kube.controllers.fleet_conditions import set_cond
from tests.emulators.kube.controllers.fleet_snapshots import GROUP, placement_crd
from tests.emulators.kube.patches import create_merge_patch
from tests.emulators.kube.status import ApiError

PARENT = "kubernetes-fleet.io/parent-CRP"
SCHEDULER_FINALIZER = "kubernetes-fleet.io/scheduler-crb-cleanup"
WORK_FINALIZER = "kubernetes-fleet.io/work-cleanup"
# fleet.FAIL_ANNOTATION: a member whose work applier never confirms that the Works are gone.
FAIL_ANNOTATION = "fleet.emulator/fail"
C1 = "cluster.kubernetes-fleet.io/v1"
# bindingutils nonTerminalBindingFailureReasons: False, yet progress.
NOT_TERMINAL = {"OverriddenPending", "WorkNotSynchronizedYet", "ApplyPending", "ResourceNotAvailableYet"}
FAILURE_TYPES = ("Overridden", "WorkSynchronized", "Applied", "Available")
PREVIOUS_STATE = "kubernetes-fleet.io/previous-binding-state"
# (clusterResourceOverrideSnapshots, resourceOverrideSnapshots) of a binding.
Overrides = tuple[list[str], list[dict[str, str]]]
_DNS_LABEL = 63
_SUFFIX = 8


_SPEC = {
    "type": "object",
    "required": ["state", "targetCluster"],
    "properties": {
        "state": {"type": "string", "enum": ["Scheduled", "Bound", "Unscheduled"]},
        "resourceSnapshotName": {"type": "string"},
        "schedulingPolicySnapshotName": {"type": "string"},
        "targetCluster": {"type": "string"},
        "clusterDecision": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        "clusterResourceOverrideSnapshots": {"type": "array", "items": {"type": "string"}},
        "resourceOverrideSnapshots": {
            "type": "array",
            "items": {"type": "object", "properties": {"name": {"type": "string"}, "namespace": {"type": "string"}}},
        },
    },
}


CRDS = [
    placement_crd("ClusterResourceBinding", "clusterresourcebindings", "crb", "Cluster", ("v1", "v1beta1"), _SPEC),
    placement_crd("ResourceBinding", "resourcebindings", "rb", "Namespaced", ("v1beta1",), _SPEC),
]


def kind_of(placement: Mapping[str, Any]) -> tuple[str, str]:
    """(apiVersion, kind) of a placement's bindings: ResourceBinding is served as v1beta1 only."""
    if placement["metadata"].get("namespace"):
        return f"{GROUP}/v1beta1", "ResourceBinding"
    return f"{GROUP}/v1beta1", "ClusterResourceBinding"


def binding_name(placement: str, cluster: str) -> str:
    """uniquename.NewBindingName: each segment cut to its share of a DNS label."""
    per_segment = (_DNS_LABEL - 2 - _SUFFIX) // 2
    return f"{placement[:per_segment]}-{cluster[: per_segment + 1]}-{secrets.token_hex(_SUFFIX // 2)}"


def all_bindings(cluster: Any, placement: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every binding of the placement, deleting ones included (ListBindingsFromKey), by name."""
    api_version, kind = kind_of(placement)
    meta = placement["metadata"]
    found = cluster.list(api_version, kind, meta.get("namespace"), f"{PARENT}={meta['name']}")
    return sorted(found, key=lambda b: str(b["metadata"]["name"]))


def deleting(binding: Mapping[str, Any]) -> bool:
    return bool((binding.get("metadata") or {}).get("deletionTimestamp"))


def bindings_of(cluster: Any, placement: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The placement's live bindings (not being deleted) by target cluster: the scheduler's view
    (classifyBindings sets deleting ones apart), at most one per member."""
    return {str(b["spec"]["targetCluster"]): b for b in all_bindings(cluster, placement) if not deleting(b)}


def sync(
    cluster: Any,
    placement: Mapping[str, Any],
    picked: Mapping[str, Mapping[str, Any]],
    policy_snapshot: str | None,
    bound: Mapping[str, bool],
    kept: set[str] | frozenset[str] = frozenset(),
    *,
    indices: Mapping[str, str] | None = None,
    conditions_of: Mapping[str, list[dict[str, Any]]] | None = None,
    removals: int = 0,
    frozen: set[str] | frozenset[str] = frozenset(),
    overrides: Mapping[str, Overrides] | None = None,
    requeue: Callable[[], None] = lambda: None,
) -> bool:
    """Make the placement's bindings those of ``picked`` (member -> its per-cluster status entry):
    created for a new pick, Bound where ``bound`` says so (to the snapshot ``indices`` names, else
    the one the entry observes), their conditions ``conditions_of``'s, else the entry's; a member
    no longer picked has its binding marked Unscheduled, and under a rolling update the first
    ``removals`` of those are deleted (the rollout controller's pacing: fleet_rollout). The
    bindings of ``kept`` members are left as they are; a Bound binding carries the override snapshots
    ``overrides`` gives for its member. The conditions written observe the binding's
    own generation (the work generator's ObservedGeneration: binding.GetGeneration(),
    pkg/controllers/workgenerator/controller.go). A ``frozen`` member (its member agent not
    connected: nothing it reports reaches the hub) keeps its binding's conditions as stored unless
    its binding changes, when the hub's work generator writes its entry's. True when a binding
    became ready or not, failed or not (the rollout controller is enqueued again:
    bindingHandlerFuncs)."""
    api_version, kind = kind_of(placement)
    meta = placement["metadata"]
    namespace, name = meta.get("namespace"), str(meta["name"])
    existing = {m: b for m, b in bindings_of(cluster, placement).items() if m not in kept}
    changed = False
    for member, entry in picked.items():
        index = (indices or {}).get(member) or entry.get("observedResourceIndex") or "0"
        spec = {
            "state": "Bound" if bound.get(member) else "Scheduled",
            "resourceSnapshotName": f"{name}-{index}-snapshot" if bound.get(member) else "",
            "schedulingPolicySnapshotName": policy_snapshot or "",
            "targetCluster": member,
            "clusterDecision": {"clusterName": member, "selected": True, "reason": _scheduled_message(entry)},
        }
        # The override snapshots a Bound binding rolls out with (ResourceBindingSpec, omitempty).
        cros, ros = (overrides or {}).get(member, ([], [])) if bound.get(member) else ([], [])
        if cros:
            spec["clusterResourceOverrideSnapshots"] = list(cros)
        if ros:
            spec["resourceOverrideSnapshots"] = list(ros)
        conditions = (conditions_of or {}).get(member)
        if conditions is None:
            conditions = [c for c in entry.get("conditions") or [] if c.get("type") != "Scheduled"]
        binding = existing.pop(member, None)
        generation = generation_of(binding) if binding is not None else 0
        if binding is None:
            # The scheduler creates it Scheduled, with no resource snapshot (frameworkutils.go
            # crossReferencePickedClustersAndDeDupBindings, generateBinding); the rollout
            # controller binds it (``_roll``).
            created = {k: v for k, v in spec.items() if k not in ROLLOUT_FIELDS}
            binding = cluster.create(
                {
                    "apiVersion": api_version,
                    "kind": kind,
                    "metadata": {
                        "name": binding_name(name, member),
                        **({"namespace": namespace} if namespace else {}),
                        "labels": {PARENT: name},
                        "finalizers": [SCHEDULER_FINALIZER],
                    },
                    "spec": {**created, "state": "Scheduled", "resourceSnapshotName": ""},
                }
            )
        written = _reschedule(cluster, binding, spec)
        written = _roll(cluster, written, spec) if written is not None else None
        if written is None:  # a 409: the controller's error requeues it, read afresh
            requeue()
            continue
        binding = written
        before = (binding.get("status") or {}).get("conditions") or []
        now = generation_of(binding)
        conditions = [{**c, "observedGeneration": now} for c in conditions]
        if not (member in frozen and now == generation) and _own(before) != conditions:
            was = (ready(before, generation or now), failed(before, generation or now))
            if write_conditions(cluster, binding, conditions):
                changed |= was != (ready(conditions, now), failed(conditions, now))
            else:
                requeue()
        # The work generator adds its finalizer once it sees the binding Bound, after the rollout
        # controller's writes (a fresh read: it does not move this pass's read on).
        if bound.get(member):
            _ensure_work_finalizer(cluster, binding)
    gone = []
    for binding in existing.values():
        if binding["spec"].get("state") != "Unscheduled":
            unscheduled = _unschedule(cluster, binding)
            if unscheduled is None:
                continue
            binding = unscheduled
            _restamp(cluster, binding)
        _ensure_work_finalizer(cluster, binding)
        gone.append(binding)
    if _external(placement) or rollout_waits(cluster, placement):
        return changed
    for binding in gone[:removals]:
        delete(cluster, binding)
    return changed or bool(gone[:removals])


def _external(placement: Mapping[str, Any]) -> bool:
    return ((placement.get("spec") or {}).get("strategy") or {}).get("type") == "External"


def _current(conditions: list[dict[str, Any]], generation: int | None) -> list[dict[str, Any]]:
    """The conditions condition.IsConditionStatusTrue/False(cond, binding.GetGeneration()) look at:
    those observing the binding's generation (all of them when it is not given)."""
    if generation is None:
        return conditions
    return [c for c in conditions if c.get("observedGeneration") == generation]


def ready(conditions: list[dict[str, Any]], generation: int | None = None) -> bool:
    """isBindingReady (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/controller.go):
    DiffReported or Available True for the binding's generation."""
    found = {c.get("type"): c.get("status") for c in _current(conditions, generation)}
    return found.get("DiffReported") == "True" or found.get("Available") == "True"


def failed(conditions: list[dict[str, Any]], generation: int | None = None) -> bool:
    """bindingutils.HasBindingFailed (pkg/utils/binding/binding.go): a condition among Overridden ..
    Available False for the binding's generation, for a reason not in nonTerminalBindingFailureReasons."""
    return any(
        c.get("type") in FAILURE_TYPES and c.get("status") == "False" and c.get("reason") not in NOT_TERMINAL
        for c in _current(conditions, generation)
    )


def carried(binding: Mapping[str, Any]) -> Overrides:
    """The override snapshots the binding names (its clusterResourceOverrideSnapshots and
    resourceOverrideSnapshots, kubefleet-dev/kubefleet apis/placement/v1beta1/binding_types.go
    ResourceBindingSpec, which pkg/controllers/rollout/controller.go sets from the matched overrides)."""
    spec = binding.get("spec") or {}
    return (
        list(spec.get("clusterResourceOverrideSnapshots") or []),
        list(spec.get("resourceOverrideSnapshots") or []),
    )


def generation_of(binding: Mapping[str, Any]) -> int:
    return int((binding.get("metadata") or {}).get("generation") or 1)


def rollout_waits(cluster: Any, placement: Mapping[str, Any]) -> bool:
    """waitForResourcesToCleanUp: some member has a deleting binding and a live one."""
    everything = all_bindings(cluster, placement)
    going = {b["spec"]["targetCluster"] for b in everything if deleting(b)}
    return any(b["spec"]["targetCluster"] in going for b in everything if not deleting(b))


def held_for_cleanup(cluster: Any, placement: Mapping[str, Any], picked: list[str]) -> set[str]:
    """The picked members of a rolling placement that the rollout controller does not bind yet:
    while a member has a deleting binding and a live one (a new pick counts, as the scheduler
    creates its binding now), waitForResourcesToCleanUp stops the whole rollout, so only the members
    whose binding is Bound already are. Deleting bindings are released first (``release``)."""
    everything = all_bindings(cluster, placement)
    for binding in everything:
        if deleting(binding):
            release(cluster, binding)
    if _external(placement):
        return set()
    everything = all_bindings(cluster, placement)
    going = {b["spec"]["targetCluster"] for b in everything if deleting(b)}
    live = {b["spec"]["targetCluster"]: b for b in everything if not deleting(b)}
    if not going & (set(picked) | set(live)):
        return set()
    return {m for m in picked if (live.get(m) or {}).get("spec", {}).get("state") != "Bound"}


def _restamp(cluster: Any, binding: Mapping[str, Any]) -> None:
    """The work generator treats an Unscheduled binding as bound and refreshes its conditions from
    its Works for the binding's new generation; RolloutStarted, the rollout controller's, stays as it
    was (pkg/controllers/workgenerator/controller.go Reconcile)."""
    now = generation_of(binding)
    conditions = [
        {**c, "observedGeneration": now}
        for c in (binding.get("status") or {}).get("conditions") or []
        if c.get("type") in WORK_TYPES
    ]
    write_conditions(cluster, dict(binding), conditions)


# The binding condition types the work generator owns (condition.OverriddenCondition up to
# TotalCondition, kubefleet-dev/kubefleet e160c1cd pkg/utils/condition/condition.go ResourceCondition);
# RolloutStarted is the rollout controller's.
WORK_TYPES = ("Overridden", "WorkSynchronized", "Applied", "Available", "DiffReported")
ROLLOUT_STARTED = "RolloutStarted"
# The work generator's retry.RetryOnConflict(retry.DefaultBackoff, ...): four tries after the first
# write (kubernetes/client-go util/retry/util.go DefaultBackoff Steps 4; its waits are left out, as
# cluster.RETRY_STEPS's are).
WORK_RETRIES = 4


def _own(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in conditions if c.get("type") in (ROLLOUT_STARTED, *WORK_TYPES)]


def write_conditions(cluster: Any, binding: dict[str, Any], conditions: list[dict[str, Any]]) -> bool:
    """A binding's conditions as two hub controllers write them; False where a 409 ends a write (the
    controller requeues). Upstream: kubefleet-dev/kubefleet e160c1cd
    - pkg/controllers/rollout/controller.go updateBindingStatus: RolloutStarted set on the binding as
      the rollout controller read it (SetConditions: meta.SetStatusCondition, any other type kept),
      Status().Update, a 409 requeued (NewUpdateIgnoreConflictError); nothing is sent where the
      condition is as read.
    - pkg/controllers/workgenerator/controller.go Reconcile: on the binding it Gets, its own types
      removed (RemoveCondition, OverriddenCondition .. TotalCondition) and those it computed set, any
      other type kept; updateBindingStatusWithRetry: Status().Update, and on a failure
      retry.RetryOnConflict(DefaultBackoff): a fresh Get, whose RolloutStarted replaces the one sent
      ("Work generator is the only controller that updates conditions excluding rollout started"),
      the rest of the status sent as computed over the first read (another type written meanwhile
      is lost, as upstream); the last conflict is the reconcile's error, which requeues."""
    meta = binding["metadata"]
    rollout = [c for c in conditions if c.get("type") == ROLLOUT_STARTED]
    if rollout:
        read = list((binding.get("status") or {}).get("conditions") or [])
        wanted = set_cond(read, rollout[0])
        if wanted != read:
            try:
                cluster.update_status_of(binding, {"conditions": wanted})
            except ApiError as exc:
                if exc.reason != "Conflict":
                    raise
                return False
    current = cluster.get(binding["apiVersion"], binding["kind"], meta.get("namespace"), meta["name"])
    if current is None:
        return True
    read = list((current.get("status") or {}).get("conditions") or [])
    computed = [c for c in read if c.get("type") not in WORK_TYPES]
    computed += [c for c in conditions if c.get("type") in WORK_TYPES]
    if computed == read:
        return True
    for attempt in range(WORK_RETRIES + 1):
        try:
            cluster.update_status_of(current, {"conditions": computed})
            return True
        except ApiError as exc:
            if exc.reason != "Conflict":
                raise
        if attempt == WORK_RETRIES:
            break
        current = cluster.get(binding["apiVersion"], binding["kind"], meta.get("namespace"), meta["name"])
        if current is None:
            return True
        latest = [c for c in (current.get("status") or {}).get("conditions") or [] if c.get("type") == ROLLOUT_STARTED]
        if latest:
            computed = [latest[0] if c.get("type") == ROLLOUT_STARTED else c for c in computed]
    return False


def _previous_state(binding: Mapping[str, Any]) -> str | None:
    return ((binding.get("metadata") or {}).get("annotations") or {}).get(PREVIOUS_STATE)


# The spec fields each hub controller writes on a binding (kubefleet-dev/kubefleet e160c1cd): the
# scheduler's (pkg/scheduler/framework/frameworkutils.go patchBindingFromScoredCluster,
# patchBindingFromFixedCluster) and the rollout controller's (pkg/controllers/rollout/controller.go
# createUpdateInfo; an update run's, pkg/controllers/updaterun/execution.go, are the same fields).
SCHEDULER_FIELDS = ("schedulingPolicySnapshotName", "clusterDecision")
ROLLOUT_FIELDS = ("state", "resourceSnapshotName", "clusterResourceOverrideSnapshots", "resourceOverrideSnapshots")
# The scheduler's retry.OnError(retry.DefaultBackoff, ...) around markUnscheduledForAndUpdate: 4 tries
# (kubernetes/client-go util/retry/util.go DefaultBackoff Steps 4; its waits are left out, as
# cluster.RETRY_STEPS's are).
UNSCHEDULE_TRIES = 4


def _reschedule(cluster: Any, binding: dict[str, Any], spec: Mapping[str, Any]) -> dict[str, Any] | None:
    """The scheduler's write of a binding it picks again (frameworkutils.go
    crossReferencePickedClustersAndDeDupBindings, patchBindingFromScoredCluster): its policy snapshot
    and decision set, and an Unscheduled binding's state taken back from
    kubernetes-fleet.io/previous-binding-state, sent as client.MergeFromWithOptions(binding,
    MergeFromWithOptimisticLock{}): the merge patch from the binding as read, with its
    resourceVersion, so a writer that came between (the rollout controller binding it) makes it 409
    (framework.go patchBindings, NewUpdateIgnoreConflictError: requeued). None on a 409. The
    annotation stays on the server: crossReference deletes it from the binding it read *before*
    patchBindingFromScoredCluster copies that binding and takes it as the patch's base, so the patch
    does not carry the removal (pkg/scheduler/framework/framework_test.go "matching 1 unscheduled
    bindings" expects exactly that base, without the annotation); markUnscheduledForAndUpdate
    overwrites it the next time."""
    old = dict(binding.get("spec") or {})
    new = {**old, **{f: spec[f] for f in SCHEDULER_FIELDS if f in spec}}
    if old.get("state") == "Unscheduled":
        new["state"] = _previous_state(binding) or spec["state"]
    diff = create_merge_patch(old, new)
    if not diff:
        return binding
    meta = binding["metadata"]
    body = {"metadata": {"resourceVersion": meta["resourceVersion"]}, "spec": diff}
    try:
        patched: dict[str, Any] = cluster.patch(
            binding["apiVersion"], binding["kind"], meta.get("namespace"), meta["name"], body
        )
    except ApiError as exc:
        if exc.reason != "Conflict":
            raise
        return None
    return patched


def _roll(cluster: Any, binding: dict[str, Any], spec: Mapping[str, Any]) -> dict[str, Any] | None:
    """The rollout controller's (or an update run's) write of a binding it binds or moves to a new
    snapshot: state, resourceSnapshotName and the override snapshots set on the binding as it read
    it, then ``r.Client.Update`` of the whole binding with its resourceVersion (pkg/controllers/
    rollout/controller.go createUpdateInfo, updateBindings; a 409 is NewUpdateIgnoreConflictError,
    requeued, and the binding's RolloutStarted is not written). None on a 409."""
    old = dict(binding.get("spec") or {})
    new = {k: v for k, v in old.items() if k not in ROLLOUT_FIELDS}
    new.update({f: spec[f] for f in ROLLOUT_FIELDS if f in spec})
    if new == old:
        return binding
    try:
        updated: dict[str, Any] = cluster.update_of({**binding, "spec": new})
    except ApiError as exc:
        if exc.reason != "Conflict":
            raise
        return None
    return updated


def _unschedule(cluster: Any, binding: Mapping[str, Any]) -> dict[str, Any] | None:
    """markUnscheduledForAndUpdate (pkg/scheduler/framework/framework.go): the annotations set to the
    previous state alone (SetAnnotations of a new map), the state Unscheduled, and ``hubClient.Update``
    of the binding as read; updateBindings retries a 409 from a fresh Get (retry.OnError with
    DefaultBackoff, IsConflict), so a binding the rollout controller bound in between is recorded as
    Bound. The last conflict is the scheduling cycle's error (raised: the runner requeues)."""
    meta = binding["metadata"]
    current: dict[str, Any] = dict(binding)
    for attempt in range(UNSCHEDULE_TRIES):
        state = current["spec"]["state"]
        body = {
            **current,
            "metadata": {**current["metadata"], "annotations": {PREVIOUS_STATE: state}},
            "spec": {**current["spec"], "state": "Unscheduled"},
        }
        try:
            updated: dict[str, Any] = cluster.update_of(body)
            return updated
        except ApiError as exc:
            if exc.reason != "Conflict" or attempt == UNSCHEDULE_TRIES - 1:
                raise
        fresh = cluster.get(binding["apiVersion"], binding["kind"], meta.get("namespace"), meta["name"])
        if fresh is None:  # gone meanwhile: nothing left to unschedule (None)
            return None
        current = fresh
    raise AssertionError("unreachable")


def placement_present(binding: Mapping[str, Any]) -> bool:
    """pkg/utils/eviction/eviction.go IsPlacementPresent: Bound, or Unscheduled from Bound."""
    state = (binding.get("spec") or {}).get("state")
    return state == "Bound" or (state == "Unscheduled" and _previous_state(binding) == "Bound")


def _member(cluster: Any, name: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = cluster.get(C1, "MemberCluster", None, name)
    return found


def _ensure_work_finalizer(cluster: Any, binding: Mapping[str, Any]) -> None:
    """The work generator's ensureFinalizer, on a Bound or Unscheduled binding whose member exists
    (it skips a binding of a member that is gone: no Work is made for it)."""
    meta = binding["metadata"]
    current = cluster.get(binding["apiVersion"], binding["kind"], meta.get("namespace"), meta["name"])
    if current is None or deleting(current) or _member(cluster, str(current["spec"]["targetCluster"])) is None:
        return
    add_finalizer(cluster, current, WORK_FINALIZER)


def _works_linger(cluster: Any, member: str) -> bool:
    """Whether the Works of a deleted binding stay: the member is still in the fleet and its work
    applier never confirms (annotated ``fleet.emulator/fail: cleanup``). A member gone or leaving
    has its Works' finalizers stripped (membercluster_controller.go garbageCollectWork)."""
    found = _member(cluster, member)
    if found is None or deleting(found):
        return False
    return ((found.get("metadata") or {}).get("annotations") or {}).get(FAIL_ANNOTATION) == "cleanup"


def release(cluster: Any, binding: Mapping[str, Any]) -> None:
    """A binding being deleted: the scheduler removes its finalizer (classifyBindings "deleting",
    removeFinalizerAndUpdate: an Update, 409s retried from a fresh Get; upstream: kubefleet-dev/kubefleet
    e160c1cd pkg/scheduler/framework/framework.go), the work generator its own
    once the binding's Works are gone (handleDelete); the binding is removed when both are off."""
    remove_finalizer_by_update(cluster, dict(binding), SCHEDULER_FINALIZER, UNSCHEDULE_TRIES)
    if not _works_linger(cluster, str(binding["spec"]["targetCluster"])):
        remove_finalizer(cluster, dict(binding), WORK_FINALIZER)


def release_all(cluster: Any) -> None:
    """``release`` every binding being deleted, those of deleted placements included."""
    for kind in ("ClusterResourceBinding", "ResourceBinding"):
        for binding in cluster.list(f"{GROUP}/v1beta1", kind):
            if deleting(binding):
                release(cluster, binding)


def delete(cluster: Any, binding: Mapping[str, Any]) -> None:
    """A binding deleted (by the rollout, eviction or update run controller): "deleting" until its
    finalizers are off (``release``)."""
    meta = binding["metadata"]
    cluster.delete(binding["apiVersion"], binding["kind"], meta.get("namespace"), meta["name"])
    release(cluster, binding)


def delete_all(cluster: Any, placement: Mapping[str, Any]) -> None:
    """cleanUpAllBindingsFor: every binding of a deleted placement, its finalizer removed."""
    for binding in all_bindings(cluster, placement):
        if deleting(binding):
            release(cluster, binding)
        else:
            delete(cluster, binding)


def _scheduled_message(entry: Mapping[str, Any]) -> str:
    scheduled = [c for c in entry.get("conditions") or [] if c.get("type") == "Scheduled"]
    return str(scheduled[0].get("message") or "") if scheduled else ""
