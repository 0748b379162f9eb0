"""What an update of a placement changes on the members it stays on, as far as the hub can tell
before the update: which of them KubeFleet's rollout controller will update in place, and whether
it can track the availability of what it places. fleet/pacing.py paces those, instead of taking
every member kept as updated and every object as untrackable (the worst case).

Upstream (kubefleet-dev/kubefleet e160c1cdfdd9bf4c0234713d2b7f34e0ec95dab6):
- pkg/controllers/rollout/controller.go pickBindingsToRoll: a Bound binding is an update candidate
  only when its resourceSnapshotName is not the latest master resource snapshot, or its
  ClusterResourceOverrideSnapshots / ResourceOverrideSnapshots are not the ones that match now;
  otherwise it is up to date and left alone. FetchLatestMasterResourceSnapshot
  (pkg/utils/controller/resource_snapshot_resolver.go): the snapshot labelled
  kubernetes-fleet.io/parent-CRP=NAME and kubernetes-fleet.io/is-latest-snapshot=true that carries
  kubernetes-fleet.io/resource-hash.
- A new snapshot is taken when the selection changes: a change of spec.resourceSelectors or of a
  selected object on the hub. A change the placement controller saw but has not snapshot yet stamps
  the latest snapshot with kubernetes-fleet.io/next-resource-snapshot-candidate-detection-time
  (resource_snapshot_resolver.go GetOrCreateResourceSnapshot; apis/placement/v1beta1
  resourcesnapshot_types.go).
- pkg/controllers/workapplier/availability_tracker.go trackInMemberClusterObjAvailabilityByGVR:
  Deployments, StatefulSets, DaemonSets, Services, CRDs and PodDisruptionBudgets are tracked, the
  kinds of isDataResource are available at once, and any other kind is NotTrackable: only then does
  the rollout controller wait unavailablePeriodSeconds (controller.go isBindingReady).
- CRD defaults the hub adds to what akscli sends (config/crd/bases, ../shared/crds/fleet):
  resourceSelectors[].selectionScope NamespaceWithResources; an override's
  policy.overrideRules[].overrideType JSONPatch and placement.scope Cluster.

- pkg/utils/overrider/overrider.go PickFromResourceMatchedOverridesForTargetCluster, isClusterMatched:
  an override reaches the members its rules' cluster selectors match; a changed override moves the
  bindings of the members it matched before or matches after.

What the hub cannot tell before the update: a selected object changed on the hub that the placement
controller has not seen yet.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from akscli.fleet import (
    BINDING,
    CRO,
    FLEET_PREFIX,
    PARENT_PLACEMENT_LABEL,
    PLACEMENT_BETA,
    PLACEMENT_V1,
    RESOURCE_BINDING,
    RO,
)
from akscli.fleet.matching import label_selector_matches
from akscli.fleet.pacing import Change
from akscli.kube.client import Kube

IS_LATEST_LABEL = FLEET_PREFIX + "is-latest-snapshot"  # apis/placement/v1beta1 commons.go IsLatestSnapshotLabel
RESOURCE_HASH = FLEET_PREFIX + "resource-hash"  # resourcesnapshot_types.go ResourceGroupHashAnnotation (the master's)
CANDIDATE_DETECTED = FLEET_PREFIX + "next-resource-snapshot-candidate-detection-time"

# availability_tracker.go: tracked kinds, and isDataResource's (available at once); (group, kind).
TRACKED = frozenset(
    {
        ("apps", "Deployment"),
        ("apps", "StatefulSet"),
        ("apps", "DaemonSet"),
        ("", "Service"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("policy", "PodDisruptionBudget"),
    }
)
DATA = frozenset(
    {
        ("", "Namespace"),
        ("", "Secret"),
        ("", "ConfigMap"),
        ("rbac.authorization.k8s.io", "Role"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "RoleBinding"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("", "ServiceAccount"),
        ("networking.k8s.io", "NetworkPolicy"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIStorageCapacity"),
        ("apps", "ControllerRevision"),
        ("networking.k8s.io", "IngressClass"),
        ("", "LimitRange"),
        ("", "ResourceQuota"),
        ("scheduling.k8s.io", "PriorityClass"),
    }
)
NAMESPACE_ONLY = "NamespaceOnly"


def untracked(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    """``KIND/NAME`` of each resource whose availability KubeFleet cannot track."""
    return [
        f"{r.get('kind')}/{r.get('name')}"
        for r in resources
        if (str(r.get("group") or ""), str(r.get("kind") or "")) not in TRACKED | DATA
    ]


def _selectors(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for selector in spec.get("resourceSelectors") or []:
        item = dict(selector)
        item.setdefault("selectionScope", "NamespaceWithResources")
        out.append(item)
    return out


def _override_spec(obj: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    spec = copy.deepcopy(dict(obj.get("spec") or {}))
    if "placement" in spec:
        spec["placement"] = {"scope": "Cluster", **(spec["placement"] or {})}
    for rule in (spec.get("policy") or {}).get("overrideRules") or []:
        rule.setdefault("overrideType", "JSONPatch")
    return spec


def selection_after(existing: Mapping[str, Any], placement: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """What the placement will select, where the hub can tell: under the same selectors, what it
    selects now (status.selectedResources); under new ones, each selector's kind, unless a Namespace
    selector takes the namespace's contents (then None: not known before the hub selects them)."""
    new = _selectors(placement.get("spec") or {})
    if new == _selectors(existing.get("spec") or {}):
        return [dict(r) for r in (existing.get("status") or {}).get("selectedResources") or []]
    chosen = []
    for selector in new:
        group, kind = str(selector.get("group") or ""), str(selector.get("kind") or "")
        if (group, kind) == ("", "Namespace") and selector.get("selectionScope") != NAMESPACE_ONLY:
            return None
        chosen.append({"group": group, "kind": kind, "name": selector.get("name") or "(by label)"})
    return chosen


def _latest_master(kube: Kube, name: str, namespace: str | None) -> Mapping[str, Any] | None:
    # ResourceSnapshot is served as v1beta1 only, ClusterResourceSnapshot as v1 too (runchecks.resource_snapshots).
    kind, version = ("ResourceSnapshot", PLACEMENT_BETA) if namespace else ("ClusterResourceSnapshot", PLACEMENT_V1)
    selector = f"{PARENT_PLACEMENT_LABEL}={name},{IS_LATEST_LABEL}=true"
    for snapshot in kube.list(version, kind, namespace=namespace, label_selector=selector):
        if ((snapshot.get("metadata") or {}).get("annotations") or {}).get(RESOURCE_HASH):
            return snapshot
    return None


def behind(kube: Kube, existing: Mapping[str, Any]) -> set[str] | None:
    """The members whose binding is not on the placement's latest master resource snapshot (the
    rollout controller updates them), or None when a new snapshot is on its way (every member)."""
    meta = existing.get("metadata") or {}
    name, namespace = str(meta.get("name")), meta.get("namespace")
    master = _latest_master(kube, name, namespace)
    if master is None:
        return None
    if ((master.get("metadata") or {}).get("annotations") or {}).get(CANDIDATE_DETECTED):
        return None
    latest = str((master.get("metadata") or {}).get("name"))
    bindings = kube.list(
        PLACEMENT_BETA,
        RESOURCE_BINDING if namespace else BINDING,
        namespace=namespace,
        label_selector=f"{PARENT_PLACEMENT_LABEL}={name}",
    )
    return {
        str(spec.get("targetCluster"))
        for spec in ((b.get("spec") or {}) for b in bindings)
        if spec.get("state") == "Bound" and spec.get("resourceSnapshotName") != latest
    }


def overridden(override: Mapping[str, Any] | None, member: Mapping[str, Any]) -> bool:
    """Whether ``override`` applies to ``member``: one of its rules selects it (kubefleet-dev/kubefleet
    pkg/utils/overrider/overrider.go isClusterMatched, IsClusterMatched: no clusterSelector matches no
    member, an empty clusterSelectorTerms every member, else any term's labelSelector)."""
    labels = dict((member.get("metadata") or {}).get("labels") or {})
    for rule in ((((override or {}).get("spec") or {}).get("policy")) or {}).get("overrideRules") or []:
        selector = rule.get("clusterSelector")
        if selector is None:
            continue
        terms = selector.get("clusterSelectorTerms") or []
        if not terms or any(label_selector_matches(t.get("labelSelector"), labels) for t in terms):
            return True
    return False


def what_changes(
    kube: Kube,
    change: Change,
    existing: Mapping[str, Any],
    objects: Iterable[Mapping[str, Any]],
    members: Iterable[Mapping[str, Any]] = (),
) -> Change:
    """``change`` with the members kept that will be updated in place and whether what it places
    is tracked (module docstring). ``existing``: the placement on the hub now; ``objects``: what this
    update applies, the placement and its override (``{NAME}-override``, fleet/placement.py), whose
    spec is compared with the hub's; ``members``: the MemberClusters, for whom a changed override
    applies to (before or after the change)."""
    objects = list(objects)
    meta = existing.get("metadata") or {}
    placement = next(o for o in objects if o.get("kind") == existing.get("kind"))
    override = next((o for o in objects if o.get("kind") in (CRO, RO)), None)
    at = (override or {}).get("metadata") or {}
    on_hub = kube.get(
        PLACEMENT_V1,
        str((override or {}).get("kind") or (RO if meta.get("namespace") else CRO)),
        str(at.get("name") or f"{meta.get('name')}-override"),
        at.get("namespace", meta.get("namespace")),
    )
    selection = selection_after(existing, placement)
    slow = untracked(selection or [])
    moving = None
    if _selectors(placement.get("spec") or {}) == _selectors(existing.get("spec") or {}):
        moving = behind(kube, existing)
    if moving is not None and _override_spec(override) != _override_spec(on_hub):
        by_name = {str((m.get("metadata") or {}).get("name")): m for m in members}
        moving |= {n for n in change.kept_names if any(overridden(o, by_name.get(n, {})) for o in (override, on_hub))}
    updated = change.kept if moving is None else len([n for n in change.kept_names if n in moving])
    return dataclasses.replace(change, updated=updated, untracked=selection is None or bool(slow), slow=tuple(slow[:1]))
