"""``fleet place --wait``: with overrides, the placement is ready once every member the overrides
apply to has rolled out their latest snapshots, not only once its conditions are True; under
ReportDiff, a member's failure to report ends the wait with the reasons its work applier wrote on
the Work (``work_reasons``).

What KubeFleet does (upstream: kubefleet-dev/kubefleet e160c1cd, paths relative to it):

* The override controller snapshots an override on its own work queue: a new
  ``{override}-{index}`` (Cluster)ResourceOverrideSnapshot, labelled
  kubernetes-fleet.io/parent-resource-override and kubernetes-fleet.io/is-latest-snapshot "true",
  whose spec.overrideSpec is the override's spec, when that spec's hash differs from the latest
  snapshot's (pkg/controllers/overrider/clusterresource_controller.go, resource_controller.go,
  common.go; apis/placement/v1beta1/overridesnapshot_types.go).
* The rollout controller binds each member with the latest snapshots that select what the placement
  holds and whose cluster selector matches the member, and rolls a binding whose override snapshots
  changed out again (pkg/utils/overrider/overrider.go FetchAllMatchingOverridesForResourceSnapshot,
  PickFromResourceMatchedOverridesForTargetCluster, IsClusterMatched;
  pkg/controllers/rollout/controller.go). Nothing orders the two controllers: until the snapshot of
  what ``fleet place`` wrote is made and rolled out, the placement's conditions describe the last
  rollout, complete (a changed override leaves the placement's generation as it was).
* The placement's row for a member names the override snapshots of its binding once the binding's
  RolloutStarted is True: applicableClusterResourceOverrides, applicableResourceOverrides
  (pkg/controllers/placement/placement_status.go setResourcePlacementStatusBasedOnBinding).

So the wait reads the latest snapshot of each override it wrote, checks that it holds the override's
spec as stored, and then that each picked member whose labels the override's rules select has its
name in its row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from akscli.errors import AuthError, NotFoundError, NotInstalledError
from akscli.fleet import CLUSTER_V1, CRO, CRP, MEMBER, PLACEMENT_V1, RO, RP
from akscli.kube.readiness.core import Readiness, Rule

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# apis/placement/v1beta1/commons.go IsLatestSnapshotLabel, apis/placement/v1 overridesnapshot_types.go
# OverrideTrackingLabel.
LATEST = "kubernetes-fleet.io/is-latest-snapshot"
TRACKING = "kubernetes-fleet.io/parent-resource-override"
SNAPSHOT_OF = {CRO: "ClusterResourceOverrideSnapshot", RO: "ResourceOverrideSnapshot"}


def _pruned(value: Any) -> Any:
    """The value without empty fields: the snapshot's spec is the override's Go struct written out
    again, which leaves out what omitempty drops (apis/placement/v1beta1/override_types.go)."""
    if isinstance(value, Mapping):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, {}, [], "")}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def cluster_matched(override: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """isClusterMatched (pkg/utils/overrider/overrider.go): some rule's clusterSelector matches; no
    clusterSelector matches no member, one with no terms every member, else any term's labelSelector
    (LabelSelectorAsSelector: nil matches nothing)."""
    from akscli.kube import label_selector

    for rule in ((override.get("spec") or {}).get("policy") or {}).get("overrideRules") or []:
        selector = rule.get("clusterSelector")
        if selector is None:
            continue
        terms = selector.get("clusterSelectorTerms") or []
        if not terms or any(label_selector.matches(t.get("labelSelector"), labels) for t in terms):
            return True
    return False


def selects_placed(override: Mapping[str, Any], selected: Sequence[Mapping[str, Any]]) -> bool:
    """FetchAllMatchingOverridesForResourceSnapshot's candidates (addCandidatesFromResource): a
    ClusterResourceOverride counts when it names a cluster-scoped object the placement holds or the
    Namespace of a namespaced one; a ResourceOverride when it names a namespaced object of its own
    namespace the placement holds."""
    spec = override.get("spec") or {}
    namespace = (override.get("metadata") or {}).get("namespace")
    held = set()
    for r in selected:
        gvk = (str(r.get("group") or ""), str(r.get("version") or ""), str(r.get("kind")))
        if override.get("kind") == CRO:
            held.add(("", "v1", "Namespace", str(r["namespace"])) if r.get("namespace") else (*gvk, str(r.get("name"))))
        elif r.get("namespace") == namespace:
            held.add((*gvk, str(r.get("name"))))
    wanted = spec.get("clusterResourceSelectors") if override.get("kind") == CRO else spec.get("resourceSelectors")
    return any(
        (str(s.get("group") or ""), str(s.get("version") or ""), str(s.get("kind")), str(s.get("name") or "")) in held
        for s in wanted or []
    )


def _placement_key(placement: Mapping[str, Any]) -> str:
    """controller.GetObjectKeyFromRequest: namespace/name for a ResourcePlacement, name for a
    ClusterResourcePlacement."""
    meta = placement.get("metadata") or {}
    return f"{meta['namespace']}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))


def referenced_placement(override: Mapping[str, Any]) -> str | None:
    """The key of the placement an override names in spec.placement, None when it names none. A
    ResourceOverride's Namespaced reference is its-namespace/name (FetchAllMatchingOverridesForResourceSnapshot)."""
    ref = (override.get("spec") or {}).get("placement")
    if not isinstance(ref, Mapping):
        return None
    namespace = (override.get("metadata") or {}).get("namespace")
    if override.get("kind") == RO and ref.get("scope") == "Namespaced" and namespace:
        return f"{namespace}/{ref.get('name')}"
    return str(ref.get("name"))


def unreferenced(objects: Sequence[Mapping[str, Any]]) -> list[str]:
    """A warning for each override written beside a placement that names no placement: the rollout
    controller is enqueued by a new override snapshot only when it names its placement
    (pkg/controllers/rollout/controller.go handleClusterResourceOverrideSnapshot,
    handleResourceOverrideSnapshot), so such an override reaches the members with the placement's next
    rollout (apis/placement/v1beta1/override_types.go Placement: "Otherwise, it will be applied to the
    next rollout"), and the wait does not wait for it."""
    if not any(o.get("kind") in (CRP, RP) for o in objects):
        return []
    return [
        f"{_ref(o)} names no placement (spec.placement): KubeFleet applies it with the placement's next "
        "rollout, not now, so --wait does not wait for it; set spec.placement to roll it out at once"
        for o in objects
        if o.get("kind") in (CRO, RO) and referenced_placement(o) is None
    ]


def _named_in(row: Mapping[str, Any], override: Mapping[str, Any]) -> list[str]:
    """The snapshots of ``override``'s kind and namespace the row names."""
    if override.get("kind") == CRO:
        return [str(n) for n in row.get("applicableClusterResourceOverrides") or []]
    namespace = (override.get("metadata") or {}).get("namespace")
    return [
        str(r.get("name"))
        for r in row.get("applicableResourceOverrides") or []
        if isinstance(r, Mapping) and r.get("namespace") == namespace
    ]


def _ref(override: Mapping[str, Any]) -> str:
    meta = override.get("metadata") or {}
    name = f"{meta['namespace']}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))
    return f"{override.get('kind')} {name}"


def _latest_snapshot(kube: Kube, override: Mapping[str, Any]) -> Mapping[str, Any] | None:
    meta = override.get("metadata") or {}
    found = kube.list(
        PLACEMENT_V1,
        SNAPSHOT_OF[str(override.get("kind"))],
        namespace=meta.get("namespace"),
        label_selector=f"{TRACKING}={meta.get('name')},{LATEST}=true",
    )
    return next(iter(found), None)


def lagging(
    kube: Kube,
    placement: Mapping[str, Any],
    overrides: Sequence[Mapping[str, Any]],
    members: Mapping[str, Mapping[str, str]],
) -> str:
    """What the placement's rollout still lacks of ``overrides`` (as stored on the hub); empty when
    nothing. ``members``: each member's labels."""
    status = placement.get("status") or {}
    selected = [r for r in status.get("selectedResources") or [] if isinstance(r, Mapping)]
    rows = [r for r in status.get("placementStatuses") or [] if isinstance(r, Mapping) and r.get("clusterName")]
    for override in overrides:
        snapshot = _latest_snapshot(kube, override)
        taken = snapshot is not None and _pruned((snapshot.get("spec") or {}).get("overrideSpec")) == _pruned(
            override.get("spec")
        )
        if snapshot is None or not taken:
            return (
                f"KubeFleet has not yet taken a snapshot of {_ref(override)} as written: its override controller "
                "makes a new override snapshot, then the rollout controller rolls it out"
            )
        if not selects_placed(override, selected):
            continue  # FetchAllMatchingOverridesForResourceSnapshot leaves it out: nothing to roll out
        name = str(snapshot["metadata"]["name"])
        behind = []
        for row in rows:
            member = str(row["clusterName"])
            if member not in members or not cluster_matched(override, members[member]):
                continue
            named = _named_in(row, override)
            if name not in named:
                prefix = str((override.get("metadata") or {}).get("name")) + "-"
                shown = [n for n in named if n.startswith(prefix)]
                behind.append(f"{member} ({'has ' + ', '.join(shown) if shown else 'has none'})")
        if behind:
            return f"override snapshot {name} of {_ref(override)} is not rolled out to {', '.join(behind)} yet"
    return ""


def work_reasons(kube: Kube, member: str, text: str) -> list[tuple[Mapping[str, Any], str]]:
    """Each manifest the member's work applier failed to report a diff on, with its message, from the
    Work the row's ``text`` names ("Work object NAME has failed to report diff"), in the member's
    namespace on the hub, fleet-member-MEMBER (pkg/utils/common.go NamespaceNameFormat;
    pkg/controllers/workapplier/status.go setManifestDiffReportedCondition). Empty when the Work
    cannot be read."""
    found = re.match(r"Work object (\S+) ", text)
    if not found:
        return []
    try:
        work = kube.get(PLACEMENT_V1, "Work", found.group(1), f"fleet-member-{member}")
    except (AuthError, NotInstalledError, NotFoundError):
        return []
    reasons = []
    for manifest in ((work or {}).get("status") or {}).get("manifestConditions") or []:
        for cond in manifest.get("conditions") or []:
            if cond.get("type") == "DiffReported" and cond.get("status") == "False":
                reasons.append((manifest.get("identifier") or {}, str(cond.get("message") or cond.get("reason"))))
    return reasons


def _with_work_reasons(kube: Kube, obj: Mapping[str, Any], verdict: Readiness) -> Readiness:
    """A ReportDiff placement a member failed to report on: each failure with the member's reasons,
    and for kinds a member does not serve (DecodingErred, "no matches for kind") the CRD fix; for an
    object another owner holds (FailedToTakeOver, co-ownership is disallowed: process.go attempts the
    takeover before reportDiffOnlyIfApplicable) the co-ownership fix."""
    from akscli.kube.readiness import fleet as fleet_readiness

    lines: list[str] = []
    unserved: dict[str, list[str]] = {}
    co_owned = False
    for member, text in fleet_readiness.diff_report_failures(obj).items():
        reasons = work_reasons(kube, member, text)
        co_owned = co_owned or any(fleet_readiness.CO_OWNED in message for _, message in reasons)
        shown = "; ".join(f"{_identifier_ref(ident)}: {message}" for ident, message in reasons)
        lines.append(f"member {member}: {text}" + (f" ({shown})" if shown else ""))
        for ident, message in reasons:
            if fleet_readiness.NO_KIND_MATCH in message:
                group, version = ident.get("group") or "", ident.get("version") or "?"
                kind = f"{ident.get('kind')} ({group + '/' if group else ''}{version})"
                if member not in unserved.setdefault(kind, []):
                    unserved[kind].append(member)
    fixes = [fleet_readiness.unserved_fix(unserved)] if unserved else []
    if co_owned:
        fixes.append(fleet_readiness.STRATEGY_FIXES[fleet_readiness.CO_OWNED])
    return replace(verdict, message="; ".join(lines), fix="; ".join(fixes) or verdict.fix)


def _identifier_ref(ident: Mapping[str, Any]) -> str:
    name = f"{ident['namespace']}/{ident.get('name')}" if ident.get("namespace") else str(ident.get("name"))
    return f"{ident.get('kind')} {name}"


def rule_for(objects: Sequence[Mapping[str, Any]]) -> Callable[[Kube], Rule] | None:
    """The wait rule of ``fleet place`` and of ``apply -f`` of placements: for each placement, its own
    rule; then, once it says ready, ``lagging`` for the overrides written beside it that name it in
    spec.placement; under ReportDiff, a member's failure to report with the reasons on its Work. Any
    other object: its kind's rule. None when neither applies. Made with the hub connection once the
    objects are applied: it reads the overrides as stored then, and the members' labels each time it
    judges a ready placement (one list, on an event of the placement's watch: no polling)."""
    placements = {_placement_key(o): o for o in objects if o.get("kind") in (CRP, RP)}
    written: dict[str, list[Mapping[str, Any]]] = {}
    for o in objects:
        if o.get("kind") in (CRO, RO) and referenced_placement(o) in placements:
            written.setdefault(str(referenced_placement(o)), []).append(o)
    report_diff = {
        key
        for key, p in placements.items()
        if (((p.get("spec") or {}).get("strategy") or {}).get("applyStrategy") or {}).get("type") == "ReportDiff"
    }
    if not written and not report_diff:
        return None

    def make(kube: Kube) -> Rule:
        from akscli.kube import readiness
        from akscli.kube.readiness import fleet as fleet_readiness

        stored: dict[str, list[Mapping[str, Any]]] = {}
        for key, overrides in written.items():
            for o in overrides:
                meta = o.get("metadata") or {}
                found = kube.get(PLACEMENT_V1, str(o.get("kind")), str(meta.get("name")), meta.get("namespace"))
                stored.setdefault(key, []).append(found or o)
        unreadable: list[str] = []

        def rule(obj: Mapping[str, Any]) -> Readiness:
            key = _placement_key(obj)
            if obj.get("kind") not in (CRP, RP) or key not in placements:
                return readiness.check(obj)
            verdict = fleet_readiness.placement(obj)
            if verdict.failed and verdict.reason == fleet_readiness.DIFF_NOT_REPORTED:
                return _with_work_reasons(kube, obj, verdict)
            if not verdict.ready or unreadable or not stored.get(key):
                return verdict
            try:
                # The members' labels as they are now: the rule runs on each event of the placement's
                # watch, and a relabelled member changes which overrides IsClusterMatched gives it.
                members = {
                    str(m["metadata"]["name"]): dict(m["metadata"].get("labels") or {})
                    for m in kube.list(CLUSTER_V1, MEMBER)
                }
                behind = lagging(kube, obj, stored[key], members)
            except (AuthError, NotInstalledError) as exc:
                # A hub user who may not list override snapshots or members: the placement's conditions only.
                unreadable.append(str(exc))
                return verdict
            return Readiness(False, message=behind) if behind else verdict

        return rule

    return make
