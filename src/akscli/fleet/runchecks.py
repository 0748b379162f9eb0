"""What a staged update run needs before it is created, checked as the hub's update-run controller
will check it when the run initializes -- a failure there is final, the run is never retried
(upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go) -- so akscli
refuses such a run with one line instead of creating it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from akscli.errors import AuthError, NotFoundError, NotInstalledError, UsageError
from akscli.fleet import (
    CLUSTER_V1,
    CRP,
    CSUR,
    CSUS,
    MEMBER,
    PARENT_PLACEMENT_LABEL,
    PLACEMENT_BETA,
    PLACEMENT_V1,
    RESOURCE_INDEX_LABEL,
    RP,
    SUR,
    SUS,
)
from akscli.fleet.eligibility import not_eligible
from akscli.fleet.matching import label_selector_matches, matching_members
from akscli.kube.client import Kube


def check_runs(kube: Kube, objects: Iterable[Mapping[str, Any]]) -> None:
    """Refuse, before anything is sent, a staged update run whose initialization the hub would fail
    for good: its strategy missing ("referenced updateStrategy not found"), its placement missing
    ("parent placement not found") or not External ("parent placement does not have an external
    rollout strategy") -- kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/initialization.go
    (validatePlacement) and validation.go; controller.go never retries a run that failed to
    initialize. A placement among ``objects`` is taken as it will be applied."""
    objects = list(objects)
    placements = {
        (o.get("kind"), (o.get("metadata") or {}).get("namespace"), (o.get("metadata") or {}).get("name")): o
        for o in objects
        if o.get("kind") in (CRP, RP)
    }
    for run in (o for o in objects if o.get("kind") in (CSUR, SUR)):
        namespace = (run.get("metadata") or {}).get("namespace")
        spec = run.get("spec") or {}
        where = f" in namespace {namespace}" if namespace else ""
        strategy = str(spec.get("stagedRolloutStrategyName"))
        if kube.get(PLACEMENT_V1, SUS if namespace else CSUS, strategy, namespace) is None:
            n = f" -n {namespace}" if namespace else ""
            raise NotFoundError(
                f"staged update strategy {strategy!r} not found{where}",
                hint=f"create it with: akscli fleet rollout strategy create {strategy}{n} --stage ... "
                f"(list them with: akscli fleet rollout strategy list{n})",
            )
        kind = RP if namespace else CRP
        name = str(spec.get("placementName"))
        placement = placements.get((kind, namespace, name)) or kube.get(PLACEMENT_V1, kind, name, namespace)
        if placement is None:
            raise NotFoundError(
                f"{kind} {name!r} not found{where}: a staged update run rolls out an existing placement",
                hint=f"create it with: akscli fleet place {name} --select ... --external",
            )
        rollout = ((placement.get("spec") or {}).get("strategy") or {}).get("type") or "RollingUpdate"
        if rollout != "External":
            raise UsageError(
                f"{kind} {name} rolls out by itself (strategy {rollout}); "
                "a staged update run drives only a placement with strategy External",
                hint=f"make it External first, with its own --select: akscli fleet place {name} --select ... "
                "--external (a placement can become External, not the other way back)",
            )
        index = spec.get("resourceSnapshotIndex")
        if index not in (None, "") and (kind, namespace, name) not in placements:
            _check_resource_index(kube, kind, name, namespace, str(index))


def resource_snapshots(kube: Kube, name: str, namespace: str | None, index: str | None = None) -> list[dict[str, Any]]:
    """The resource snapshots of placement ``name`` (of one ``index`` only, when given): every
    snapshot of a group carries its parent's and its index's label (upstream: kubefleet-dev/kubefleet
    e160c1cd pkg/utils/controller/resource_snapshot_resolver.go ListAllResourceSnapshotWithAnIndex)."""
    # ResourceSnapshot is served as v1beta1 only, ClusterResourceSnapshot as v1 too (upstream: kubefleet-dev/
    # kubefleet e160c1cd config/crd/bases/placement.kubernetes-fleet.io_resourcesnapshots.yaml, _cluster...).
    snapshot_kind, version = "ClusterResourceSnapshot", PLACEMENT_V1
    if namespace:
        snapshot_kind, version = "ResourceSnapshot", PLACEMENT_BETA
    selector = f"{PARENT_PLACEMENT_LABEL}={name}"
    if index is not None:
        selector += f",{RESOURCE_INDEX_LABEL}={index}"
    return list(kube.list(version, snapshot_kind, namespace=namespace, label_selector=selector))


def _check_resource_index(kube: Kube, kind: str, name: str, namespace: str | None, index: str) -> None:
    """A run naming a resource snapshot index its placement has none of fails to initialize for
    good ("no resourceSnapshots with index `N` found for placement", upstream: kubefleet-dev/kubefleet
    e160c1cd pkg/controllers/updaterun/initialization.go getResourceSnapshotObjs, which lists the
    snapshots labelled kubernetes-fleet.io/parent-CRP=NAME and kubernetes-fleet.io/resource-index=N,
    pkg/utils/controller/resource_snapshot_resolver.go ListAllResourceSnapshotWithAnIndex). A hub
    that does not let this user list snapshots is not checked: the run itself reports it."""
    try:
        have = {
            str(((s.get("metadata") or {}).get("labels") or {}).get(RESOURCE_INDEX_LABEL))
            for s in resource_snapshots(kube, name, namespace)
        }
    except (NotInstalledError, AuthError):
        return
    if index in have:
        return
    known = ", ".join(sorted(have, key=lambda i: int(i) if i.isdigit() else -1)) or "none yet"
    raise UsageError(
        f"{kind} {name} has no resource snapshot {index} (it has: {known}): the run would fail",
        hint="leave --resource-index out to roll out the latest resources, or name one it has",
    )


def _scheduled(placement: Mapping[str, Any]) -> list[str]:
    return [
        str(entry["clusterName"])
        for entry in (placement.get("status") or {}).get("placementStatuses") or []
        if entry.get("clusterName")
        and any(c.get("type") == "Scheduled" and c.get("status") == "True" for c in entry.get("conditions") or [])
    ]


def check_stages(kube: Kube, runs: Iterable[Mapping[str, Any]]) -> None:
    """Refuse a run whose strategy cannot place the members its placement is scheduled on, as
    computeRunStageStatus (initialization.go) would. Call it once the placements are scheduled
    (wait_until_scheduled)."""
    runs = list(runs)
    if not runs:
        return
    labels = _member_labels(kube.list(CLUSTER_V1, MEMBER))
    for run in runs:
        namespace = (run.get("metadata") or {}).get("namespace")
        spec = run.get("spec") or {}
        name, strategy_name = str(spec.get("placementName")), str(spec.get("stagedRolloutStrategyName"))
        placement = kube.get(PLACEMENT_V1, RP if namespace else CRP, name, namespace) or {}
        strategy = kube.get(PLACEMENT_V1, SUS if namespace else CSUS, strategy_name, namespace) or {}
        _check_members(name, strategy_name, strategy, labels, set(_scheduled(placement)) & labels.keys())


def check_stages_before_placing(kube: Kube, objects: Iterable[Mapping[str, Any]]) -> None:
    """The stage rules of check_stages, before anything is sent, for a ClusterResourcePlacement (new,
    or one being updated) whose run will certainly cover some members: so that a refused run leaves
    no placement, namespace or workload behind, or changed. A member is certain when the KubeFleet
    scheduler will pick it (upstream: kubefleet-dev/kubefleet e160c1cd
    pkg/scheduler/framework/framework.go, plugins clusteraffinity and tainttoleration --
    akscli.fleet.matching -- and
    pkg/scheduler/clustereligibilitychecker/checker.go with its default 5-minute heartbeat and
    health timeouts): PickFixed, the named eligible members; PickAll, every eligible member the
    filters pass; PickN, the same when no more members pass than it picks (past that, which ones
    it picks depends on scores, so the check waits for the schedule). A member whose eligibility
    is not certain (no recent heartbeat, not joined) is left to check_stages, as is a
    ResourcePlacement (namespace affinity reads per-member namespace lists).

    A placement that exists already is checked the same way: the run covers the bindings of its
    latest policy snapshot (pkg/controllers/updaterun/initialization.go), and the scheduler keeps
    the clusters placed already and picks every other one that passes the filters under PickAll
    (framework.go runSchedulingCycleForPickAllPlacementType, sameplacementaffinity), the named
    ones under PickFixed, so the certain members above are among them. Under PickN the clusters
    it is scheduled on now count towards N: only when they and the passing ones are no more than N
    is every passing one certain."""
    objects = list(objects)
    runs = [o for o in objects if o.get("kind") == CSUR]
    if not runs:
        return
    placements = {str((o.get("metadata") or {}).get("name")): o for o in objects if o.get("kind") == CRP}
    members: list[dict[str, Any]] | None = None
    for run in runs:
        spec = run.get("spec") or {}
        name, strategy_name = str(spec.get("placementName")), str(spec.get("stagedRolloutStrategyName"))
        placement = placements.get(name)
        if placement is None:
            continue
        existing = kube.get(PLACEMENT_V1, CRP, name)
        if members is None:
            members = list(kube.list(CLUSTER_V1, MEMBER))
        policy = (placement.get("spec") or {}).get("policy") or {}
        certain = _certain_members(policy, members, set(_scheduled(existing)) if existing else set())
        if certain:
            strategy = kube.get(PLACEMENT_V1, CSUS, strategy_name) or {}
            _check_members(name, strategy_name, strategy, _member_labels(members), certain, scheduled_word="will be")


def _certain_members(
    policy: Mapping[str, Any], members: list[dict[str, Any]], placed: frozenset[str] | set[str] = frozenset()
) -> set[str]:
    passing = matching_members(policy, members)
    ptype = policy.get("placementType") or "PickAll"
    if ptype == "PickN" and len(set(passing) | placed) > int(policy.get("numberOfClusters") or 0):
        return set()
    by_name = {str((m.get("metadata") or {}).get("name")): m for m in members}
    return {n for n in passing if _eligible(by_name[n])}


def _eligible(member: Mapping[str, Any], now: datetime | None = None) -> bool:
    """ClusterEligibilityChecker.IsEligible (akscli.fleet.eligibility), true only when it certainly
    holds: a minute's margin under the 5-minute heartbeat timeout (the run is created after this
    check), and Healthy True (IsEligible lets a failing health check pass for 5 minutes)."""
    if not_eligible(member, now or datetime.now(UTC), heartbeat_timeout=timedelta(minutes=4)) is not None:
        return False
    agents = (member.get("status") or {}).get("agentStatus") or []
    agent: Mapping[str, Any] = next((a for a in agents if a.get("type") == "MemberAgent"), {})
    return any(c.get("type") == "Healthy" and c.get("status") == "True" for c in agent.get("conditions") or [])


def _member_labels(members: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    return {
        str((m.get("metadata") or {}).get("name")): dict((m.get("metadata") or {}).get("labels") or {}) for m in members
    }


def _check_members(
    name: str,
    strategy_name: str,
    strategy: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, str]],
    scheduled: set[str],
    *,
    scheduled_word: str = "is",
) -> None:
    """computeRunStageStatus (initialization.go) on ``scheduled``: every member in exactly one stage
    (a stage's label selector matches members; none when it has no selector), and, in a stage with
    a sortingLabelKey, that label an integer on each of its members (strconv.Atoi; a missing one
    is ""). Each rule is about one member, so a subset of the members the run covers is checked
    exactly."""
    placed: dict[str, str] = {}
    for stage in (strategy.get("spec") or {}).get("stages") or []:
        selector, sort_key = stage.get("labelSelector"), stage.get("sortingLabelKey")
        for member in sorted(scheduled):
            # initialization.go LabelSelectorAsSelector(stage.LabelSelector): nil selects no member
            if not label_selector_matches(selector, labels[member], f"stage {stage.get('name')} of {strategy_name}"):
                continue
            if member in placed:
                raise UsageError(
                    f"member {member} is in stages {placed[member]} and {stage.get('name')} of strategy "
                    f"{strategy_name}: the run would fail, a member belongs to one stage",
                    hint="make the stages' label selectors disjoint, e.g. labels=env=canary and labels=env!=canary",
                )
            placed[member] = str(stage.get("name"))
            value = labels[member].get(sort_key, "") if sort_key else "0"
            if not re.fullmatch(r"[+-]?[0-9]+", value):
                raise UsageError(
                    f"member {member} of stage {stage.get('name')} has no whole number in its sorting label "
                    f"{sort_key} ({value!r}): the run would fail",
                    hint=f"label it (kubectl label membercluster {member} {sort_key}=N) or drop sort=",
                )
    left = sorted(scheduled - placed.keys())
    if left:
        raise UsageError(
            f"placement {name} {scheduled_word} scheduled on {', '.join(left)}, which no stage of strategy "
            f"{strategy_name} selects: the run would fail",
            hint="give them a stage: a stage's labels= selects its members (without labels= it takes every "
            "member, those of other stages too)",
        )
