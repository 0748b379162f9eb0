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
* A binding of a cluster no longer picked is deleted (the scheduler marks it Unscheduled, the
  rollout controller removes it); so are those of an evicted member (pkg/controllers/
  clusterresourceplacementeviction/controller.go deletes the binding) and every binding of a
  deleted placement (pkg/scheduler/scheduler.go cleanUpAllBindingsFor).
* The binding's conditions are the per-cluster conditions of the placement's status, less
  Scheduled (pkg/controllers/placement/placement_status.go setResourcePlacementStatusBasedOnBinding
  copies them from the binding).

Not modelled: the scheduler's finalizer on a binding (kubernetes-fleet.io/scheduler-crb-cleanup),
the Unscheduled state kept while a binding's resources are removed, cluster scores in the decision.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.fleet_snapshots import GROUP, placement_crd

PARENT = "kubernetes-fleet.io/parent-CRP"
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
    their conditions the entry's; deleted for a member no longer picked."""
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
                    },
                    "spec": spec,
                }
            )
        elif binding.get("spec") != spec:
            binding = cluster.patch(api_version, kind, namespace, binding["metadata"]["name"], {"spec": spec})
        if (binding.get("status") or {}).get("conditions") != conditions:
            cluster.patch_status(api_version, kind, namespace, binding["metadata"]["name"], {"conditions": conditions})
    for gone in existing.values():
        cluster.delete(api_version, kind, namespace, gone["metadata"]["name"])


def delete_all(cluster: Any, placement: Mapping[str, Any]) -> None:
    """cleanUpAllBindingsFor: every binding of a deleted placement."""
    sync(cluster, placement, {}, None, {})


def _scheduled_message(entry: Mapping[str, Any]) -> str:
    scheduled = [c for c in entry.get("conditions") or [] if c.get("type") == "Scheduled"]
    return str(scheduled[0].get("message") or "") if scheduled else ""
