"""Stage specifications shared by hub staged update strategies and ARM fleet update strategies.

One ``--stage`` value describes one stage:

    NAME[;labels=SELECTOR][;groups=G1,G2][;sort=LABELKEY][;max=N|P%]
        [;before=approval][;after=approval][;after=wait:DURATION]

Hub strategies (ClusterStagedUpdateStrategy) pick members by ``labels`` and order them by
``sort``; ARM strategies (fleetUpdateStrategies) pick update ``groups``. ``before`` and ``after``
add approval gates; ``after=wait:1h`` waits before the next stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from akscli import validate
from akscli.errors import UsageError
from akscli.fleet import selectors
from akscli.kube import label_selector
from akscli.kube.selectors import SelectorError

_FORM = (
    "use NAME[;labels=SELECTOR][;groups=G1,G2][;sort=LABELKEY][;max=N|P%]"
    "[;before=approval][;after=approval|wait:DURATION], e.g. "
    "'canary;labels=env=canary;max=1;after=approval'"
)


# The names the Fleet API takes for a member, an update run, a strategy, an auto-upgrade profile, an
# update group and a stage: a DNS label of at most 50, not Kubernetes' 63 (upstream:
# Azure/azure-rest-api-specs 1dd9b4ac specification/containerservice/resource-manager/
# Microsoft.ContainerService/fleet/stable/2026-06-01/fleets.json: the fleetMemberName, updateRunName,
# updateStrategyName and autoUpgradeProfileName path parameters, FleetMemberProperties.group,
# FleetMemberUpdateProperties.group, UpdateStage.name, UpdateGroup.name: minLength 1, maxLength 50,
# ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$). A longer one is refused here, before anything is sent, rather
# than by Azure after the sign-in (and, for a join, after the cluster was read).
ARM_NAME_MAX = 50

# UpdateStage.afterStageWaitInSeconds is an int32 (fleets.json 2026-06-01, same commit: "type":
# "integer", "format": "int32", no other bound). after=wait: is a duration of under a year
# (validate.MAX_DURATION), well inside it; the bound is checked where the body is built all the same,
# so that the body never carries what the field cannot hold.
INT32_MAX = 2**31 - 1


def child_name(value: str, what: str) -> str:
    """A name the Fleet API limits to ARM_NAME_MAX characters (validate.name with that bound). A longer
    one is refused on a read or delete too: no such resource can exist."""
    try:
        return validate.name(value, what, max_len=ARM_NAME_MAX)
    except UsageError as exc:
        if isinstance(value, str) and len(value) > ARM_NAME_MAX:
            exc.hint = f"the Fleet API's names are at most {ARM_NAME_MAX} characters; shorten it"
        raise


@dataclass
class StageSpec:
    name: str
    labels: str | None = None
    groups: list[str] = field(default_factory=list)
    sort: str | None = None
    max_concurrency: int | str | None = None
    before_approval: bool = False
    after_approval: bool = False
    after_wait_seconds: int | None = None


def parse_stage(text: str) -> StageSpec:
    parts = [p.strip() for p in text.split(";")]
    if not parts or not parts[0]:
        raise UsageError(f"invalid --stage {text!r}: it has no stage name", hint=_FORM)
    spec = StageSpec(name=validate.name(parts[0], "stage name"))
    for part in parts[1:]:
        if not part:
            continue
        key, eq, value = part.partition("=")
        if not eq:
            raise UsageError(f"invalid --stage {text!r}: {part!r} is not key=value", hint=_FORM)
        key = key.strip().lower()
        if key == "labels":
            selectors.label_selector(value, f"labels of stage {spec.name}")
            spec.labels = value
        elif key == "groups":
            spec.groups = [validate.name(g.strip(), "update group name") for g in value.split(",") if g.strip()]
        elif key == "sort":
            spec.sort = validate.label_key(value, f"sort label of stage {spec.name}")
        elif key == "max":
            if value.endswith("%"):
                percent = validate.percent(value, f"max of stage {spec.name}", 1, 100)
                # written as the CRD's pattern takes it, ^(100|[1-9][0-9]?)%$: no leading zero
                spec.max_concurrency = f"{percent}%"
            else:
                spec.max_concurrency = validate.integer(value, f"max of stage {spec.name}", 1, 10000)
        elif key == "before":
            validate.choice(value, ["approval"], f"before task of stage {spec.name}")
            spec.before_approval = True
        elif key == "after":
            if value.lower() == "approval":
                spec.after_approval = True
            elif value.lower().startswith("wait:"):
                seconds = validate.duration(value[5:], f"wait after stage {spec.name}")
                if seconds <= 0 or seconds != int(seconds):
                    raise UsageError(
                        f"invalid wait after stage {spec.name}: {value[5:]!r}",
                        hint="use whole seconds, minutes or hours, e.g. wait:30m",
                    )
                spec.after_wait_seconds = int(seconds)
            else:
                raise UsageError(
                    f"invalid --stage {text!r}: after={value!r}",
                    hint="use after=approval or after=wait:DURATION (e.g. wait:1h)",
                )
        else:
            raise UsageError(f"invalid --stage {text!r}: unknown key {key!r}", hint=_FORM)
    return spec


def parse_stages(texts: list[str]) -> list[StageSpec]:
    if not texts:
        raise UsageError("a strategy needs at least one --stage", hint=_FORM)
    specs = [parse_stage(t) for t in texts]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise UsageError("two stages have the same name", hint="give each --stage its own name")
    return specs


def _go_duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "") + (f"{secs}s" if secs else "")
    return text or "0s"


# What the hub's CRD takes (upstream: kubefleet-dev/kubefleet e160c1cd
# apis/placement/v1beta1/stageupdate_types.go, StageConfig and UpdateStrategySpec): a stage name of
# lower-case letters and digits only, at most 63 long; at most 31 stages.
HUB_STAGE_NAME = re.compile(r"^[a-z0-9]{1,63}$")
HUB_MAX_STAGES = 31


def hub_stages(specs: list[StageSpec]) -> list[dict[str, Any]]:
    """``spec.stages`` of a (Cluster)StagedUpdateStrategy."""
    if len(specs) > HUB_MAX_STAGES:
        raise UsageError(
            f"a hub strategy has at most {HUB_MAX_STAGES} stages, not {len(specs)}",
            hint="put more members in each stage (labels=SELECTOR) and use max=N to pace them",
        )
    stages: list[dict[str, Any]] = []
    for spec in specs:
        if not HUB_STAGE_NAME.match(spec.name):
            raise UsageError(
                f"invalid hub stage name {spec.name!r}: the hub takes lower-case letters and digits only",
                hint=f"for example {re.sub(r'[^a-z0-9]', '', spec.name) or 'canary'} (no '-')",
            )
        if spec.groups:
            raise UsageError(
                f"stage {spec.name}: groups= is for ARM update strategies (--fleet)",
                hint="on the hub, choose members with labels=SELECTOR",
            )
        stage: dict[str, Any] = {
            "name": spec.name,
            "labelSelector": selectors.label_selector(spec.labels, "stage labels") if spec.labels else {},
        }
        if spec.sort:
            stage["sortingLabelKey"] = spec.sort
        if spec.max_concurrency is not None:
            stage["maxConcurrency"] = spec.max_concurrency
        if spec.before_approval:
            stage["beforeStageTasks"] = [{"type": "Approval"}]
        after: list[dict[str, Any]] = []
        if spec.after_approval:
            after.append({"type": "Approval"})
        if spec.after_wait_seconds:
            after.append({"type": "TimedWait", "waitTime": _go_duration(spec.after_wait_seconds)})
        if after:
            stage["afterStageTasks"] = after
        stages.append(stage)
    return stages


def arm_stages(specs: list[StageSpec]) -> list[dict[str, Any]]:
    """``properties.strategy.stages`` of an ARM update run or fleetUpdateStrategy (REST shape)."""
    stages: list[dict[str, Any]] = []
    for spec in specs:
        if spec.labels or spec.sort:
            raise UsageError(
                f"stage {spec.name}: labels= and sort= are for hub strategies",
                hint="ARM stages list update groups: groups=G1,G2",
            )
        if not spec.groups:
            raise UsageError(
                f"stage {spec.name} lists no update groups",
                hint="add groups=G1,G2 (members join a group with --update-group)",
            )
        # Stage and group names of at most 50 (fleets.json 2026-06-01 UpdateStage.name, UpdateGroup.name)
        child_name(spec.name, "stage name")
        stage: dict[str, Any] = {
            "name": spec.name,
            "groups": [{"name": child_name(g, "update group name")} for g in spec.groups],
        }
        if spec.max_concurrency is not None:
            stage["maxConcurrency"] = str(spec.max_concurrency)
        if spec.after_wait_seconds:
            if spec.after_wait_seconds > INT32_MAX:
                raise UsageError(
                    f"invalid wait after stage {spec.name}: {spec.after_wait_seconds}s is more than the Fleet "
                    f"API's afterStageWaitInSeconds holds (an int32: at most {INT32_MAX}s)",
                    hint="use a shorter wait, e.g. wait:24h",
                )
            stage["afterStageWaitInSeconds"] = spec.after_wait_seconds
        if spec.before_approval:
            stage["beforeGates"] = [{"displayName": f"approve before {spec.name}", "type": "Approval"}]
        if spec.after_approval:
            stage["afterGates"] = [{"displayName": f"approve after {spec.name}", "type": "Approval"}]
        stages.append(stage)
    return stages


def hub_strategy_fields(strategy: dict[str, Any]) -> list[tuple[str, Any]]:
    """The fields ``fleet rollout strategy show`` prints as a table for a hub strategy: each
    stage with the members it picks, in order: its labelSelector written as -l takes it
    (LabelSelectorAsSelector(...).String(), akscli.kube.label_selector); {} is all members and
    no labelSelector none (kubefleet-dev/kubefleet apis/placement/v1beta1/stageupdate_types.go
    StageConfig.LabelSelector: "If the label selector is nil, the stage does not include any
    selected clusters")."""
    meta = strategy.get("metadata") or {}
    stages = (strategy.get("spec") or {}).get("stages") or []

    def stage(s: dict[str, Any]) -> str:
        selector = s.get("labelSelector")
        if selector is None:
            return f"{s.get('name')}: no members"
        try:
            picks = label_selector.selector_string(selector) or "all members"
        except SelectorError as exc:
            picks = f"a label selector KubeFleet cannot read ({exc.message})"
        return f"{s.get('name')}: {picks}{stage_steps(s)}"

    namespace = [("namespace", meta["namespace"])] if meta.get("namespace") else []
    return [("name", meta.get("name")), *namespace, ("stages", "; ".join(stage(s) for s in stages) or None)]


def stage_steps(stage: dict[str, Any]) -> str:
    """What a stage does beside picking members, as `` (sort KEY, max N, before approval, after
    wait 1h)`` for the show tables, or "": the hub's sortingLabelKey, maxConcurrency (shown when not
    the CRD's default 1), beforeStageTasks and afterStageTasks (Approval, TimedWait with its
    waitTime; kubefleet-dev/kubefleet apis/placement/v1beta1/stageupdate_types.go StageConfig), or
    ARM's maxConcurrency, beforeGates, afterGates and afterStageWaitInSeconds (fleets.json
    2026-06-01 UpdateStage). The --stage flag's gates and waits were not shown at all."""
    steps = [f"sort {stage['sortingLabelKey']}"] if stage.get("sortingLabelKey") else []
    limit = stage.get("maxConcurrency")
    if limit is not None and ("groups" in stage or limit not in (1, "1")):  # an ARM stage has groups
        steps.append(f"max {limit}")
    for when in ("before", "after"):
        for task in [*(stage.get(f"{when}StageTasks") or []), *(stage.get(f"{when}Gates") or [])]:
            wait = f"wait {task.get('waitTime')}" if task.get("type") == "TimedWait" else ""
            steps.append(f"{when} {wait or str(task.get('type') or '').lower()}")
    if stage.get("afterStageWaitInSeconds"):
        steps.append(f"after wait {stage['afterStageWaitInSeconds']}s")
    return f" ({', '.join(steps)})" if steps else ""


def stage_groups(stages: list[dict[str, Any]]) -> set[str]:
    return {str(g.get("name")) for s in stages for g in s.get("groups") or []}


def is_percent(value: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}%", value))
