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
  the member does not serve) has DiffReported False, so its Work's DiffReported is False
  (setWorkDiffReportedCondition, SomeManifestsHaveNotReportedDiff).
- pkg/controllers/workgenerator/controller.go setAllWorkDiffReportedCondition: the binding's
  DiffReported False, NotAllWorkHaveDiffReported, "Work object %s has failed to report diff"; and
  diffedPlacements only when every Work reported (the ``isReportDiffModeOn`` cases): none at all
  otherwise, and never failedPlacements or driftedPlacements under ReportDiff.

Which objects a member has: those a placement applied there under ClientSideApply or
ServerSideApply before (the simulator remembers it per placement, ``holds``), and those of a member
annotated ``fleet.emulator/fail: drift`` (it has them, with /spec/replicas changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.fleet_conditions import _cond, _now

WHOLE_OBJECT = "(the whole object)"
CHANGED_REPLICAS = [{"path": "/spec/replicas", "valueInHub": "2", "valueInMember": "5"}]


def _ident(item: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(item.get(k) or "") for k in ("group", "version", "kind", "namespace", "name"))


def _first_seen(before: Mapping[str, Any] | None) -> dict[tuple[str, ...], str]:
    """firstDiffedObservedTime of each object the member's last row reported as differing."""
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
    """Finish ``entry`` (its conditions up to WorkSynchronized in ``conds``) with DiffReported."""
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
