"""What a staged update run needs before it is created, checked as the hub's update-run controller
will check it when the run initializes -- a failure there is final, the run is never retried
(upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go) -- so akscli
refuses such a run with one line instead of creating it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from akscli.errors import NotFoundError, UsageError
from akscli.fleet import CLUSTER_V1, CRP, CSUR, CSUS, MEMBER, PLACEMENT_V1, RP, SUR, SUS
from akscli.fleet.matching import label_selector_matches
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
            raise NotFoundError(
                f"staged update strategy {strategy!r} not found{where}",
                hint=f"create it with: akscli fleet rollout strategy create {strategy} --stage ... "
                "(list them with: akscli fleet rollout strategy list)",
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


def _scheduled(placement: Mapping[str, Any]) -> list[str]:
    return [
        str(entry["clusterName"])
        for entry in (placement.get("status") or {}).get("placementStatuses") or []
        if entry.get("clusterName")
        and any(c.get("type") == "Scheduled" and c.get("status") == "True" for c in entry.get("conditions") or [])
    ]


def check_stages(kube: Kube, runs: Iterable[Mapping[str, Any]]) -> None:
    """Refuse a run whose strategy cannot place the members its placement is scheduled on, as
    computeRunStageStatus (initialization.go) would: every scheduled member in exactly one stage
    (a stage's label selector matches members; none when it has no selector), and, in a stage with
    a sortingLabelKey, that label an integer on each of its members (strconv.Atoi; a missing one
    is ""). Call it once the placements are scheduled (wait_until_scheduled)."""
    runs = list(runs)
    if not runs:
        return
    labels = {
        str((m.get("metadata") or {}).get("name")): dict((m.get("metadata") or {}).get("labels") or {})
        for m in kube.list(CLUSTER_V1, MEMBER)
    }
    for run in runs:
        namespace = (run.get("metadata") or {}).get("namespace")
        spec = run.get("spec") or {}
        name, strategy_name = str(spec.get("placementName")), str(spec.get("stagedRolloutStrategyName"))
        placement = kube.get(PLACEMENT_V1, RP if namespace else CRP, name, namespace) or {}
        strategy = kube.get(PLACEMENT_V1, SUS if namespace else CSUS, strategy_name, namespace) or {}
        scheduled = set(_scheduled(placement))
        placed: dict[str, str] = {}
        for stage in (strategy.get("spec") or {}).get("stages") or []:
            selector, sort_key = stage.get("labelSelector"), stage.get("sortingLabelKey")
            for member in sorted(scheduled & labels.keys()):
                if selector is None or not label_selector_matches(selector, labels[member]):
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
                f"placement {name} is scheduled on {', '.join(left)}, which no stage of strategy {strategy_name} "
                "selects: the run would fail",
                hint="give them a stage: a stage's labels= selects its members (without labels= it takes every "
                "member, those of other stages too)",
            )
