"""Override snapshots of the KubeFleet hub simulator (see fleet.py): the override controller's
(Cluster)ResourceOverrideSnapshots, and the latest ones the rollout controller reads.

upstream: kubefleet-dev/kubefleet e160c1cd (paths relative to it):

* The CRDs: config/crd/bases/placement.kubernetes-fleet.io_clusterresourceoverridesnapshots.yaml
  (cluster scoped) and placement.kubernetes-fleet.io_resourceoverridesnapshots.yaml (namespaced), both
  served as v1, v1alpha1 and v1beta1 (v1beta1 stored), categories fleet and fleet-placement, no short
  name; spec.overrideSpec (the override's spec) and spec.overrideHash (required). They are not among
  ../shared/crds/fleet; the hub agent's chart installs them (charts/hub-agent/templates/crds). Their
  schema is cut down here to those two fields (fleet_snapshots.placement_crd).
* Writing them: pkg/controllers/overrider/clusterresource_controller.go
  ensureClusterResourceOverrideSnapshot (resource_controller.go the same for a ResourceOverride, in
  its namespace): the hash of the override's spec (resource.HashOf, a sha-256); a new snapshot only
  when it differs from the latest one's, named ``{override}-{index}`` (apis/placement/v1beta1/
  overridesnapshot_types.go OverrideSnapshotNameFmt), index one past the latest's (the first 0),
  labelled kubernetes-fleet.io/parent-resource-override (OverrideTrackingLabel),
  kubernetes-fleet.io/override-index (OverrideIndexLabel) and kubernetes-fleet.io/is-latest-snapshot
  "true" (the latest one before is set to "false" first), owned by the override (a controller
  reference). An unchanged spec keeps the latest one (ensureSnapshotLatest).
* When: the override controller runs on its own work queue, for a new generation of the override
  (SetupWithManager: predicate.GenerationChangedPredicate). Nothing orders it against the placement
  and rollout controllers, so the rollout controller may bind members before an override written
  with the placement has a snapshot, and a changed override's placement shows its old rollout,
  complete, until the new snapshot is made and rolled out. ``FleetHubController.override_lag``
  (seconds of wall clock, 0 by default) stands for that queue's latency in tests.
* Deleting an override deletes its snapshots (common.go handleOverrideDeleting, under the
  kubernetes-fleet.io/override-cleanup finalizer; the simulator deletes them when the override is
  gone and adds no finalizer).
* Reading them: pkg/utils/overrider/overrider.go FetchAllMatchingOverridesForResourceSnapshot lists
  the snapshots labelled is-latest-snapshot "true" and judges each by its spec.overrideSpec, never
  the override itself (pkg/controllers/rollout/controller.go Reconcile).

Not modelled: revisionHistoryLimit (10 snapshots per override).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.fleet_snapshots import LATEST, placement_crd

P1 = "placement.kubernetes-fleet.io/v1"
TRACKING = "kubernetes-fleet.io/parent-resource-override"
INDEX = "kubernetes-fleet.io/override-index"
SNAPSHOT_OF = {
    "ClusterResourceOverride": "ClusterResourceOverrideSnapshot",
    "ResourceOverride": "ResourceOverrideSnapshot",
}

_SPEC = {
    "type": "object",
    "required": ["overrideHash", "overrideSpec"],
    "properties": {
        "overrideHash": {"type": "string", "format": "byte"},
        "overrideSpec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
}
_VERSIONS = ("v1", "v1alpha1", "v1beta1")
CRDS = [
    {**crd, "spec": {**crd["spec"], "names": {k: v for k, v in crd["spec"]["names"].items() if k != "shortNames"}}}
    for crd in (
        placement_crd(
            "ClusterResourceOverrideSnapshot", "clusterresourceoverridesnapshots", "-", "Cluster", _VERSIONS, _SPEC
        ),
        placement_crd("ResourceOverrideSnapshot", "resourceoverridesnapshots", "-", "Namespaced", _VERSIONS, _SPEC),
    )
]


def spec_hash(override: Mapping[str, Any]) -> str:
    """resource.HashOf(spec): a sha-256 of the spec's JSON, in hex."""
    return hashlib.sha256(json.dumps(override.get("spec") or {}, sort_keys=True).encode()).hexdigest()


def _snapshots(cluster: Any, kind: str, namespace: str | None, name: str) -> list[dict[str, Any]]:
    """The override's snapshots, by index (listSortedOverrideSnapshots)."""
    found = [
        s
        for s in cluster.list(P1, SNAPSHOT_OF[kind], namespace)
        if ((s.get("metadata") or {}).get("labels") or {}).get(TRACKING) == name
    ]
    return sorted(found, key=lambda s: int(s["metadata"]["labels"].get(INDEX) or 0))


def take(cluster: Any, override: Mapping[str, Any]) -> str:
    """ensure*OverrideSnapshot: the name of the override's latest snapshot, made when its spec's hash
    differs from the latest one's."""
    meta = override["metadata"]
    kind, namespace, name = str(override["kind"]), meta.get("namespace"), str(meta["name"])
    digest = spec_hash(override)
    existing = _snapshots(cluster, kind, namespace, name)
    index = 0
    if existing:
        latest = existing[-1]
        labels = dict(latest["metadata"].get("labels") or {})
        same = base64.b64decode(latest["spec"]["overrideHash"]).decode() == digest
        # The same spec: ensureSnapshotLatest; another: the latest one is set to "false" first.
        wanted = "true" if same else "false"
        if labels.get(LATEST) != wanted:
            patch = {"metadata": {"labels": {LATEST: wanted}}}
            cluster.patch(P1, SNAPSHOT_OF[kind], namespace, latest["metadata"]["name"], patch)
        if same:
            return str(latest["metadata"]["name"])
        index = int(labels.get(INDEX) or 0) + 1
    snapshot_meta: dict[str, Any] = {
        "name": f"{name}-{index}",
        "labels": {TRACKING: name, LATEST: "true", INDEX: str(index)},
        "ownerReferences": [
            {
                "apiVersion": P1.rpartition("/")[0] + "/v1beta1",
                "kind": kind,
                "name": name,
                "uid": str(meta.get("uid") or ""),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ],
    }
    if namespace:
        snapshot_meta["namespace"] = namespace
    cluster.create(
        {
            "apiVersion": P1,
            "kind": SNAPSHOT_OF[kind],
            "metadata": snapshot_meta,
            "spec": {
                "overrideSpec": json.loads(json.dumps(override.get("spec") or {})),
                "overrideHash": base64.b64encode(digest.encode()).decode(),
            },
        }
    )
    return snapshot_meta["name"]


def delete_all(cluster: Any, override: Mapping[str, Any]) -> None:
    """handleOverrideDeleting: every snapshot of a deleted override goes."""
    meta = override["metadata"]
    kind, namespace = str(override["kind"]), meta.get("namespace")
    for snapshot in _snapshots(cluster, kind, namespace, str(meta["name"])):
        cluster.delete(P1, SNAPSHOT_OF[kind], namespace, snapshot["metadata"]["name"])


def latest(cluster: Any, kind: str, namespace: str | None = None) -> list[dict[str, Any]]:
    """The latest snapshots of every ``kind`` override (in ``namespace``), each as the override it
    snapshots: FetchAllMatchingOverridesForResourceSnapshot judges an override by its latest
    snapshot's spec, and names it by the snapshot (``metadata.name``)."""
    return [
        {
            "kind": kind,
            "metadata": {"name": s["metadata"]["name"], "namespace": s["metadata"].get("namespace")},
            "spec": s["spec"]["overrideSpec"],
        }
        for s in cluster.list(P1, SNAPSHOT_OF[kind], namespace)
        if ((s.get("metadata") or {}).get("labels") or {}).get(LATEST) == "true"
    ]


def referencing(cluster: Any, placement: Mapping[str, Any]) -> list[str]:
    """The latest override snapshots whose spec.overrideSpec.placement names ``placement``: the ones whose
    creation enqueues it for the rollout controller (kubefleet-dev/kubefleet e160c1cd
    pkg/controllers/rollout/controller.go handleClusterResourceOverrideSnapshot, a ClusterResourcePlacement
    by name; handleResourceOverrideSnapshot, a ResourcePlacement in the snapshot's namespace for scope
    Namespaced, else a ClusterResourcePlacement; one naming no placement enqueues nothing). Their set
    shrinks when such an override is deleted (its ClusterResourceOverride and ResourceOverride delete
    handlers enqueue the placement)."""
    namespace = placement["metadata"].get("namespace")
    name = placement["metadata"]["name"]
    kinds = ("ResourceOverride",) if namespace else ("ClusterResourceOverride", "ResourceOverride")
    found = []
    for kind in kinds:
        for snapshot in latest(cluster, kind, namespace):
            ref = snapshot["spec"].get("placement") or {}
            scoped = kind == "ResourceOverride" and ref.get("scope") == "Namespaced"
            if ref.get("name") == name and scoped == bool(namespace):
                found.append(f"{kind}/{snapshot['metadata'].get('namespace') or ''}/{snapshot['metadata']['name']}")
    return sorted(found)


def named(cluster: Any, kind: str, namespace: str | None, name: str) -> dict[str, Any] | None:
    """The ``kind`` override snapshot ``name`` as the override it snapshots (the shape ``latest`` gives),
    whether or not it is the latest: a binding may carry an older one (pkg/controllers/workgenerator/
    override.go fetchClusterResourceOverrideSnapshots reads the binding's by name)."""
    snapshot = cluster.get(P1, SNAPSHOT_OF[kind], namespace, name)
    if snapshot is None:
        return None
    meta = {"name": name, "namespace": namespace}
    return {"kind": kind, "metadata": meta, "spec": snapshot["spec"]["overrideSpec"]}
