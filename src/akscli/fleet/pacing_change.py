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
  resourcesnapshot_types.go); the stamp stays when the change is undone (``pending``).
- pkg/controllers/workapplier/availability_tracker.go trackInMemberClusterObjAvailabilityByGVR:
  Deployments, StatefulSets, DaemonSets, Services, CRDs and PodDisruptionBudgets are tracked, the
  kinds of isDataResource are available at once, and any other kind is NotTrackable: only then does
  the rollout controller wait unavailablePeriodSeconds (controller.go isBindingReady).
- CRD defaults the hub adds to what akscli sends (config/crd/bases, ../shared/crds/fleet):
  resourceSelectors[].selectionScope NamespaceWithResources; an override's
  policy.overrideRules[].overrideType JSONPatch and placement.scope Cluster.

- pkg/utils/overrider/overrider.go FetchAllMatchingOverridesForResourceSnapshot: an override counts for
  a placement only when its placement reference names it (none: any placement) and one of its
  resource selectors names an object the latest snapshot holds (a ClusterResourceOverride: a
  cluster-scoped object, or the Namespace of a namespaced one; a ResourceOverride: a namespaced
  object of its own namespace). PickFromResourceMatchedOverridesForTargetCluster, isClusterMatched:
  such an override reaches the members its rules' cluster selectors match; a changed override moves
  the bindings of the members it matched before or matches after.

What the hub cannot tell before the update: a selected object changed on the hub that the placement
controller has not seen yet.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Iterable, Mapping
from typing import Any

from akscli import timestamps
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
# cmd/hubagent/options/placementmgmt.go: the largest resourceChangesCollectionDuration (1m) and
# resourceSnapshotCreationMinimumInterval (5m) the hub agent takes.
MAX_COLLECTION_S, MAX_INTERVAL_S = 60.0, 300.0
# akscli's own: for the hub's requeue and a clock here behind the hub's (no upstream source).
CLOCK_MARGIN_S = 60.0

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


def _now() -> float:
    return time.time()


def pending(master: Mapping[str, Any], now: float) -> bool:
    """Whether the hub may still be about to take a new snapshot of a change it saw: ``master`` carries
    the candidate annotation and the latest time the hub may make it has not passed. The hub stamps
    the annotation on the first pass that sees a changed selection and never takes it off, not even
    when the change is undone before the snapshot (it then finds the same hash and keeps the
    snapshot: resource_snapshot_resolver.go GetOrCreateResourceSnapshot). A change that still stands
    is snapshot at the later of the detection time plus resourceChangesCollectionDuration and the
    snapshot's creation plus resourceSnapshotCreationMinimumInterval (shouldCreateNewResourceSnapshotNow;
    the placement controller requeues for that time), at most 1m and 5m (cmd/hubagent/options/
    placementmgmt.go, their bounds). Past both, and akscli's margin, an annotation left says the change
    was undone: no member moves for it. A time that cannot be read counts as pending."""
    meta = master.get("metadata") or {}
    stamp = (meta.get("annotations") or {}).get(CANDIDATE_DETECTED)
    if not stamp:
        return False
    detected, created = timestamps.epoch(stamp), timestamps.epoch(meta.get("creationTimestamp"))
    if detected is None or created is None:
        return True
    return now < max(detected + MAX_COLLECTION_S, created + MAX_INTERVAL_S) + CLOCK_MARGIN_S


def behind(kube: Kube, existing: Mapping[str, Any]) -> set[str] | None:
    """The members whose binding is not on the placement's latest master resource snapshot (the
    rollout controller updates them), or None when a new snapshot is on its way (every member)."""
    meta = existing.get("metadata") or {}
    name, namespace = str(meta.get("name")), meta.get("namespace")
    master = _latest_master(kube, name, namespace)
    if master is None:
        return None
    if pending(master, _now()):
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
    member, an empty clusterSelectorTerms every member, else any term's labelSelector through
    LabelSelectorAsSelector, so a term with no labelSelector, which the hub's webhook refuses
    (pkg/utils/validator/resourceoverride.go validateOverridePolicy), matches no member)."""
    labels = dict((member.get("metadata") or {}).get("labels") or {})
    for rule in ((((override or {}).get("spec") or {}).get("policy")) or {}).get("overrideRules") or []:
        selector = rule.get("clusterSelector")
        if selector is None:
            continue
        terms = selector.get("clusterSelectorTerms") or []
        name = f"override {((override or {}).get('metadata') or {}).get('name')}"
        if not terms or any(label_selector_matches(t.get("labelSelector"), labels, name) for t in terms):
            return True
    return False


# apis/placement/v1beta1 envelope_types.go: their inner objects are override candidates too
# (collectCandidatesFromResourceEnvelope), which status.selectedResources does not list.
ENVELOPES = frozenset({"ResourceEnvelope", "ClusterResourceEnvelope"})


def _candidates(selection: Iterable[Mapping[str, Any]]) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """overrider.go addCandidatesFromResource: what a ClusterResourceOverride and a ResourceOverride can
    select of ``selection`` (resource identifiers), keyed (group, version, kind, name) and (group,
    version, kind, namespace, name). A namespaced object is selected by its own ResourceOverride or by a
    ClusterResourceOverride of its Namespace; a cluster-scoped one by a ClusterResourceOverride."""
    cro: set[tuple[str, ...]] = set()
    ro: set[tuple[str, ...]] = set()
    for r in selection:
        gvk = (str(r.get("group") or ""), str(r.get("version") or ""), str(r.get("kind") or ""))
        namespace, name = r.get("namespace"), str(r.get("name") or "")
        if namespace:
            cro.add(("", "v1", "Namespace", str(namespace)))
            ro.add((*gvk, str(namespace), name))
        else:
            cro.add((*gvk, name))
    return cro, ro


def selects(
    override: Mapping[str, Any] | None, placement: Mapping[str, Any], selection: list[dict[str, Any]] | None
) -> bool:
    """Whether ``override`` counts for ``placement`` whose latest snapshot holds ``selection``
    (overrider.go FetchAllMatchingOverridesForResourceSnapshot): its placement reference names the
    placement (namespace/name for a ResourcePlacement, a Namespaced reference of a ResourceOverride
    in its namespace) and a resource selector names a candidate. What the hub cannot tell before
    (selection None: not known yet; an envelope, whose inner objects are candidates too) counts."""
    if override is None:
        return False
    spec, meta = override.get("spec") or {}, override.get("metadata") or {}
    at = placement.get("metadata") or {}
    key = f"{at['namespace']}/{at.get('name')}" if at.get("namespace") else str(at.get("name"))
    ref = spec.get("placement")
    if ref is not None:
        named = str(ref.get("name"))
        if override.get("kind") == RO and ref.get("scope") == "Namespaced":
            named = f"{meta.get('namespace')}/{named}"
        if named != key:
            return False
    if selection is None or any(r.get("kind") in ENVELOPES for r in selection):
        return True
    cro, ro = _candidates(selection)

    def gvk(s: Mapping[str, Any]) -> tuple[str, str, str]:
        return str(s.get("group") or ""), str(s.get("version") or ""), str(s.get("kind") or "")

    if override.get("kind") == CRO:
        return any((*gvk(s), str(s.get("name") or "")) in cro for s in spec.get("clusterResourceSelectors") or [])
    namespace = str(meta.get("namespace") or "")
    return any((*gvk(s), namespace, str(s.get("name") or "")) in ro for s in spec.get("resourceSelectors") or [])


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
        # Only an override that selects something the placement holds reaches its members, before
        # (the hub's) or after (this one); under the same selectors both see the same snapshot.
        acting = [o for o in (override, on_hub) if selects(o, existing, selection)]
        moving |= {n for n in change.kept_names if any(overridden(o, by_name.get(n, {})) for o in acting)}
    updated = change.kept if moving is None else len([n for n in change.kept_names if n in moving])
    return dataclasses.replace(change, updated=updated, untracked=selection is None or bool(slow), slow=tuple(slow[:1]))
