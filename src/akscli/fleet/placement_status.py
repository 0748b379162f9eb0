"""Reading a placement's status as the KubeFleet hub writes it: per member, where it stands and why.

kubefleet-dev/kubefleet ``pkg/controllers/placement/placement_status.go`` writes one row per
member picked (its conditions stop at the first that is not True) and one row per member the
scheduler could not pick (Scheduled=False with the scheduler's reason). Which conditions complete
a rollout depends on the apply strategy: ReportDiff reports DiffReported instead of Applied and
Available (``CondTypesForReportDiffApplyStrategy``, pkg/utils/condition/condition.go).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli.fleet import CRP, hub
from akscli.fleet.eligibility import what_to_check
from akscli.kube.readiness.fleet import ROLLOUT_BLOCKED, expected_condition_types, strategy_fix
from akscli.printable import MASK, data_value


def _resource_ref(item: Mapping[str, Any]) -> str:
    group = item.get("group") or ""
    kind = f"{item.get('kind', '')}.{group}" if group else str(item.get("kind", ""))
    ns = item.get("namespace")
    return f"{kind}/{ns}/{item.get('name')}" if ns else f"{kind}/{item.get('name')}"


# What a member's work applier reports for an object the member does not have, under ReportDiff: one
# diff at path "/" with this placeholder as the hub's value (kubefleet-dev/kubefleet e160c1cd
# pkg/controllers/workapplier/process.go reportDiffOnlyIfApplicable).
WHOLE_OBJECT = "(the whole object)"


def _patch(detail: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """One PatchDetail: its path and both values (apis/placement/v1beta1/clusterresourceplacement_types.go
    PatchDetail: an empty valueInHub or valueInMember, omitted, is a field not set on that side)."""
    if detail.get("path") == "/" and detail.get("valueInHub") == WHOLE_OBJECT:
        return "not on the member"
    hub_value, member_value = detail.get("valueInHub"), detail.get("valueInMember")
    if not hub_value and not member_value:
        return str(detail.get("path"))
    path = str(detail.get("path") or "")
    if _secret(path, (hub_value, member_value), item):
        hub_value, member_value = hub_value and MASK, member_value and MASK
    elif item.get("kind") == "ConfigMap" and not item.get("group") and path.startswith("/data/"):
        hub_value, member_value = (_file(path, v) for v in (hub_value, member_value))
    return f"{detail.get('path')} (hub {hub_value or 'unset'}, member {member_value or 'unset'})"


def _secret(path: str, values: tuple[Any, Any], item: Mapping[str, Any]) -> bool:
    """Whether a diff's values are a secret's, which akscli shows as ``***``. A member's work applier
    redacts a v1 Secret's ``/data`` and ``/stringData`` itself ("(redacted for security reasons)",
    kubefleet-dev/kubefleet e160c1cd pkg/controllers/workapplier/drift_detection_takeover.go
    obscureSensitiveFieldsInPatchDetails), and nothing else: a ConfigMap's ``/data/OPENAI_API_KEY``
    or a container's ``/env/0/value`` comes as it is. akscli masks those by the rule its own output
    masks a ConfigMap's data and an env value by (akscli.printable.masked_values): the field's name
    (the path's last JSON-pointer token, RFC 6901) or the value's shape."""
    from akscli.secret_words import is_secret_variable

    if item.get("kind") == "Secret" and not item.get("group") and path.startswith(("/data", "/stringData")):
        return True
    name = _pointer_name(path)
    return any(isinstance(v, str) and v and is_secret_variable(name, v) for v in values)


def _file(path: str, value: Any) -> Any:
    """A ConfigMap's data value as ``-o yaml`` shows it (akscli.printable.data_value): a file's lines
    kept, each secret-named value in them hidden (``db.password=***``)."""
    return data_value(_pointer_name(path), value) if isinstance(value, str) and value else value


def _pointer_name(path: str) -> str:
    """A JSON pointer's last token, unescaped (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``)."""
    return path.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")


def _paths(items: Any, field: str) -> list[str]:
    return [_resource_ref(d) + ": " + ", ".join(_patch(o, d) for o in d.get(field) or []) for d in items or []]


def condition_types(placement: Mapping[str, Any]) -> tuple[str, ...]:
    """Scheduled, then the conditions the placement's apply strategy completes with."""
    return ("Scheduled", *expected_condition_types(placement))


def done_state(placement: Mapping[str, Any]) -> str:
    """What a member that finished is called: Available, or DiffReported under ReportDiff."""
    return condition_types(placement)[-1]


@dataclass
class ClusterStatus:
    cluster: str
    conditions: dict[str, str]
    state: str
    reason: str
    message: str
    failed: list[str]
    drifted: list[str]
    diffed: list[str]
    # The resource snapshot this member's conditions are about (its observedResourceIndex).
    snapshot: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "state": self.state,
            "snapshot": self.snapshot,
            "reason": self.reason,
            "message": self.message,
            "conditions": self.conditions,
            "failed": self.failed,
            "drifted": self.drifted,
            "diffed": self.diffed,
        }


def _state(conds: Mapping[str, Mapping[str, Any]], types: tuple[str, ...]) -> tuple[str, str, str]:
    """(state, reason, message): the last type when all hold, else the first that does not."""
    if conds.get("Scheduled", {}).get("status") == "False":
        sched = conds["Scheduled"]
        return "Unscheduled", str(sched.get("reason") or ""), str(sched.get("message") or "")
    for ctype in types:
        cond = conds.get(ctype)
        if cond is None:
            return f"Waiting ({ctype})", "", ""
        if cond.get("status") != "True":
            return (
                f"{ctype}={cond.get('status', 'Unknown')}",
                str(cond.get("reason") or ""),
                str(cond.get("message") or ""),
            )
    return types[-1], "", ""


def cluster_statuses(placement: Mapping[str, Any]) -> list[ClusterStatus]:
    """One row per member from a placement's ``status.placementStatuses``."""
    types = condition_types(placement)
    result = []
    for entry in (placement.get("status") or {}).get("placementStatuses") or []:
        conds = hub.conditions(entry)
        summary = {t: str(conds[t].get("status", "Unknown")) if t in conds else "-" for t in types}
        state, reason, message = _state(conds, types)
        failed = [
            f"{_resource_ref(f)}: {(f.get('condition') or {}).get('message', '')}".rstrip(": ")
            for f in entry.get("failedPlacements") or []
        ]
        name = str(entry.get("clusterName") or "(unscheduled)")
        drifted = _paths(entry.get("driftedPlacements"), "observedDrifts")
        diffed = _paths(entry.get("diffedPlacements"), "observedDiffs")
        snapshot = str(entry.get("observedResourceIndex") or "")
        result.append(ClusterStatus(name, summary, state, reason, message, failed, drifted, diffed, snapshot))
    return result


def _index_key(index: str) -> tuple[int, str]:
    return (int(index), "") if index.isdigit() else (-1, index)


def snapshots_in_use(statuses: list[ClusterStatus]) -> dict[str, list[str]]:
    """The resource snapshots the scheduled members observe, newest first, each with its members.

    Each member's conditions are about its own observedResourceIndex, not the placement's latest
    snapshot (kubefleet-dev/kubefleet e160c1cd apis/placement/v1beta1/clusterresourceplacement_types.go
    PerClusterPlacementStatus.Conditions). Under an External strategy a member keeps the index its
    binding has until an update run moves it (pkg/controllers/placement/placement_status.go
    setPerClusterPlacementStatus: status.ObservedResourceIndex = resourceSnapshotIndexOnBinding), so
    a member that is Available on an older snapshot reads just as one on the newest does."""
    by_index: dict[str, list[str]] = {}
    for status in statuses:
        if status.state != "Unscheduled" and status.snapshot:
            by_index.setdefault(status.snapshot, []).append(status.cluster)
    return {i: sorted(by_index[i]) for i in sorted(by_index, key=_index_key, reverse=True)}


# The most failed, drifted or diffed objects the work generator copies to a binding; it drops the
# rest (kubefleet-dev/kubefleet e160c1cd pkg/controllers/workgenerator/controller.go
# maxFailedResourcePlacementLimit, maxDriftedResourcePlacementLimit, maxDiffedResourcePlacementLimit;
# the CRD's maxItems: 100 on PerClusterPlacementStatus's three lists).
HUB_LIST_LIMIT = 100


def cut_short(statuses: list[ClusterStatus]) -> dict[str, list[str]]:
    """Per member, which of its failed, drifted and diffed lists are full: there may be more."""
    full: dict[str, list[str]] = {}
    for status in statuses:
        lists = {"failed": status.failed, "drifted": status.drifted, "diffed": status.diffed}
        names = [name for name, items in lists.items() if len(items) >= HUB_LIST_LIMIT]
        if names:
            full[status.cluster] = names
    return full


def _staleness(placement: Mapping[str, Any], conds: Mapping[str, Mapping[str, Any]]) -> str:
    """Say so when the hub's conditions describe an older generation than the spec."""
    generation = (placement.get("metadata") or {}).get("generation")
    seen = {int(c["observedGeneration"]) for c in conds.values() if isinstance(c.get("observedGeneration"), int)}
    if generation is None or not seen or all(g == generation for g in seen):
        return ""
    return f"the hub has not finished with generation {generation} yet (some conditions are from {min(seen)})"


def placement_summary(placement: Mapping[str, Any]) -> dict[str, Any]:
    """The placement-wide view: type, policy, selected count and the rollup conditions."""
    kind = str(placement.get("kind", CRP))
    types = condition_types(placement)
    conds = hub.conditions(placement.get("status") or {})
    rollup = {t: str(conds[kind + t]["status"]) if kind + t in conds else "-" for t in types}
    failing = next(
        (conds[kind + t] for t in types if kind + t in conds and conds[kind + t].get("status") != "True"), None
    )
    meta = placement.get("metadata") or {}
    spec = placement.get("spec") or {}
    statuses = cluster_statuses(placement)
    done = done_state(placement)
    return {
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "kind": kind,
        "placementType": (spec.get("policy") or {}).get("placementType", "PickAll"),
        "strategy": (spec.get("strategy") or {}).get("type", "RollingUpdate"),
        "applyStrategy": ((spec.get("strategy") or {}).get("applyStrategy") or {}).get("type", "ClientSideApply"),
        "clusters": len([s for s in statuses if s.state != "Unscheduled"]),
        "available": len([s for s in statuses if s.state == done]),
        "snapshots": snapshots_in_use(statuses),
        # Members with objects changed there since Fleet applied them, Available or not: the work
        # generator copies a Work's drifts to the binding whatever its Applied and Available say
        # (kubefleet-dev/kubefleet e160c1cd pkg/controllers/workgenerator/controller.go, the default
        # case: "drifts might occur even if the apply op itself completes"; FullComparison's
        # post-apply drift detection, pkg/controllers/workapplier/process.go
        # performPostApplyDriftDetectionIfApplicable), and the placement controller copies them to
        # every member's row (pkg/controllers/placement/placement_status.go
        # setResourcePlacementStatusBasedOnBinding: "configuration drifts can occur whether the
        # manifests are applied successfully or not").
        "drifted": {s.cluster: len(s.drifted) for s in statuses if s.drifted},
        "cutShort": cut_short(statuses),
        # Members the rollout strategy holds back (they keep what they had): RolloutStarted False.
        "heldBack": len([s for s in statuses if s.reason == ROLLOUT_BLOCKED]),
        "done": done,
        "conditions": rollup,
        "message": str(failing.get("message", "")) if failing else "",
        "stale": _staleness(placement, conds),
        # What to do about the members' failures their apply strategy caused, as `fleet place --wait`
        # says it (readiness.fleet.strategy_fix, from the work applier's reasons and errors).
        "fix": strategy_fix(placement),
        "selectedResources": [_resource_ref(r) for r in (placement.get("status") or {}).get("selectedResources") or []],
    }


def _few(members: list[str], shown: int = 3) -> str:
    """A headline's member names: a fleet may have hundreds (the JSON output keeps them all)."""
    more = f" and {len(members) - shown} more" if len(members) > shown else ""
    return ", ".join(members[:shown]) + more


def describe(summary: Mapping[str, Any]) -> list[str]:
    """The lines above ``placement status``'s table: policy, progress, rollup conditions."""
    done = "reported diffs" if summary.get("done") == "DiffReported" else "available"
    held = f", {summary['heldBack']} held back by the rollout strategy" if summary.get("heldBack") else ""
    snapshots = summary.get("snapshots") or {}
    if len(snapshots) > 1:
        # Members on different snapshots (an update run part way): "3/3 available" alone reads as
        # every member having the newest resources.
        held += (
            f", on {len(snapshots)} resource snapshots ("
            + "; ".join(f"{index}: {_few(members)}" for index, members in snapshots.items())
            + ")"
        )
    lines = [
        f"{summary['kind']} {summary['name']}: {summary['placementType']}, {summary['strategy']}, "
        f"{summary['available']}/{summary['clusters']} member(s) {done}{held}",
        "  " + "  ".join(f"{k}={v}" for k, v in summary["conditions"].items()),
    ]
    drifted = summary.get("drifted") or {}
    if drifted:
        counts = ", ".join(f"{m} ({n})" for m, n in list(drifted.items())[:3])
        more = f" and {len(drifted) - 3} more" if len(drifted) > 3 else ""
        lines.append(f"  objects drifted on {len(drifted)} member(s): {counts}{more}; the DRIFTED column says where")
    for member, names in (summary.get("cutShort") or {}).items():
        lines.append(
            f"  member {member}: the hub lists the first {HUB_LIST_LIMIT} {' and '.join(names)} objects only; "
            "there may be more"
        )
    for key in ("stale", "message"):
        if summary.get(key):
            lines.append(f"  {summary[key]}")
    if summary.get("fix"):
        lines.append(f"  fix: {summary['fix']}")
    leaving = summary.get("leaving") or {}
    for member, reason in (summary.get("notEligible") or {}).items():
        if member in leaving:
            # its binding stays until the MemberCluster is gone (the scheduler's member watcher
            # ignores a member being deleted "until it is left": kubefleet-dev/kubefleet e160c1cd
            # pkg/scheduler/watchers/membercluster/watcher.go), so its row is not a failure
            lines.append(
                f"  member {member}: {reason} (its MemberCluster is being deleted); KubeFleet places nothing new "
                f"on it, and its row goes once the MemberCluster is gone: {leaving[member]}"
            )
            continue
        lines.append(
            f"  member {member}: {reason}; KubeFleet places nothing new on it and what it reports no longer "
            f"reaches the hub ({what_to_check(member)})"
        )
    return lines
