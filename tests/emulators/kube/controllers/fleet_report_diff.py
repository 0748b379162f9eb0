"""A member's row under the ReportDiff apply strategy (see fleet_member_status.py): nothing is
applied; the work applier compares each manifest with the member's object and reports what differs.

upstream: kubefleet-dev/kubefleet e160c1cd
- pkg/controllers/workapplier/process.go reportDiffOnlyIfApplicable: an object the member does not
  have yet differs as a whole: one diff, path "/", valueInHub "(the whole object)" (a placeholder,
  not the object's JSON); otherwise the configuration diffs against the member's object; no apply,
  no drift detection either way.
- pkg/controllers/workapplier/status.go: firstDiffedObservedTime is kept from the last report while
  the object still differs; the generation observed on the member is nil when the object is not
  there (apis/placement/v1beta1 clusterresourceplacement_types.go DiffedResourcePlacement
  TargetClusterObservedGeneration "might be nil if the resource has not been created yet").
  The Go field (*int64, no omitempty) is then JSON null, which the CRD's schema does not mark
  nullable, so the API server prunes it and the stored row has no such field (kubernetes/kubernetes
  staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting/prunenulls.go
  PruneNonNullableNullsWithoutDefaults).
  setManifestDiffReportedCondition: a manifest that could not even be decoded (DecodingErred, a kind
  the member does not serve) or taken over (FailedToTakeOver: kubefleet-dev/kubefleet
  pkg/controllers/workapplier/process.go processOneManifest attempts the takeover before
  reportDiffOnlyIfApplicable) has DiffReported False, so its Work's DiffReported is False
  (setWorkDiffReportedCondition, SomeManifestsHaveNotReportedDiff).
- pkg/controllers/workgenerator/controller.go setAllWorkDiffReportedCondition: the binding's
  DiffReported False, NotAllWorkHaveDiffReported, "Work object %s has failed to report diff"; and
  diffedPlacements only when every Work reported (the ``isReportDiffModeOn`` cases): none at all
  otherwise, and never failedPlacements or driftedPlacements under ReportDiff.

The Work (kubefleet-dev/kubefleet pkg/controllers/workapplier/status.go,
apis/placement/v1beta1/work_types.go): the work
generator writes one per binding in the member's namespace on the hub, ``fleet-member-{member}``
(pkg/utils/common.go NamespaceNameFormat, made by pkg/controllers/membercluster/v1beta1/
membercluster_controller.go syncNamespace when the member joins; the simulator makes it with the
first Work), named as the row's message names it. Under ReportDiff the member's work applier writes
each manifest's DiffReported condition there (setManifestDiffReportedCondition): True, NoDiffFound or
FoundDiff; a manifest that could not be decoded False, FailedToReportDiff, "An error blocks the diff
reporting process (DecodingErred, error: ...)"; and the Work's DiffReported
(setWorkDiffReportedCondition): True, AllManifestsDiffReported, or False,
SomeManifestsHaveNotReportedDiff, "Failed to report diff on all manifests (%d of %d manifests have
reported diff)" (pkg/utils/condition/reason.go). The simulator writes only these conditions.

Which objects a member has: those a placement applied there under ClientSideApply or
ServerSideApply before (the simulator remembers it per placement, ``holds``), and those of a member
annotated ``fleet.emulator/fail: drift`` (it has them, with /spec/replicas changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.cluster import retry_on_conflict
from tests.emulators.kube.controllers.fleet_conditions import _cond, _now, set_cond
from tests.emulators.kube.controllers.fleet_snapshots import placement_crd

WHOLE_OBJECT = "(the whole object)"
CHANGED_REPLICAS = [{"path": "/spec/replicas", "valueInHub": "2", "valueInMember": "5"}]


P1 = "placement.kubernetes-fleet.io/v1"
# kubefleet-dev/kubefleet config/crd/bases/placement.kubernetes-fleet.io_works.yaml: namespaced, v1 and v1beta1
# (stored), no
# short name; cut down to what the simulator writes.
WORK_CRD = placement_crd(
    "Work",
    "works",
    "-",
    "Namespaced",
    ("v1", "v1beta1"),
    {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
)
WORK_CRD["spec"]["names"].pop("shortNames")
WORK_CRD["spec"]["versions"] = [
    {**v, "schema": {"openAPIV3Schema": {**v["schema"]["openAPIV3Schema"], "required": []}}}
    for v in WORK_CRD["spec"]["versions"]
]


def _ident(item: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(item.get(k) or "") for k in ("group", "version", "kind", "namespace", "name"))


ident = _ident


def write_work(
    cluster: Any,
    member: str,
    work: str,
    resources: list[dict[str, Any]],
    *,
    holds: bool,
    drifted: bool,
    failed: Mapping[tuple[str, ...], tuple[str, str]],
) -> None:
    """The Work's status as the member's work applier reports it under ReportDiff (see above);
    ``failed``: the manifests that failed before any diff, with their result type and error, reported as
    kubefleet-dev/kubefleet pkg/controllers/workapplier/status.go setManifestDiffReportedCondition words them."""
    namespace = f"fleet-member-{member}"
    manifests = []
    for ordinal, item in enumerate(resources):
        key = {k: item[k] for k in ("group", "version", "kind", "namespace", "name") if item.get(k)}
        if _ident(item) in failed:
            result, error = failed[_ident(item)]
            message = f"An error blocks the diff reporting process ({result}, error: {error})"
            cond = _cond("DiffReported", False, "FailedToReportDiff", message, 0)
        elif drifted or not holds:
            message = "Diff has been found between the hub cluster and the member cluster"
            cond = _cond("DiffReported", True, "FoundDiff", message, 0)
        else:
            message = "No diff has been found between the hub cluster and the member cluster"
            cond = _cond("DiffReported", True, "NoDiffFound", message, 0)
        manifests.append({"identifier": {"ordinal": ordinal, **key}, "conditions": [cond]})
    reported = len(resources) - len(failed)
    if failed:
        message = (
            f"Failed to report diff on all manifests ({reported} of {len(resources)} manifests have reported diff)"
        )
        work_cond = _cond("DiffReported", False, "SomeManifestsHaveNotReportedDiff", message, 1)
    else:
        work_cond = _cond(
            "DiffReported", True, "AllManifestsDiffReported", "All the specified manifests have reported diff", 1
        )
    if cluster.get("v1", "Namespace", None, namespace) is None:
        cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    if cluster.get(P1, "Work", namespace, work) is None:
        body = {"apiVersion": P1, "kind": "Work", "metadata": {"name": work, "namespace": namespace}, "spec": {}}
        cluster.create(body)

    def refresh() -> None:
        """refreshWorkStatus over the Work as read: Applied and Available removed under ReportDiff,
        DiffReported set (meta.RemoveStatusCondition, meta.SetStatusCondition: another writer's
        condition type stays), the manifest conditions rebuilt, then Status().Update of that read
        (kubefleet-dev/kubefleet e160c1cd pkg/controllers/workapplier/status.go refreshWorkStatus,
        setWorkAppliedCondition, setWorkAvailableCondition, setWorkDiffReportedCondition)."""
        current = cluster.get(P1, "Work", namespace, work)
        if current is None:
            return
        read = current.get("status") or {}
        kept = [c for c in read.get("conditions") or [] if c.get("type") not in ("Applied", "Available")]
        status = {**read, "conditions": set_cond(kept, work_cond), "manifestConditions": manifests}
        if _without_times(read) != _without_times(status):
            cluster.update_status_of(current, status)

    # A 409 is the work applier's Reconcile error: the Work is requeued and its status computed again
    # from a fresh Get (kubefleet-dev/kubefleet pkg/controllers/workapplier/controller.go Reconcile
    # returns refreshWorkStatus's error), which the simulator does at once.
    retry_on_conflict(refresh)


def _without_times(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_times(v) for k, v in value.items() if k != "lastTransitionTime"}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def _first_seen(before: Mapping[str, Any] | None) -> dict[tuple[str, ...], str]:
    """firstDiffedObservedTime of each object the member's last row reported as differing (kept while
    the object still differs: kubefleet-dev/kubefleet pkg/controllers/workapplier/status.go)."""
    return {_ident(d): str(d["firstDiffedObservedTime"]) for d in (before or {}).get("diffedPlacements") or []}


def row(
    conds: list[dict[str, Any]],
    entry: dict[str, Any],
    resources: list[dict[str, Any]],
    *,
    work: str,
    holds: bool,
    drifted: bool,
    unmapped: list[dict[str, Any]],
    before: Mapping[str, Any] | None,
    generation: int,
) -> dict[str, Any]:
    """Finish ``entry`` (its conditions up to WorkSynchronized in ``conds``) with DiffReported
    (kubefleet-dev/kubefleet pkg/controllers/workgenerator/controller.go setAllWorkDiffReportedCondition)."""
    if unmapped:
        message = f"Work object {work} has failed to report diff"
        conds.append(_cond("DiffReported", False, "NotAllWorkHaveDiffReported", message, generation))
        entry["conditions"] = conds
        return entry
    conds.append(
        _cond(
            "DiffReported",
            True,
            "AllWorkHaveDiffReported",
            "All corresponding work objects have reported diff",
            generation,
        )
    )
    now, first = _now(), _first_seen(before)
    diffed = []
    for ident in resources:
        if drifted:
            diffs, observed = CHANGED_REPLICAS if ident is resources[-1] else [], 2
        elif holds:
            diffs, observed = [], 2
        else:
            diffs, observed = [{"path": "/", "valueInHub": WHOLE_OBJECT}], None
        if diffs:
            seen = {"observationTime": now, "firstDiffedObservedTime": first.get(_ident(ident), now)}
            generation_seen = {} if observed is None else {"targetClusterObservedGeneration": observed}
            diffed.append({**ident, **seen, **generation_seen, "observedDiffs": diffs})
    if diffed:
        entry["diffedPlacements"] = diffed
    entry["conditions"] = conds
    return entry
