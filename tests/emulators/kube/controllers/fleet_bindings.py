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
  PreviousBindingStateAnnotation). A cluster picked again gets its binding back in that state, the
  annotation removed (frameworkutils.go crossReferencePickedClustersAndDeDupBindings). Under a
  rolling update the rollout controller deletes an Unscheduled binding (pkg/controllers/rollout/
  controller.go: "The only thing we can do on an unscheduled binding is to delete it"); under
  External the next update run does, in its deletion stage (pkg/controllers/updaterun/
  initialization.go collectScheduledClusters, execution.go executeDeleteStage; fleet_runs).
  An evicted member's binding is deleted (pkg/controllers/clusterresourceplacementeviction/
  controller.go deleteClusterResourceBinding).
* The binding's conditions are the per-cluster conditions of the placement's status, less
  Scheduled (pkg/controllers/placement/placement_status.go setResourcePlacementStatusBasedOnBinding
  copies them from the binding).

Not modelled: the rollout controller's maxUnavailable pacing of those deletions (done at once),
the work generator's finalizer (kubernetes-fleet.io/work-cleanup) on a bound binding, cluster
scores in the decision, dangling bindings of a member that left the fleet.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.finalizers import remove_finalizer
from tests.emulators.kube.controllers.fleet_snapshots import GROUP, placement_crd

PARENT = "kubernetes-fleet.io/parent-CRP"
SCHEDULER_FINALIZER = "kubernetes-fleet.io/scheduler-crb-cleanup"
PREVIOUS_STATE = "kubernetes-fleet.io/previous-binding-state"
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


def bindings_of(cluster: Any, placement: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The placement's bindings by target cluster."""
    api_version, kind = kind_of(placement)
    meta = placement["metadata"]
    found = cluster.list(api_version, kind, meta.get("namespace"), f"{PARENT}={meta['name']}")
    return {str(b["spec"]["targetCluster"]): b for b in found}


def sync(
    cluster: Any,
    placement: Mapping[str, Any],
    picked: Mapping[str, Mapping[str, Any]],
    policy_snapshot: str | None,
    bound: Mapping[str, bool],
) -> None:
    """Make the placement's bindings those of ``picked`` (member -> its per-cluster status entry):
    created for a new pick, Bound where ``bound`` says so (to the snapshot the entry observes),
    their conditions the entry's; a member no longer picked has its binding marked Unscheduled,
    and deleted under a rolling update (module docstring)."""
    api_version, kind = kind_of(placement)
    meta = placement["metadata"]
    namespace, name = meta.get("namespace"), str(meta["name"])
    existing = bindings_of(cluster, placement)
    for member, entry in picked.items():
        spec = {
            "state": "Bound" if bound.get(member) else "Scheduled",
            "resourceSnapshotName": f"{name}-{entry.get('observedResourceIndex') or '0'}-snapshot"
            if bound.get(member)
            else "",
            "schedulingPolicySnapshotName": policy_snapshot or "",
            "targetCluster": member,
            "clusterDecision": {"clusterName": member, "selected": True, "reason": _scheduled_message(entry)},
        }
        conditions = [c for c in entry.get("conditions") or [] if c.get("type") != "Scheduled"]
        binding = existing.pop(member, None)
        if binding is None:
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
                    "spec": spec,
                }
            )
        elif binding.get("spec") != spec or _previous_state(binding) is not None:
            # Picked again: crossReferencePickedClustersAndDeDupBindings drops the annotation.
            patch: dict[str, Any] = {"spec": spec}
            if _previous_state(binding) is not None:
                patch["metadata"] = {"annotations": {PREVIOUS_STATE: None}}
            binding = cluster.patch(api_version, kind, namespace, binding["metadata"]["name"], patch)
        if (binding.get("status") or {}).get("conditions") != conditions:
            cluster.patch_status(api_version, kind, namespace, binding["metadata"]["name"], {"conditions": conditions})
    external = ((placement.get("spec") or {}).get("strategy") or {}).get("type") == "External"
    for gone in existing.values():
        if gone["spec"].get("state") != "Unscheduled":
            gone = _unschedule(cluster, gone)
        if not external:
            delete(cluster, gone)  # the rollout controller


def _previous_state(binding: Mapping[str, Any]) -> str | None:
    return ((binding.get("metadata") or {}).get("annotations") or {}).get(PREVIOUS_STATE)


def _unschedule(cluster: Any, binding: Mapping[str, Any]) -> dict[str, Any]:
    """markUnscheduledForAndUpdate: the state it had kept in the annotation, then Unscheduled."""
    meta = binding["metadata"]
    patch = {"metadata": {"annotations": {PREVIOUS_STATE: binding["spec"]["state"]}}, "spec": {"state": "Unscheduled"}}
    updated: dict[str, Any] = cluster.patch(
        binding["apiVersion"], binding["kind"], meta.get("namespace"), meta["name"], patch
    )
    return updated


def placement_present(binding: Mapping[str, Any]) -> bool:
    """pkg/utils/eviction/eviction.go IsPlacementPresent: Bound, or Unscheduled from Bound."""
    state = (binding.get("spec") or {}).get("state")
    return state == "Bound" or (state == "Unscheduled" and _previous_state(binding) == "Bound")


def delete(cluster: Any, binding: Mapping[str, Any]) -> None:
    """A binding deleted (by the rollout or eviction controller): it is "deleting" until the
    scheduler removes its finalizer (classifyBindings, removeFinalizerAndUpdate)."""
    meta = binding["metadata"]
    cluster.delete(binding["apiVersion"], binding["kind"], meta.get("namespace"), meta["name"])
    remove_finalizer(cluster, dict(binding), SCHEDULER_FINALIZER)


def delete_all(cluster: Any, placement: Mapping[str, Any]) -> None:
    """cleanUpAllBindingsFor: every binding of a deleted placement, its finalizer removed."""
    for binding in bindings_of(cluster, placement).values():
        delete(cluster, binding)


def _scheduled_message(entry: Mapping[str, Any]) -> str:
    scheduled = [c for c in entry.get("conditions") or [] if c.get("type") == "Scheduled"]
    return str(scheduled[0].get("message") or "") if scheduled else ""
