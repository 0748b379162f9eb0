"""Resource snapshots of the KubeFleet hub simulator: the (Cluster)ResourceSnapshot CRDs and the
snapshots the hub writes of what a placement selects.

upstream: kubefleet-dev/kubefleet e160c1cd (paths relative to it):

* The CRDs: config/crd/bases/placement.kubernetes-fleet.io_clusterresourcesnapshots.yaml (cluster
  scoped, short name ``crs``, versions v1 and v1beta1, v1beta1 stored) and
  placement.kubernetes-fleet.io_resourcesnapshots.yaml (namespaced, ``rs``, v1beta1 only). They are
  not among ../shared/crds/fleet, so the simulator installs them as the hub agent's chart does
  (charts/hub-agent/templates/crds). Their schema is cut down to what the simulator writes: spec.
  selectedResources, objects embedded whole (x-kubernetes-embedded-resource, preserve-unknown-fields).
* Writing them: pkg/utils/controller/resource_snapshot_resolver.go GetOrCreateResourceSnapshot and
  BuildMasterResourceSnapshot. A snapshot is named ``{placement}-{index}-snapshot``
  (apis/placement/v1beta1/resourcesnapshot_types.go ResourceSnapshotNameFmt), labelled
  kubernetes-fleet.io/parent-CRP, kubernetes-fleet.io/resource-index and
  kubernetes-fleet.io/is-latest-snapshot ("true"; the one before is set to "false" when a new one is
  made), annotated with the sha-256 hash of its spec (kubernetes-fleet.io/resource-hash), the
  number of snapshots in its group (kubernetes-fleet.io/number-of-resource-snapshots) and of
  enveloped objects (kubernetes-fleet.io/number-of-enveloped-object). A new one is made only when
  the hash differs from the latest one's; indexes start at 0.
* Who writes them: the placement controller for a placement that rolls out by itself; for an
  External one it writes none, and an update run naming no index makes or reuses the latest one
  when it initializes (pkg/controllers/placement/controller.go handleResourceSnapshotByStrategy;
  pkg/controllers/updaterun/initialization.go getResourceSnapshotObjs).
* The content of each selected object is what generateRawContent keeps
  (pkg/utils/controller/resource_selector_resolver.go): no resourceVersion, generation, uid,
  selfLink, deletionTimestamp, managedFields, ownerReferences, creationTimestamp or status, and no
  kubectl last-applied or Deployment revision annotation.

* The creation interval (upstream: kubefleet-dev/kubefleet
  pkg/utils/controller/resource_snapshot_resolver.go
  shouldCreateNewResourceSnapshotNow; cmd/hubagent/options/placementmgmt.go
  resourceSnapshotCreationMinimumInterval, 30 s by default): a changed selection gets a new
  snapshot only that long after the latest one was made; meanwhile the placement's
  selectedResources are those of the latest snapshot (pkg/controllers/placement/controller.go
  handleResourceSnapshotByStrategy, CollectResourceIdentifiersUsingMasterResourceSnapshot).
* The collection duration (resourceChangesCollectionDuration, 15 s by default, same files): the
  first pass that sees a changed selection stamps the latest snapshot with the
  kubernetes-fleet.io/next-resource-snapshot-candidate-detection-time annotation (RFC 3339, unless
  it has one), and the new snapshot is made no sooner than that time plus the duration, so changes
  that come within it are bundled into one snapshot: the new one is made at the later of the two
  times (creation_delay). The annotation stays on the old snapshot even when the change is undone
  meanwhile, as upstream never removes it. The simulator holds snapshots back only when a test sets
  ``snapshot_interval`` or ``collection_duration`` (fleet.py), on its clock.

Not modelled: splitting a large group into sub-indexed snapshots, and deleting the snapshots
beyond revisionHistoryLimit.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any

FLEET = "kubernetes-fleet.io/"
GROUP = "placement.kubernetes-fleet.io"
PARENT = FLEET + "parent-CRP"
INDEX = FLEET + "resource-index"
LATEST = FLEET + "is-latest-snapshot"
HASH = FLEET + "resource-hash"
COUNT = FLEET + "number-of-resource-snapshots"
ENVELOPED = FLEET + "number-of-enveloped-object"
# apis/placement/v1beta1/resourcesnapshot_types.go NextResourceSnapshotCandidateDetectionTimeAnnotation
DETECTED = FLEET + "next-resource-snapshot-candidate-detection-time"
_DROPPED_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision")


def placement_crd(
    kind: str, plural: str, short: str, scope: str, versions: tuple[str, ...], spec: Mapping[str, Any]
) -> dict[str, Any]:
    """A placement.kubernetes-fleet.io CRD as the hub agent's chart installs it (categories fleet and
    fleet-placement, v1beta1 stored, a status subresource), its object schema cut down to ``spec``.
    Shared by the snapshot and binding CRDs (fleet_bindings). upstream: kubefleet-dev/kubefleet
    e160c1cd charts/hub-agent/templates/crds (config/crd/bases/placement.kubernetes-fleet.io_*.yaml)."""
    schema = {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": dict(spec),
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        },
        "required": ["spec"],
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "names": {
                "categories": ["fleet", "fleet-placement"],
                "kind": kind,
                "listKind": kind + "List",
                "plural": plural,
                "shortNames": [short],
                "singular": kind.lower(),
            },
            "scope": scope,
            "versions": [
                {
                    "name": version,
                    "served": True,
                    "storage": version == "v1beta1",
                    "schema": {"openAPIV3Schema": schema},
                    "subresources": {"status": {}},
                }
                for version in versions
            ],
        },
    }


_SPEC = {
    "type": "object",
    "required": ["selectedResources"],
    "properties": {
        "selectedResources": {
            "type": "array",
            "items": {
                "type": "object",
                "x-kubernetes-embedded-resource": True,
                "x-kubernetes-preserve-unknown-fields": True,
            },
        }
    },
}


CRDS = [
    placement_crd("ClusterResourceSnapshot", "clusterresourcesnapshots", "crs", "Cluster", ("v1", "v1beta1"), _SPEC),
    placement_crd("ResourceSnapshot", "resourcesnapshots", "rs", "Namespaced", ("v1beta1",), _SPEC),
]


def kind_of(placement: Mapping[str, Any]) -> tuple[str, str]:
    """(apiVersion, kind) of a placement's snapshots: ResourceSnapshot is served as v1beta1 only."""
    if placement["metadata"].get("namespace"):
        return f"{GROUP}/v1beta1", "ResourceSnapshot"
    return f"{GROUP}/v1", "ClusterResourceSnapshot"


def content(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One selected object as a snapshot holds it (generateRawContent)."""
    kept = json.loads(json.dumps(obj))
    meta = kept.get("metadata") or {}
    for key in (
        "resourceVersion",
        "generation",
        "uid",
        "selfLink",
        "deletionTimestamp",
        "managedFields",
        "ownerReferences",
        "creationTimestamp",
    ):
        meta.pop(key, None)
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in _DROPPED_ANNOTATIONS}
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    kept.pop("status", None)
    return kept


def _snapshots(cluster: Any, placement: Mapping[str, Any]) -> list[dict[str, Any]]:
    api_version, kind = kind_of(placement)
    name = placement["metadata"]["name"]
    items = cluster.list(api_version, kind, placement["metadata"].get("namespace"), f"{PARENT}={name}")
    return sorted(items, key=lambda s: int(s["metadata"].get("labels", {}).get(INDEX, "-1")))


def latest_index(cluster: Any, placement: Mapping[str, Any]) -> str | None:
    """The index of the placement's latest snapshot (lookupLatestResourceSnapshot), or None."""
    snapshots = _snapshots(cluster, placement)
    return str(snapshots[-1]["metadata"]["labels"][INDEX]) if snapshots else None


def _digest(selected: list[dict[str, Any]]) -> str:
    spec = {"selectedResources": [content(o) for o in selected]}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def differs(cluster: Any, placement: Mapping[str, Any], selected: list[dict[str, Any]]) -> bool:
    """Whether ``selected`` would make a new snapshot: the latest one's hash is another."""
    snapshots = _snapshots(cluster, placement)
    return not snapshots or (snapshots[-1]["metadata"].get("annotations") or {}).get(HASH) != _digest(selected)


def identifiers(cluster: Any, placement: Mapping[str, Any], index: str) -> list[dict[str, Any]]:
    """CollectResourceIdentifiersUsingMasterResourceSnapshot: what snapshot ``index`` holds, as the
    placement's selectedResources name it."""
    found = []
    for snapshot in _snapshots(cluster, placement):
        if snapshot["metadata"]["labels"].get(INDEX) != index:
            continue
        for obj in snapshot["spec"].get("selectedResources") or []:
            group, _, version = str(obj["apiVersion"]).rpartition("/")
            ident = {"group": group, "version": version, "kind": obj["kind"], "name": obj["metadata"]["name"]}
            if obj["metadata"].get("namespace"):
                ident["namespace"] = obj["metadata"]["namespace"]
            found.append(ident)
    return found


def held_content(cluster: Any, placement: Mapping[str, Any], index: str, ident: Mapping[str, Any]) -> str:
    """The sha-256 of the object ``ident`` names as snapshot ``index`` holds it ("" when it does not):
    the manifest a member's work applier applies (its hash goes on the applied object as
    kubernetes-fleet.io/spec-hash, kubefleet-dev/kubefleet pkg/controllers/workapplier/apply.go)."""
    for snapshot in _snapshots(cluster, placement):
        if snapshot["metadata"]["labels"].get(INDEX) != index:
            continue
        for obj in snapshot["spec"].get("selectedResources") or []:
            meta = obj.get("metadata") or {}
            if (obj.get("kind"), meta.get("name"), meta.get("namespace")) == (
                ident.get("kind"),
                ident.get("name"),
                ident.get("namespace"),
            ):
                return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()
    return ""


def get_or_create(cluster: Any, placement: Mapping[str, Any], selected: list[dict[str, Any]]) -> str:
    """GetOrCreateResourceSnapshot: the index of the latest snapshot when it holds ``selected``
    (the same hash), else of a new one made of it."""
    api_version, kind = kind_of(placement)
    spec = {"selectedResources": [content(o) for o in selected]}
    digest = _digest(selected)
    snapshots = _snapshots(cluster, placement)
    latest = snapshots[-1] if snapshots else None
    namespace = placement["metadata"].get("namespace")
    if latest is not None:
        meta = latest["metadata"]
        if (meta.get("annotations") or {}).get(HASH) == digest:
            if meta["labels"].get(LATEST) != "true":  # ensureLatestResourceSnapshot
                cluster.patch(api_version, kind, namespace, meta["name"], {"metadata": {"labels": {LATEST: "true"}}})
            return str(meta["labels"][INDEX])
        if meta["labels"].get(LATEST) == "true":
            cluster.patch(api_version, kind, namespace, meta["name"], {"metadata": {"labels": {LATEST: "false"}}})
    index = int(latest["metadata"]["labels"][INDEX]) + 1 if latest is not None else 0
    name = placement["metadata"]["name"]
    metadata: dict[str, Any] = {
        "name": f"{name}-{index}-snapshot",
        "labels": {PARENT: name, LATEST: "true", INDEX: str(index)},
        "annotations": {HASH: digest, COUNT: "1", ENVELOPED: "0"},
        "ownerReferences": [
            {
                "apiVersion": placement["apiVersion"],
                "kind": placement["kind"],
                "name": name,
                "uid": placement["metadata"].get("uid", ""),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ],
    }
    if namespace:
        metadata["namespace"] = namespace
    cluster.create({"apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": spec})
    return str(index)


def creation_delay(
    cluster: Any, placement: Mapping[str, Any], now: float, taken: float, interval: float, collection: float
) -> float:
    """Seconds until a changed selection may be snapshot (0: now), as shouldCreateNewResourceSnapshotNow
    judges it: the later of the detection time plus ``collection`` and the latest snapshot's creation
    (``taken``, on the simulator's clock) plus ``interval``. Only a latest snapshot still labelled
    latest is held back (GetOrCreateResourceSnapshot). ``now`` and ``taken`` are epoch seconds."""
    if interval <= 0 and collection <= 0:
        return 0.0
    latest = _snapshots(cluster, placement)[-1]
    meta = latest["metadata"]
    if meta["labels"].get(LATEST) != "true":
        return 0.0
    detected = _parse((meta.get("annotations") or {}).get(DETECTED))
    if detected is None:
        # Go's now.Format(time.RFC3339): seconds; this pass goes on with the exact now, as upstream.
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        api_version, kind = kind_of(placement)
        patch = {"metadata": {"annotations": {DETECTED: stamp}}}
        cluster.patch(api_version, kind, meta.get("namespace"), meta["name"], patch)
        detected = now
    return max(0.0, max(detected + collection, taken + interval) - now)


def _parse(text: Any) -> float | None:
    """ExtractNextResourceSnapshotCandidateDetectionTimeFromResourceSnapshot: an RFC 3339 time, or
    None when absent or unreadable (upstream then stamps it again)."""
    if not text:
        return None
    try:
        return float(calendar.timegm(time.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ")))
    except ValueError:
        return None
