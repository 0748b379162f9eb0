"""The KubeFleet scheduler's decisions, as the fleet hub simulator makes them.

Follows (upstream:) kubefleet-dev/kubefleet e160c1cd ``pkg/scheduler/framework/framework.go`` (PickAll, PickN,
PickFixed cycles; the condition messages and decision reasons below are its constants),
``frameworkutils.go`` (newSchedulingDecisionsFromBindings: picked clusters, then not-picked
scored clusters, then filtered clusters sorted by name, at most 20 unselected) and the filter
plugins ``plugins/clusteraffinity/filtering.go``, ``plugins/clustereligibility/plugin.go`` (with
``pkg/scheduler/clustereligibilitychecker/checker.go`` IsEligible: a member being deleted, a member
agent not online, its heartbeat older than 5 minutes, not joined, no health condition, unhealthy
for over 5 minutes) and ``plugins/tainttoleration/filtering.go``
(their reasons, as ``Status.String()`` in ``status.go`` joins code name and reasons).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tests.emulators.kube.controllers.fleet_conditions import Clock

# resource.Quantity as kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go
# parses it (the emulator's own port, not akscli's)
from tests.emulators.kube.controllers.pod_resources import quantity as quantity_value

FULFILLED = "SchedulingPolicyFulfilled"
UNFULFILLED = "SchedulingPolicyUnfulfilled"
FULLY_SCHEDULED = "found all cluster needed as specified by the scheduling policy, found {n} cluster(s)"
NOT_FULLY_SCHEDULED = (
    "could not find all clusters needed as specified by the scheduling policy, found {n} cluster(s) instead"
)
NOT_FOUND = 'Specified cluster "{name}" is not found'
NOT_PICKED_BY_SCORE = (
    'Cluster "{name}" does not score high enough (affinity score: {affinity}, topology spread score: 0)'
)
PICKED = 'Successfully scheduled resources for placement in "{name}": picked by scheduling policy'
AFFINITY_FILTERED = "ClusterUnschedulable, cluster does not match with any of the required cluster affinity terms"
TAINT_FILTERED = "ClusterUnschedulable, taint {{Key:{key} Value:{value} Effect:{effect}}} cannot be tolerated"
MAX_UNSELECTED = 20  # defaultFrameworkOptions.maxUnselectedClusterDecisionCount
# pkg/scheduler/clustereligibilitychecker/checker.go IsEligible's reason for a member being deleted,
# and framework.go pickFixedInvalidClusterReasonTemplate for a PickFixed cluster that is not eligible.
LEFT_THE_FLEET = "cluster has left the fleet"
# upstream: kubefleet-dev/kubefleet e160c1cd pkg/scheduler/clustereligibilitychecker/checker.go
# defaultClusterHeartbeatCheckTimeout and defaultClusterHealthCheckTimeout, in seconds.
HEARTBEAT_TIMEOUT = 300.0
HEALTH_TIMEOUT = 300.0
NOT_CONNECTED = "cluster is not connected to the fleet: "
NOT_ELIGIBLE = 'Cluster "{name}" is not eligible for resource placement yet: {reason}'


@dataclass
class Decisions:
    """A scheduling cycle's result: what the policy snapshot's status would hold."""

    picked: list[str]
    fulfilled: bool
    message: str
    # (cluster, reason) of clusters not selected, in the order the framework records them.
    unselected: list[tuple[str, str]] = field(default_factory=list)
    # How many unselected clusters count as failed to schedule
    # (calculateFailedToScheduleClusterCount, pkg/controllers/placement/placement_status.go).
    failed_count: int = 0

    @property
    def reason(self) -> str:
        return FULFILLED if self.fulfilled else UNFULFILLED


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("labels") or {})


def matches_selector(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def property_of(member: Mapping[str, Any], name: str) -> Decimal | None:
    props = (member.get("status") or {}).get("properties") or {}
    entry = props.get(name)
    if entry is None:
        return None
    return quantity_value(str(entry.get("value")))


def matches_properties(selector: Mapping[str, Any] | None, member: Mapping[str, Any]) -> bool:
    for expr in (selector or {}).get("matchExpressions") or []:
        have = property_of(member, expr["name"])
        if have is None:
            return False
        want = quantity_value(str(expr["values"][0]))
        ok = {
            "Gt": have > want,
            "Ge": have >= want,
            "Lt": have < want,
            "Le": have <= want,
            "Eq": have == want,
            "Ne": have != want,
        }[expr["operator"]]
        if not ok:
            return False
    return True


def tolerated(taint: Mapping[str, Any], tolerations: list[dict[str, Any]]) -> bool:
    for tol in tolerations:
        if tol.get("key") != taint.get("key"):
            continue
        if tol.get("operator") == "Exists" or tol.get("value") == taint.get("value"):
            return True
    return False


def _filter(member: Mapping[str, Any], terms: list[dict[str, Any]], tolerations: list[dict[str, Any]]) -> str | None:
    """The filter plugins' verdict on a member without a Scheduled or Bound binding of this policy
    snapshot: None when it passes, else the status string of the first that filters it, in the
    default profile's order (pkg/scheduler/profile/profile.go: cluster affinity, cluster
    eligibility, namespace affinity, taint/toleration; framework.go runFilterPluginsFor stops at the
    first). A member with such a binding never reaches them (``schedule``)."""
    if terms and not any(
        matches_selector(t.get("labelSelector"), labels_of(member))
        and matches_properties(t.get("propertySelector"), member)
        for t in terms
    ):
        return AFFINITY_FILTERED
    reason = ineligible(member)
    if reason is not None:
        return "ClusterUnschedulable, " + reason
    for taint in (member.get("spec") or {}).get("taints") or []:
        if not tolerated(taint, tolerations):
            return TAINT_FILTERED.format(
                key=taint.get("key", ""), value=taint.get("value", ""), effect=taint.get("effect", "NoSchedule")
            )
    return None


def leaving(member: Mapping[str, Any]) -> bool:
    """clustereligibilitychecker/checker.go IsEligible: a member being deleted has left the fleet."""
    return bool((member.get("metadata") or {}).get("deletionTimestamp"))


def _since(stamp: Any, now: datetime) -> float | None:
    try:
        return (now - datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))).total_seconds()
    except ValueError:
        return None


def ineligible(member: Mapping[str, Any], now: datetime | None = None) -> str | None:
    """clustereligibilitychecker/checker.go IsEligible: None when eligible, else its reason. Its
    time.Since is read on the simulator's clock (fleet_conditions.Clock), which stamps the
    heartbeats: a heartbeat stamped after an advance is as recent as upstream finds it, and one
    from before goes stale as the clock moves on. A heartbeat in the future counts as recent
    (time.Since is negative, under the timeout)."""
    if leaving(member):
        return LEFT_THE_FLEET
    now = now or datetime.fromtimestamp(Clock.epoch(), UTC)
    agents = (member.get("status") or {}).get("agentStatus") or []
    agent = next((a for a in agents if a.get("type") == "MemberAgent"), None)
    if agent is None:
        return NOT_CONNECTED + "member agent not online yet"
    since = _since(agent.get("lastReceivedHeartbeat"), now)
    if since is None or since > HEARTBEAT_TIMEOUT:
        # A zero time (no heartbeat) is long ago: time.Since of it is enormous.
        minutes = since / 60 if since is not None else 1e6
        return NOT_CONNECTED + f"no recent heartbeat signals (last received {minutes:.2f} minutes ago)"
    conds = {c.get("type"): c for c in agent.get("conditions") or []}
    if (conds.get("Joined") or {}).get("status") != "True":
        return NOT_CONNECTED + "member agent not joined yet"
    healthy = conds.get("Healthy")
    if healthy is None:
        return NOT_CONNECTED + "health condition from member agent is not available"
    unhealthy_for = _since(healthy.get("lastTransitionTime"), now) or 0.0
    if healthy.get("status") != "True" and unhealthy_for > HEALTH_TIMEOUT:
        return NOT_CONNECTED + (
            f"unhealthy for a prolonged period of time (last transitioned {unhealthy_for / 60:.2f} minutes ago)"
        )
    return None


def _scores(
    eligible: list[str], members: Mapping[str, Mapping[str, Any]], preferred: list[dict[str, Any]]
) -> dict[str, float]:
    scores = {}
    for name in eligible:
        total = 0.0
        member = members[name]
        for pref in preferred:
            weight = float(pref.get("weight", 0))
            term = pref.get("preference") or {}
            if "propertySorter" in term:
                sorter = term["propertySorter"]
                values = [v for v in (property_of(members[n], sorter["name"]) for n in eligible) if v is not None]
                value = property_of(member, sorter["name"])
                if value is None or not values or max(values) == min(values):
                    continue
                frac = float((value - min(values)) / (max(values) - min(values)))
                total += weight * (frac if sorter.get("sortOrder") != "Ascending" else 1 - frac)
            elif matches_selector(term.get("labelSelector"), labels_of(member)):
                total += weight
        scores[name] = total
    return scores


def schedule(policy: Mapping[str, Any], members: Mapping[str, Mapping[str, Any]], current: set[str]) -> Decisions:
    """One scheduling cycle of ``policy`` over ``members`` (``current``: the members with a Scheduled
    or Bound binding of the placement's latest policy snapshot)."""
    ptype = policy.get("placementType", "PickAll")
    if ptype == "PickFixed":
        names = list(policy.get("clusterNames") or [])
        # crossReferenceClustersWithTargetNames: valid, then invalid (not eligible), then not found.
        verdicts = {n: ineligible(members[n]) for n in names if n in members}
        picked = [n for n in names if n in verdicts and verdicts[n] is None]
        invalid = [(n, NOT_ELIGIBLE.format(name=n, reason=verdicts[n])) for n in names if verdicts.get(n) is not None]
        missing = [(n, NOT_FOUND.format(name=n)) for n in names if n not in members]
        return Decisions(
            picked,
            len(picked) == len(names),
            (NOT_FULLY_SCHEDULED if len(picked) < len(names) else FULLY_SCHEDULED).format(n=len(picked)),
            invalid + missing,
            len(names) - len(picked),
        )
    tolerations = list(policy.get("tolerations") or [])
    affinity = (policy.get("affinity") or {}).get("clusterAffinity") or {}
    terms = (affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("clusterSelectorTerms") or []
    # A member with a Scheduled or Bound binding of this policy snapshot stays picked whatever its
    # labels, properties, taints or health now (requiredDuringSchedulingIgnoredDuringExecution): the
    # sameplacementaffinity plugin sets it apart (ClusterAlreadySelected) and the cycle keeps its
    # binding (framework.go runSchedulingCycleForPickAllPlacementType, runSchedulingCycleForPickN-
    # PlacementType; pkg/scheduler/watchers/membercluster/watcher.go cases 2a, 2b). Only one that
    # left the fleet loses it (classifyBindings "dangling"). A binding of an older policy snapshot is
    # obsolete: its member is filtered afresh, as any other (crossReferencePickedClustersAndDeDupBindings).
    placed: list[str] = []
    eligible: list[str] = []
    filtered: list[tuple[str, str]] = []
    # An evicted member is no exception: the eviction only deletes its binding, and the cordon taint a
    # drain adds is what keeps the next cycle off it (upstream: Azure/fleet docs/concepts/
    # EvictionAndDisruptionBudget/README.md "no guarantee that the cluster won't be picked again";
    # kubefleet-dev/kubefleet e160c1cd pkg/scheduler/framework/plugins/tainttoleration/filtering.go:20-32
    # Filter, ClusterUnschedulable on an untolerated taint; _filter below).
    for name, member in sorted(members.items()):
        if name in current and not leaving(member):
            placed.append(name)
            continue
        verdict = _filter(member, terms, tolerations)
        if verdict is None:
            eligible.append(name)
        else:
            filtered.append((name, verdict))
    if ptype != "PickN":
        picked = sorted(placed + eligible)
        return Decisions(picked, True, FULLY_SCHEDULED.format(n=len(picked)), filtered[:MAX_UNSELECTED])
    wanted = int(policy.get("numberOfClusters") or 0)
    scores = _scores(placed + eligible, members, affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or [])
    # shouldDownscale / downscale: too many placed, the lowest score (then name) goes first
    # (frameworkutils.go sortByClusterScoreAndName); otherwise runAllPluginsForPickNPlacementType
    # picks the best of the rest for the clusters still wanted (desiredBatchSize).
    kept = sorted(placed, key=lambda n: (scores[n], n))[max(0, len(placed) - wanted) :]
    ranked = sorted(eligible, key=lambda n: (-scores[n], n))
    picked = sorted(kept, key=lambda n: (-scores[n], n)) + ranked[: max(0, wanted - len(kept))]
    not_picked = ranked[max(0, wanted - len(kept)) :]
    unselected = [(n, NOT_PICKED_BY_SCORE.format(name=n, affinity=int(scores[n]))) for n in not_picked]
    unselected = (unselected + filtered)[:MAX_UNSELECTED]
    fulfilled = len(picked) >= wanted
    message = (FULLY_SCHEDULED if fulfilled else NOT_FULLY_SCHEDULED).format(n=len(picked))
    return Decisions(picked, fulfilled, message, unselected, max(0, wanted - len(picked)))
