"""Readiness of KubeFleet hub objects (kubefleet-dev/kubefleet), read as the hub agent writes them.

Every Fleet condition carries the generation it describes; only those equal to
``metadata.generation`` count (``IsConditionStatusTrue/False``, pkg/utils/condition/condition.go).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from akscli.kube.readiness.core import (
    READY,
    ConditionRule,
    Generation,
    Readiness,
    Rule,
    Terminal,
    conditions,
    current_conditions,
    describe,
    generation_of,
    status_of,
)

PLACEMENT_CONTROLLER = "kubefleet-dev/kubefleet pkg/controllers/placement/controller.go"

# CondTypesForClientSideServerSideApplyStrategies / CondTypesForReportDiffApplyStrategy
# (pkg/utils/condition/condition.go): which per-placement conditions complete a rollout.
APPLY_CONDITIONS = ("RolloutStarted", "Overridden", "WorkSynchronized", "Applied", "Available")
REPORT_DIFF_CONDITIONS = ("RolloutStarted", "Overridden", "WorkSynchronized", "DiffReported")
# Placement-level False conditions that the hub never turns True without a change from the user:
# OverriddenFailed and ApplyFailed (FalseClusterResourcePlacementCondition in condition.go).
# NotAvailableYet, WorkNotSynchronizedYet and RolloutNotStartedYet are progress, not failure.
# The placement's RolloutStarted reason while the rollout strategy holds members back
# (RolloutNotStartedYetReason, pkg/utils/condition/reason.go).
ROLLOUT_BLOCKED = "RolloutNotStartedYet"
# The binding's (and member row's) Available reason when some Work's objects cannot be tracked
# (WorkNotAvailabilityTrackableReason, pkg/utils/condition/reason.go), and the rollout controller's
# wait for such a member (unavailablePeriodSeconds, pkg/utils/defaulter/clusterresourceplacement.go).
NOT_TRACKABLE = "NotAllWorkAreAvailabilityTrackable"
# condition.WorkApplyInProcess (pkg/utils/condition/reason.go): a member's Works are being applied.
APPLYING = "ApplyInProgress"
DEFAULT_UNAVAILABLE_PERIOD = 60
# The placement's Scheduled reason when its resource selectors pick what KubeFleet refuses to place
# (a resource twice, a fleet-* or kube-* namespace with its contents): a user error, set before any
# policy snapshot, so the scheduler never runs for that generation and nothing changes until the
# selectors do (kubefleet-dev/kubefleet e160c1cd pkg/controllers/placement/controller.go handleUpdate,
# pkg/utils/controller/resource_selector_resolver.go gatherSelectedResource,
# pkg/utils/condition/reason.go InvalidResourceSelectorsReason).
INVALID_SELECTORS = "InvalidResourceSelectors"
INVALID_SELECTORS_FIX = (
    "change the placement's resource selectors (--select): select each object once, and no default, fleet-* "
    "or kube-* namespace with its contents (KubeFleet's reserved and skipped namespaces)"
)
TERMINAL_PLACEMENT_REASONS = {"Overridden": ("OverriddenFailed",), "Applied": ("ApplyFailed",)}
# A member's work applier maps each manifest's kind through the member's own API discovery first; a
# kind the member does not serve (its CRD not installed there) fails that manifest with result type
# DecodingErred and the RESTMapper's "no matches for kind" (kubefleet-dev/kubefleet e160c1cd
# pkg/controllers/workapplier/preprocess.go decodeManifest, controller.go
# ApplyOrReportDiffResTypeDecodingErred, status.go setManifestAppliedCondition; the message is
# kubernetes/apimachinery pkg/api/meta/errors.go NoKindMatchError). The hub shows it as the member's
# failedPlacements (pkg/controllers/workgenerator/controller.go extractFailedResourcePlacementsFromWork).
DECODING_ERRED = "DecodingErred"
NO_KIND_MATCH = "no matches for kind"
# Under ReportDiff the binding's (and member row's) DiffReported is False for the same reason whether
# a Work has not reported yet or its work applier failed to (a manifest it cannot decode, a kind the
# member does not serve); only the message tells them apart (kubefleet-dev/kubefleet e160c1cd
# pkg/controllers/workgenerator/controller.go setAllWorkDiffReportedCondition: "Work object %s has
# not yet completed diff reporting" / "Work object %s has failed to report diff"; reason.go
# WorkNotDiffReportedReason). A failed one stays failed until the member or the placement changes.
DIFF_NOT_REPORTED = "NotAllWorkHaveDiffReported"
DIFF_REPORT_FAILED = "has failed to report diff"
DIFF_REPORT_FIX = (
    "each failing member's work applier says why on the named Work, in namespace fleet-member-MEMBER on the hub "
    "(kubectl get works.placement.kubernetes-fleet.io -n fleet-member-MEMBER NAME -o yaml): a kind the member "
    "does not serve needs its CRDs installed there"
)
# The work applier's manifest reasons that come from the placement's apply strategy, with what to
# do, as the ApplyStrategy field docs say (kubefleet-dev/kubefleet e160c1cd
# apis/placement/v1beta1/clusterresourceplacement_types.go WhenToTakeOver, WhenToApply):
# NotTakenOver (whenToTakeOver Never, an object the member had before: process.go
# canApplyWithOwnership), FailedToTakeOver (IfNoDiff and it differs: drift_detection_takeover.go
# takeOverPreExistingObject; the diffs are the member's diffedPlacements; or another owner holds it and
# allowCoOwnership is not set, CO_OWNED), FoundDrifts (whenToApply
# IfNotDrifted and the member's object was changed there: process.go
# performPreApplyDriftDetectionIfApplicable; the member's driftedPlacements).
# FailedToTakeOver of an object another owner holds (drift_detection_takeover.go takeOverPreExistingObject:
# "the object is already owned by some other sources(s) and co-ownership is disallowed").
CO_OWNED = "co-ownership is disallowed"
# ManifestApplyFailed of a server-side apply that another field manager's fields refused: apply.go
# serverSideApply forces it only with serverSideApplyConfig.force (or while every field manager is
# Fleet's), and passes on the member API server's conflict (kubernetes/apimachinery
# pkg/util/managedfields/internal/conflict.go NewConflictError: "Apply failed with N conflict(s): ...").
SSA_CONFLICT = "Apply failed with"
# ... and the same conflict with KubeFleet's own Update manager (controller.go workFieldManagerName
# "work-api-agent", as threeWayMergePatch and createManifestObject write): an object placed with
# ClientSideApply, then ServerSideApply, whose manifest changes while another manager keeps fields there,
# which stops shouldUseForcedServerSideApply from forcing the apply by itself (apply.go).
SSA_SELF_CONFLICT = '"work-api-agent" using'
# ManifestApplyFailed of an object KubeFleet took over with allowCoOwnership once that is turned off:
# apply.go validateOwnerReferences ("object is co-owned by multiple objects but co-ownership has been
# disallowed"); the other owner stays, so every apply fails until it is allowed again.
CO_OWNED_APPLY = "co-ownership has been disallowed"
STRATEGY_FIXES = {
    "NotTakenOver": "the member already has the object and --when-to-take-over Never leaves it alone: delete it "
    "on the member (Fleet then creates it), or place again with --when-to-take-over IfNoDiff or Always",
    "FailedToTakeOver": "the member's own object differs from the hub's (fleet placement status NAME -o wide "
    "lists the diffs): make them match, or place again with --when-to-take-over Always to overwrite it",
    CO_OWNED: "the member's object is owned by another object there and KubeFleet shares an object only "
    "with allowCoOwnership: place again with --allow-co-ownership, or remove its owner references on the member",
    SSA_CONFLICT: "another field manager on the member owns fields the manifest sets (the conflict names it): "
    "place again with --apply-strategy ServerSideApply --server-side-apply-force to take them over, or "
    "remove them there",
    SSA_SELF_CONFLICT: "KubeFleet's own client-side apply (field manager work-api-agent, an Update) holds fields "
    "the new manifest changes, and another field manager on the member keeps KubeFleet from forcing its "
    "server-side apply: place again with --server-side-apply-force, or with --apply-strategy ClientSideApply",
    CO_OWNED_APPLY: "KubeFleet shares the member's object with another owner (it was taken over with "
    "allowCoOwnership) and the placement no longer allows co-ownership: place again with --allow-co-ownership, "
    "or remove the other owner references on the member",
    "FoundDrifts": "the object was changed on the member and --when-to-apply IfNotDrifted stops applying there "
    "(fleet placement status NAME -o wide lists the drifts): revert the change, or place again with "
    "--when-to-apply Always to overwrite it",
}


def strategy_fix(obj: Mapping[str, Any]) -> str:
    """The fixes for the members' failures that the apply strategy caused (STRATEGY_FIXES), once each."""
    conds = [
        item.get("condition") or {}
        for entry in cluster_statuses(obj)
        for item in entry.get("failedPlacements") or []
        if isinstance(item, Mapping)
    ]
    reasons = [_fix_key(c) for c in conds]
    meta = obj.get("metadata") or {}
    status = f"{meta.get('name')} -n {meta['namespace']}" if meta.get("namespace") else str(meta.get("name"))
    fixes = (STRATEGY_FIXES[r] for r in dict.fromkeys(reasons) if r in STRATEGY_FIXES)
    return "; ".join(f.replace("status NAME", f"status {status}") for f in fixes)


def _fix_key(condition: Mapping[str, Any]) -> str:
    """The STRATEGY_FIXES key of one failed manifest's condition: its reason, or the error it carries."""
    message = str(condition.get("message"))
    if CO_OWNED in message:
        return CO_OWNED
    if condition.get("reason") == "ManifestApplyFailed" and CO_OWNED_APPLY in message:
        return CO_OWNED_APPLY
    if condition.get("reason") == "ManifestApplyFailed" and SSA_SELF_CONFLICT in message:
        return SSA_SELF_CONFLICT
    if condition.get("reason") == "ManifestApplyFailed" and SSA_CONFLICT in message:
        return SSA_CONFLICT
    return str(condition.get("reason"))


# The Gateway API release whose standard channel has HTTPRoute rules[].timeouts (akscli.model.route_crd).
GATEWAY_API = "gateway.networking.k8s.io"


def expected_condition_types(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """determineExpectedPlacementAndResourcePlacementStatusCondType (placement_status.go)."""
    strategy = (obj.get("spec") or {}).get("strategy") or {}
    if (strategy.get("applyStrategy") or {}).get("type") == "ReportDiff":
        return REPORT_DIFF_CONDITIONS
    return APPLY_CONDITIONS


def cluster_statuses(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``status.placementStatuses`` (v1beta1 ``perClusterPlacementStatuses`` in Go)."""
    return [s for s in status_of(obj).get("placementStatuses") or [] if isinstance(s, Mapping)]


def cluster_conditions(entry: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(c.get("type")): c for c in entry.get("conditions") or [] if isinstance(c, Mapping)}


def _object_ref(item: Mapping[str, Any]) -> str:
    kind = item.get("kind") or "object"
    name = f"{item['namespace']}/{item.get('name')}" if item.get("namespace") else str(item.get("name"))
    return f"{kind} {name}"


def _reason_message(cond: Mapping[str, Any]) -> str:
    return ": ".join(str(cond[k]) for k in ("reason", "message") if cond.get(k))


def failed_members(obj: Mapping[str, Any], ctype: str) -> list[str]:
    """One line per member whose ``ctype`` is False, with its failed objects and their reasons."""
    lines = []
    for entry in cluster_statuses(obj):
        cond = cluster_conditions(entry).get(ctype)
        if cond is None or cond.get("status") != "False":
            continue
        member = entry.get("clusterName") or "<no cluster>"
        failed = [
            f"{_object_ref(item)}: {_reason_message(item.get('condition') or {})}"
            for item in entry.get("failedPlacements") or []
            if isinstance(item, Mapping)
        ]
        detail = "; ".join(failed) if failed else _reason_message(cond)
        lines.append(f"member {member}: {detail}")
    return lines


def unserved_kinds(obj: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{"HTTPRoute (gateway.networking.k8s.io/v1)": ["gpu-west"]}``: the kinds members failed to
    apply because they do not serve them (DecodingErred, "no matches for kind"), with those members."""
    found: dict[str, list[str]] = {}
    for entry in cluster_statuses(obj):
        for item in entry.get("failedPlacements") or []:
            cond = item.get("condition") or {} if isinstance(item, Mapping) else {}
            if cond.get("reason") != DECODING_ERRED or NO_KIND_MATCH not in str(cond.get("message") or ""):
                continue
            group, version = item.get("group") or "", item.get("version") or "?"
            kind = f"{item.get('kind')} ({group}/{version})" if group else f"{item.get('kind')} ({version})"
            members = found.setdefault(kind, [])
            if (member := str(entry.get("clusterName"))) not in members:
                members.append(member)
    return found


def diff_report_failures(obj: Mapping[str, Any]) -> dict[str, str]:
    """``{member: "Work object llm-work has failed to report diff"}``: the members whose DiffReported
    is False, for the placement's current generation, because a Work failed to report."""
    generation = generation_of(obj)
    found = {}
    for entry in cluster_statuses(obj):
        cond = cluster_conditions(entry).get("DiffReported") or {}
        if (
            cond.get("status") == "False"
            and cond.get("reason") == DIFF_NOT_REPORTED
            and DIFF_REPORT_FAILED in str(cond.get("message") or "")
            and (generation is None or cond.get("observedGeneration") == generation)
        ):
            found[str(entry.get("clusterName"))] = str(cond.get("message"))
    return found


def unserved_fix(unserved: Mapping[str, list[str]]) -> str:
    """The hint for kinds members do not serve: install their CRDs there, or place elsewhere."""
    parts = [
        f"{', '.join(members)} {'does' if len(members) == 1 else 'do'} not serve {kind}"
        for kind, members in unserved.items()
    ]
    text = "; ".join(parts) + ": install the CRDs of that API on those members, or place on members that serve it"
    if any(f"({GATEWAY_API}/" in kind for kind in unserved):
        text += " (Gateway API: v1.2.0 or later for HTTPRoute rules[].timeouts)"
    return text


def placement_culprit(obj: Mapping[str, Any], cond: Mapping[str, Any]) -> str:
    """The members behind a failed placement condition: unscheduled rows for Scheduled=False
    (buildFailedToSchedulePerClusterPlacementStatuses, placement_status.go), else the members
    whose own condition of that type is False, with their failedPlacements."""
    ctype = str(cond.get("type", ""))
    for prefix in ("ClusterResourcePlacement", "ResourcePlacement"):
        if ctype.startswith(prefix):
            ctype = ctype[len(prefix) :]
            break
    return "; ".join(failed_members(obj, ctype))


def holding_back(obj: Mapping[str, Any]) -> str:
    """While the rollout controller holds members back (the placement's RolloutStarted False for
    RolloutNotStartedYet: kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/controller.go
    keeps maxUnavailable of the target available, and a binding counts as available only once its
    Available condition is True), the members it waits for: those rolled out whose last condition
    is not True yet. Empty otherwise."""
    prefix = str(obj.get("kind") or "ClusterResourcePlacement")
    started = conditions(obj).get(prefix + "RolloutStarted")
    if started is None or started.get("status") != "False" or started.get("reason") != ROLLOUT_BLOCKED:
        return ""
    waiting = []
    for entry in cluster_statuses(obj):
        conds = cluster_conditions(entry)
        if (conds.get("RolloutStarted") or {}).get("status") != "True":
            continue
        for ctype in expected_condition_types(obj)[1:]:
            cond = conds.get(ctype)
            if cond is None or cond.get("status") != "True":
                state = f"{ctype}={cond.get('status')}: {cond.get('message') or ''}" if cond else f"no {ctype} yet"
                waiting.append(f"{entry.get('clusterName')} ({state.rstrip(': ')})")
                break
    if waiting:
        return "the rollout strategy waits for " + ", ".join(waiting)
    return _waits_unavailable_period(obj)


def _waits_unavailable_period(obj: Mapping[str, Any]) -> str:
    """Every rolled-out member is available, yet the rollout is held: members whose objects KubeFleet
    cannot track (Available True for NotAllWorkAreAvailabilityTrackable: the work applier tracks
    Deployments, StatefulSets, DaemonSets, Services, CRDs and PDBs, counts data objects available at
    once, and cannot track anything else, a KAITO Workspace included: kubefleet-dev/kubefleet e160c1cd
    pkg/controllers/workapplier/availability_tracker.go) count as ready only unavailablePeriodSeconds
    after they became available (pkg/controllers/rollout/controller.go isBindingReady)."""
    untracked = [
        str(entry.get("clusterName"))
        for entry in cluster_statuses(obj)
        if (cluster_conditions(entry).get("RolloutStarted") or {}).get("status") == "True"
        and (cluster_conditions(entry).get("Available") or {}).get("reason") == NOT_TRACKABLE
    ]
    rolling = ((obj.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    period = rolling.get("unavailablePeriodSeconds", DEFAULT_UNAVAILABLE_PERIOD)
    why = (
        "KubeFleet cannot track the availability of what is placed (e.g. a KAITO Workspace), so it counts a "
        "member ready that long after its objects are applied"
    )
    if untracked:
        return (
            f"the rollout strategy waits unavailablePeriodSeconds ({period}s) after {', '.join(sorted(untracked))} "
            f"became available: {why}"
        )
    # Every member held back shows RolloutStarted False only (setPerClusterPlacementStatus): what it
    # waits for is on the bindings.
    name = (obj.get("metadata") or {}).get("name")
    return (
        f"no member rolled out is unavailable: the rollout strategy waits unavailablePeriodSeconds ({period}s) "
        f"where {why}, or for bindings being removed (kubectl get clusterresourcebindings -l "
        f"kubernetes-fleet.io/parent-CRP={name})"
    )


def _only_applying(obj: Mapping[str, Any]) -> bool:
    """Whether every member whose Applied is False is only having its Works applied: the work
    generator sets Applied False (WorkApplyInProcess, "ApplyInProgress") each time it changes a
    binding's Works, until the member's work applier reports (kubefleet-dev/kubefleet e160c1cd
    pkg/controllers/workgenerator/controller.go Reconcile), and the placement says ApplyFailed for
    it meanwhile (FalseClusterResourcePlacementCondition, pkg/utils/condition/condition.go)."""
    applied = [cluster_conditions(entry).get("Applied") for entry in cluster_statuses(obj)]
    false = [c for c in applied if c is not None and c.get("status") == "False"]
    return bool(false) and all(c.get("reason") == APPLYING for c in false)


def _selects_none_by_design(obj: Mapping[str, Any]) -> bool:
    """isPolicySelectingNoClusters (controller.go): PickN of 0 or PickFixed of no names."""
    policy = (obj.get("spec") or {}).get("policy") or {}
    if policy.get("placementType") == "PickN":
        return int(policy.get("numberOfClusters") or 0) == 0
    return policy.get("placementType") == "PickFixed" and not policy.get("clusterNames")


def _unfulfilled(obj: Mapping[str, Any], prefix: str) -> Readiness | None:
    """Scheduled=False of the current generation (SchedulingPolicyUnfulfilled): not final, the
    scheduler tries again as members join or change (see placement); the wait goes on, naming the
    reason, the members it could not schedule, where it is placed so far, and what would let it
    finish."""
    scheduled = current_conditions(obj, Generation.CONDITIONS).get(prefix + "Scheduled")
    if scheduled is None or scheduled.get("status") != "False" or scheduled.get("reason") == INVALID_SELECTORS:
        return None
    message = describe(scheduled)
    unscheduled = placement_culprit(obj, scheduled)
    if unscheduled:
        message += f" ({unscheduled})"
    placed = _placed_so_far(obj)
    if placed:
        message += f"; {placed}"
    external = ((obj.get("spec") or {}).get("strategy") or {}).get("type") == "External"
    message += "; KubeFleet schedules it again as members join or change"
    if not external:
        message += ", and rolls out to the members it picked"
    return Readiness(
        False,
        message=message,
        reason=str(scheduled.get("reason") or ""),
        fix="join or label members that match the policy (kubectl get memberclusters --show-labels), "
        "or place on fewer members (--pick-n, --pick-fixed)",
    )


def _placed_so_far(obj: Mapping[str, Any]) -> str:
    """``placed on 2 of 3 members (available: canary, gpu-east)``: the members the scheduler picked
    (their rows' Scheduled True, setPlacementStatus in kubefleet-dev/kubefleet e160c1cd
    pkg/controllers/placement/controller.go), of the count the policy asks for (numberOfClusters, or
    the PickFixed names), and those of them Available already."""
    policy = (obj.get("spec") or {}).get("policy") or {}
    ptype = policy.get("placementType")
    wanted = len(policy.get("clusterNames") or []) if ptype == "PickFixed" else policy.get("numberOfClusters")
    picked = [s for s in cluster_statuses(obj) if cluster_conditions(s).get("Scheduled", {}).get("status") == "True"]
    if not isinstance(wanted, int) or ptype not in ("PickN", "PickFixed"):
        return ""
    available = sorted(
        str(s.get("clusterName")) for s in picked if cluster_conditions(s).get("Available", {}).get("status") == "True"
    )
    text = f"placed on {len(picked)} of {wanted} members"
    return text + (f" (available: {', '.join(available)})" if available else "")


def placement(obj: Mapping[str, Any]) -> Readiness:
    """isRolloutCompleted (pkg/controllers/placement/controller.go): Scheduled and every expected
    condition True for the current generation.

    The failures in TERMINAL_PLACEMENT_REASONS end the wait, naming the members, and so does
    Scheduled=False for InvalidResourceSelectors (a user error the hub waits on the user to fix).
    Any other Scheduled=False does not: it is the scheduler's SchedulingPolicyUnfulfilled (too few
    matching members for PickN, a PickFixed member not joined or not eligible), which it sets on
    every cycle that finds too few (kubefleet-dev/kubefleet e160c1cd pkg/scheduler/framework/frameworkutils.go
    newScheduledConditionFromBindings, framework.go updatePolicySnapshotStatusForPickFixedPlacementType),
    and it schedules the placement again whenever a member joins or its labels, taints or properties
    change (pkg/scheduler/watchers/membercluster/watcher.go and utils.go classifyPlacements: PickN
    and PickFixed placements not fully scheduled). The members it picked roll out meanwhile
    (setPlacementStatus). So the wait goes on, saying why, until more members match or --timeout.
    A placement scheduled onto no member keeps only its Scheduled condition (setPlacementStatus,
    controller.go): nothing will roll out until a member matches, so that ends the wait, unless
    the policy selects no cluster by design.
    """
    prefix = str(obj.get("kind") or "ClusterResourcePlacement")
    expected = tuple(prefix + t for t in expected_condition_types(obj))
    rule = ConditionRule(
        upstream=PLACEMENT_CONTROLLER,
        generation=Generation.CONDITIONS,
        ready=(prefix + "Scheduled", *expected),
        terminal=(
            Terminal(prefix + "Scheduled", reasons=(INVALID_SELECTORS,)),
            *(Terminal(prefix + t, reasons=r) for t, r in TERMINAL_PLACEMENT_REASONS.items()),
        ),
        culprit=placement_culprit,
    )
    verdict = rule(obj)
    if verdict.failed and verdict.reason == INVALID_SELECTORS:
        return replace(verdict, fix=INVALID_SELECTORS_FIX)
    if verdict.failed and verdict.reason == "ApplyFailed" and _only_applying(obj):
        applying = "; ".join(failed_members(obj, "Applied"))
        return Readiness(False, message=f"the members' Works are being applied: {applying}")
    if verdict.failed and verdict.reason == "ApplyFailed" and (unserved := unserved_kinds(obj)):
        return replace(verdict, fix=unserved_fix(unserved))
    if verdict.failed and verdict.reason == "ApplyFailed" and (fix := strategy_fix(obj)):
        return replace(verdict, fix=fix)
    if verdict.ready or verdict.failed:
        return verdict
    if failures := diff_report_failures(obj):
        message = "; ".join(f"member {member}: {text}" for member, text in failures.items())
        return Readiness(False, True, message, DIFF_NOT_REPORTED, fix=DIFF_REPORT_FIX)
    unfulfilled = _unfulfilled(obj, prefix)
    if unfulfilled is not None:
        return unfulfilled
    held = holding_back(obj)
    if held:
        return replace(verdict, message=f"{verdict.message}; {held}")
    conds = current_conditions(obj, Generation.CONDITIONS)
    scheduled = conds.get(prefix + "Scheduled")
    picked = [s for s in cluster_statuses(obj) if s.get("clusterName")]
    if scheduled is not None and scheduled.get("status") == "True" and not picked and len(conds) == 1:
        if _selects_none_by_design(obj):
            return READY
        return Readiness(
            False,
            True,
            "scheduled onto no member cluster: no member matches the placement policy",
            "NoMatchingMember",
        )
    return verdict


def placement_scheduled(obj: Mapping[str, Any]) -> Readiness:
    """Ready to take a staged update run: the placement is scheduled for its current generation onto
    at least one member. A run created earlier fails for good ("no latest policy snapshot found",
    "policy snapshot ... not fully scheduled yet", "no scheduled or to-be-deleted bindings found":
    kubefleet-dev/kubefleet pkg/controllers/updaterun/initialization.go). A placement scheduled onto
    no member ends the wait; one the scheduler could not fully schedule (Scheduled=False,
    SchedulingPolicyUnfulfilled) does not: the scheduler tries again as members join or change
    (pkg/scheduler/watchers/membercluster/watcher.go), so the wait goes on until it is fully
    scheduled or the timeout, with the run not created yet.
    """
    prefix = str(obj.get("kind") or "ClusterResourcePlacement")
    unfulfilled = _unfulfilled(obj, prefix)
    if unfulfilled is not None:
        # Not final for the placement, but a run created now fails for good ("policy snapshot ... not
        # fully scheduled yet", determinePolicySnapshot): so the run waits to be created until the
        # scheduler finds enough members, or --timeout.
        return replace(
            unfulfilled,
            message=unfulfilled.message + "; the run is created once the placement is fully scheduled, "
            "as KubeFleet fails a run created before (updaterun/initialization.go)",
        )
    rule = ConditionRule(
        upstream="kubefleet-dev/kubefleet pkg/controllers/updaterun/initialization.go",
        generation=Generation.CONDITIONS,
        ready=(prefix + "Scheduled",),
        terminal=(Terminal(prefix + "Scheduled"),),
        culprit=placement_culprit,
    )
    verdict = rule(obj)
    if verdict.failed and verdict.reason == INVALID_SELECTORS:
        return replace(verdict, fix=INVALID_SELECTORS_FIX)
    if not verdict.ready:
        return verdict
    picked = [s for s in cluster_statuses(obj) if cluster_conditions(s).get("Scheduled", {}).get("status") == "True"]
    if picked:
        return READY
    return Readiness(
        False,
        True,
        "scheduled onto no member cluster: a staged update run would have nothing to update",
        "NoMatchingMember",
    )


GROUP = "placement.kubernetes-fleet.io"
RULES: dict[tuple[str, str], Rule] = {
    (GROUP, "ClusterResourcePlacement"): placement,
    (GROUP, "ResourcePlacement"): placement,
}
