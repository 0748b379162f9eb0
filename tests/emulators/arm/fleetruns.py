"""Fleet update runs as they progress, and the gates they create (Microsoft.ContainerService, 2026-06-01).

Where each behaviour comes from (Azure/azure-rest-api-specs unless named otherwise):

- The status tree and its shapes: the official examples UpdateRuns_CreateOrUpdate.json, UpdateRuns_Get.json,
  UpdateRuns_Start.json, UpdateRuns_Stop.json, UpdateRuns_Skip.json
  (specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/examples/2026-06-01/, copies
  in ../shared/data/arm-examples/fleet-2026-06-01/) and the TypeSpec models UpdateRunStatus, UpdateStageStatus,
  UpdateGroupStatus, MemberUpdateStatus, UpdateRunGateStatus, WaitStatus, UpdateStatus
  (.../fleet/update/run.tsp); field for field the azure-mgmt-containerservicefleet 4.0.0 (2026-06-01) models.
- Gates: Gates_Get.json and Gates_Update.json (same folder) and .../fleet/gate.tsp: a GUID name,
  ``target.id`` (the run) and ``target.updateRunProperties`` {name, stage, group, timing}, ``gateType``
  Approval, ``state`` Pending/Skipped/Completed; only PATCH (state) is public, "Gates are created by the
  Update Run during its processing"; the list takes ``$filter``, which the Azure CLI sends as
  ``state eq Pending`` (Azure/azure-cli-extensions src/fleet/azext_fleet/custom.py, list_gates_by_fleet).
- Progress: MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/concepts-update-orchestration.md
  (stages run in order, the groups of a stage in parallel, the members of a group one by one unless
  maxConcurrency says more; "Update run states": a group or stage is Pending while it has a Pending gate,
  the run is Pending while its current stage is; a group whose members are all skipped is Skipped; a
  stopped run stops tracking) and articles/kubernetes-fleet/update-strategies-gates-approvals.md (a gate is
  NotStarted without a gateId until the run reaches it, then Pending with its gateId; approving sets it
  Completed; gates of a skipped group or stage become Skipped; deleting the run deletes its gates).
- maxConcurrency resolution: the UpdateGroup / UpdateStage docs in .../fleet/update/common.tsp (a count or a
  percentage, rounded down, at least 1; a group's at most its size and the stage's; a group's default 1).

Not published, chosen here and said so in docs/changes: the after-stage gates and the after-stage wait
run side by side once the stage's groups are done, and the stage completes when both have (as KubeFleet's
hub runs do with afterStageTasks: kubefleet-dev/kubefleet pkg/controllers/updaterun/execution.go,
checkAfterStageTasksStatus); the default strategy's one stage and group are named ``default``.

Time: Azure moves a run on by itself. Here a run moves one step each time it is read (GET), so tests drive
it without sleeping: a step finishes the member updates that were running, then carries the run forward
as far as it goes without another member update (starting members, opening gates, starting waits,
completing groups and stages). Gates wait for their PATCH; the after-stage wait for the emulator's clock
(``emu.clock_offset`` moves it on).
"""

from __future__ import annotations

import calendar
import time
import uuid
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

GATE_TYPE = "Microsoft.ContainerService/fleets/gates"
DONE = ("Completed", "Skipped")
GATE_STATES = ("Pending", "Skipped", "Completed")
# The default strategy: "all members will be updated sequentially. The UpdateRun status will show a single
# UpdateStage and a single UpdateGroup targeting all members" (UpdateRunProperties.strategy, run.tsp).
DEFAULT_STRATEGY: dict[str, Any] = {"stages": [{"name": "default", "groups": [{"name": "default"}]}]}


def _now(emu: ArmEmulator) -> float:
    return time.time() + emu.clock_offset


def _stamp(emu: ArmEmulator) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_now(emu)))


def _state(item: dict[str, Any]) -> str:
    return str((item.get("status") or {}).get("state") or "NotStarted")


def _set(emu: ArmEmulator, item: dict[str, Any], state: str) -> None:
    """An UpdateStatus moves to ``state``: startTime when it starts, completedTime when it ends."""
    status = item.setdefault("status", {})
    status["state"] = state
    if state in ("Running", "Pending", "Stopping"):
        status.setdefault("startTime", _stamp(emu))
    if state in ("Completed", "Stopped", "Failed"):
        status["completedTime"] = _stamp(emu)


# ---- the status tree a new run starts with -----------------------------------------------------


def _resolve(value: Any, of: int, default: int | None) -> int | None:
    """A maxConcurrency ("3" or "25%") as the number of members it allows at once."""
    if value in (None, ""):
        return default
    text = str(value)
    count = of * int(text[:-1]) // 100 if text.endswith("%") else int(text)
    return max(1, count)


def _gate_statuses(gates: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [{"displayName": g.get("displayName", ""), "status": {"state": "NotStarted"}} for g in gates or []]


def skeleton(strategy: dict[str, Any], members: list[dict[str, Any]], *, all_members: bool) -> dict[str, Any]:
    """``properties.status`` of a run not yet started (UpdateRuns_CreateOrUpdate.json's shape)."""
    stages = []
    for spec in strategy.get("stages") or []:
        groups = []
        for gspec in spec.get("groups") or []:
            chosen = [m for m in members if all_members or (m["properties"].get("group") or "") == gspec["name"]]
            group: dict[str, Any] = {"status": {"state": "NotStarted"}, "name": gspec["name"]}
            # "The max value is min(number of clusters in the group, the stage maxConcurrency)".
            group["maxConcurrency"] = min(_resolve(gspec.get("maxConcurrency"), len(chosen), 1) or 1, len(chosen) or 1)
            group["members"] = [
                {
                    "status": {"state": "NotStarted"},
                    "name": m["name"],
                    "clusterResourceId": m["properties"].get("clusterResourceId"),
                }
                for m in sorted(chosen, key=lambda m: str(m["name"]))
            ]
            for key in ("beforeGates", "afterGates"):
                if gspec.get(key):
                    group[key] = _gate_statuses(gspec[key])
            groups.append(group)
        stage: dict[str, Any] = {"status": {"state": "NotStarted"}, "name": spec["name"]}
        total = sum(len(g["members"]) for g in groups)
        stage_max = _resolve(spec.get("maxConcurrency"), total, None)
        if stage_max is not None:
            stage["maxConcurrency"] = stage_max
            for group in groups:
                group["maxConcurrency"] = min(group["maxConcurrency"], stage_max)
        stage["groups"] = groups
        for key in ("beforeGates", "afterGates"):
            if spec.get(key):
                stage[key] = _gate_statuses(spec[key])
        if spec.get("afterStageWaitInSeconds"):
            stage["afterStageWaitStatus"] = {
                "status": {"state": "NotStarted"},
                "waitDurationInSeconds": int(spec["afterStageWaitInSeconds"]),
            }
        stages.append(stage)
    return {"status": {"state": "NotStarted"}, "stages": stages}


# ---- gates ---------------------------------------------------------------------------------------


def _fleet_of(run_id: str) -> str:
    return run_id.rsplit("/", 2)[0]


def _open_gates(
    emu: ArmEmulator, run: dict[str, Any], holder: dict[str, Any], key: str, timing: str, stage: str, group: str | None
) -> None:
    """The run reaches these gates: each becomes a Gate resource, Pending, and its status in the run
    gets the gateId (Gates_Get.json; update-strategies-gates-approvals.md)."""
    for i, gate in enumerate(holder.get(key) or []):
        if gate.get("gateId") or _state(gate) != "NotStarted":
            continue
        name = str(uuid.uuid4())
        gate_id = f"{_fleet_of(run['id'])}/gates/{name}"
        target: dict[str, Any] = {"name": run["name"], "stage": stage}
        if group is not None:
            target["group"] = group
        target["timing"] = timing
        # Who the gate is recorded as created by: the one who started the run (not published).
        who = run.get("systemData") or {}
        by = {"By": who.get("lastModifiedBy", ""), "ByType": who.get("lastModifiedByType", "User")}
        stamp = _stamp(emu)
        emu.put_resource(
            gate_id,
            {
                "systemData": {
                    **{f"{when}{k}": v for when in ("created", "lastModified") for k, v in by.items()},
                    "createdAt": stamp,
                    "lastModifiedAt": stamp,
                },
                "eTag": f'"{time.time_ns():x}"',
                "properties": {
                    "provisioningState": "Succeeded",
                    "displayName": gate.get("displayName", ""),
                    "target": {"id": run["id"], "updateRunProperties": target},
                    "gateType": "Approval",
                    "state": "Pending",
                },
            },
        )
        holder[key][i] = {"displayName": gate.get("displayName", ""), "gateId": gate_id, "status": gate["status"]}
        _set(emu, holder[key][i], "Pending")


def _gates_passed(emu: ArmEmulator, holder: dict[str, Any], key: str) -> bool:
    """Reads each opened gate's resource into the run; True when none is left to wait for."""
    passed = True
    for gate in holder.get(key) or []:
        if _state(gate) in DONE:
            continue
        found = emu.get_resource(gate["gateId"]) if gate.get("gateId") else None
        state = ((found or {}).get("properties") or {}).get("state")
        if state in DONE:
            _set(emu, gate, str(state))
        else:
            passed = False
    return passed


def _skip_gates(emu: ArmEmulator, holder: dict[str, Any]) -> None:
    """ "If a group or stage is skipped, then all gates within that group or stage automatically move to
    Skipped state" (update-strategies-gates-approvals.md), the gate resources with them."""
    for key in ("beforeGates", "afterGates"):
        for gate in holder.get(key) or []:
            if _state(gate) in DONE:
                continue
            _set(emu, gate, "Skipped")
            if gate.get("gateId"):
                emu.update_resource(gate["gateId"], lambda g: g["properties"].update(state="Skipped"))


def filter_gates(emu: ArmEmulator, items: list[dict[str, Any]], query: dict[str, list[str]]) -> list[dict[str, Any]]:
    """``$filter=state eq Pending`` on the gates list, the form the Azure CLI sends (fleet gate list
    --state). The emulator knows no other filter and says so rather than ignoring it."""
    text = (query.get("$filter") or [""])[0].strip()
    if not text:
        return items
    words = text.split()
    if len(words) != 3 or words[0] != "state" or words[1] != "eq" or words[2].strip("'") not in GATE_STATES:
        raise ArmError(400, "BadRequest", f"Unsupported $filter '{text}': use state eq Pending|Skipped|Completed.")
    wanted = words[2].strip("'")
    return [g for g in items if (g.get("properties") or {}).get("state") == wanted]


def delete_gates_of(emu: ArmEmulator, run_id: str, _run: dict[str, Any]) -> None:
    """Deleting an update run deletes all its gates (update-strategies-gates-approvals.md, "Cleaning up")."""
    for gate in emu.list_resources(GATE_TYPE, _fleet_of(run_id)):
        target = ((gate.get("properties") or {}).get("target") or {}).get("id") or ""
        if target.lower() == run_id.lower():
            emu.delete_resource(gate["id"])


# ---- progress ------------------------------------------------------------------------------------


def _members(status: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for st in status.get("stages") or [] for g in st.get("groups") or [] for m in g.get("members") or []]


def _group_step(
    emu: ArmEmulator, run: dict[str, Any], stage: dict[str, Any], group: dict[str, Any], budget: list[int]
) -> None:
    if _state(group) in DONE:
        return
    if _state(group) == "NotStarted":
        _set(emu, group, "Running")
        _open_gates(emu, run, group, "beforeGates", "Before", stage["name"], group["name"])
    if not _gates_passed(emu, group, "beforeGates"):
        _set(emu, group, "Pending")
        return
    members = group.get("members") or []
    free = min(int(group.get("maxConcurrency") or 1) - sum(_state(m) == "Running" for m in members), budget[0])
    for member in [m for m in members if _state(m) == "NotStarted"]:
        if free <= 0:
            break
        if _at_target(emu, run, member):
            _set(emu, member, "Skipped")
            continue
        _set(emu, member, "Running")
        free -= 1
        budget[0] -= 1
    if any(_state(m) in ("Running", "NotStarted") for m in members):
        _set(emu, group, "Running")
        return
    if any(_state(m) == "Pending" for m in members):
        # "If all members are Pending, the group moves to Pending state" (concepts-update-orchestration.md)
        _set(emu, group, "Pending")
        return
    if members and all(_state(m) == "Skipped" for m in members):
        _set(emu, group, "Skipped")
        _skip_gates(emu, group)
        return
    _open_gates(emu, run, group, "afterGates", "After", stage["name"], group["name"])
    _set(emu, group, "Completed" if _gates_passed(emu, group, "afterGates") else "Pending")


def _upgrade(run: dict[str, Any]) -> tuple[str, str | None]:
    upgrade = (run["properties"].get("managedClusterUpdate") or {}).get("upgrade") or {}
    return str(upgrade.get("type") or ""), upgrade.get("kubernetesVersion")


def _at_target(emu: ArmEmulator, run: dict[str, Any], member: dict[str, Any]) -> bool:
    """A member "already at the target Kubernetes version (if update run mode is Full or ControlPlaneOnly)"
    is Skipped by the system (concepts-update-orchestration.md, "Skipped")."""
    kind, version = _upgrade(run)
    cluster = emu.get_resource(str(member.get("clusterResourceId") or "")) if version else None
    current = ((cluster or {}).get("properties") or {}).get("currentKubernetesVersion")
    return kind in ("Full", "ControlPlaneOnly") and current is not None and current == version


def _upgrade_member(emu: ArmEmulator, run: dict[str, Any], member: dict[str, Any]) -> dict[str, str] | None:
    """A member update that completes has upgraded its AKS cluster: the control plane for Full and
    ControlPlaneOnly, the agent pools too for Full (ManagedClusterUpgradeType, run.tsp). Node images are
    not modelled (the emulator has no image catalogue). An upgrade AKS refuses (a minor version skipped,
    a version the region does not offer) is the member's error, and nothing changes."""
    from tests.emulators.arm.aksrules import upgrade_not_allowed

    kind, version = _upgrade(run)
    cluster_id = str(member.get("clusterResourceId") or "")
    cluster = emu.get_resource(cluster_id)
    if kind not in ("Full", "ControlPlaneOnly") or not version or cluster is None:
        return None
    try:
        refusal = upgrade_not_allowed(str(cluster["properties"].get("currentKubernetesVersion")), version)
    except ArmError as exc:
        return {"code": exc.code, "message": str(exc)}
    if refusal:
        return {"code": "OperationNotAllowed", "message": refusal}
    emu.update_resource(
        cluster_id, lambda c: c["properties"].update(kubernetesVersion=version, currentKubernetesVersion=version)
    )
    if kind == "Full":
        for pool in emu.list_resources("Microsoft.ContainerService/managedClusters/agentPools", cluster_id):
            emu.update_resource(
                pool["id"],
                lambda p: p["properties"].update(orchestratorVersion=version, currentOrchestratorVersion=version),
            )
    return None


def _fail(emu: ArmEmulator, status: dict[str, Any], member: dict[str, Any], error: dict[str, str]) -> None:
    """upstream: MicrosoftDocs/azure-aks-docs 007ea825 articles/kubernetes-fleet/concepts-update-orchestration.md,
    "Failed": a failure to upgrade a cluster "Marks the MemberUpdateStatus as Failed on the member cluster",
    "Marks all parents (group -> stage -> run) as Failed with a summary error message" and "Stops the update
    run from progressing any further" (UpdateStatus.error, an ErrorDetail: run.tsp)."""
    member["status"]["error"] = error
    _set(emu, member, "Failed")
    summary = {"code": "UpgradeFailed", "message": f"The upgrade of member {member['name']} failed: {error['message']}"}
    for stage in status.get("stages") or []:
        for group in stage.get("groups") or []:
            if member in (group.get("members") or []):
                for parent in (group, stage, status):
                    _set(emu, parent, "Failed")
                    parent["status"]["error"] = summary


def _stage_step(emu: ArmEmulator, run: dict[str, Any], stage: dict[str, Any]) -> None:
    if _state(stage) == "NotStarted":
        _set(emu, stage, "Running")
        _open_gates(emu, run, stage, "beforeGates", "Before", stage["name"], None)
    if not _gates_passed(emu, stage, "beforeGates"):
        _set(emu, stage, "Pending")
        return
    groups = stage.get("groups") or []
    limit = stage.get("maxConcurrency")
    in_flight = sum(1 for g in groups for m in g.get("members") or [] if _state(m) == "Running")
    budget = [int(limit) - in_flight if limit else 10**9]
    for group in groups:
        _group_step(emu, run, stage, group, budget)
    if any(_state(g) not in DONE for g in groups):
        # "A stage is Pending if all update groups in the stage are Pending or not started".
        idle = all(_state(g) in ("Pending", "NotStarted", *DONE) for g in groups)
        _set(emu, stage, "Pending" if idle else "Running")
        return
    if groups and all(_state(g) == "Skipped" for g in groups):
        _skip_stage(emu, stage)
        return
    _open_gates(emu, run, stage, "afterGates", "After", stage["name"], None)
    wait = stage.get("afterStageWaitStatus")
    if wait is not None and _state(wait) == "NotStarted":
        _set(emu, wait, "Running")
    if wait is not None and _state(wait) == "Running":
        started = calendar.timegm(time.strptime(wait["status"]["startTime"], "%Y-%m-%dT%H:%M:%SZ"))
        if _now(emu) - started >= int(wait.get("waitDurationInSeconds") or 0):
            _set(emu, wait, "Completed")
    if not _gates_passed(emu, stage, "afterGates"):
        _set(emu, stage, "Pending")
    elif wait is not None and _state(wait) not in DONE:
        _set(emu, stage, "Running")
    else:
        _set(emu, stage, "Completed")


def _skip_stage(emu: ArmEmulator, stage: dict[str, Any]) -> None:
    _set(emu, stage, "Skipped")
    _skip_gates(emu, stage)
    if stage.get("afterStageWaitStatus") and _state(stage["afterStageWaitStatus"]) not in DONE:
        _set(emu, stage["afterStageWaitStatus"], "Skipped")


def _progress(emu: ArmEmulator, run: dict[str, Any]) -> None:
    """Carry the run forward as far as it goes without another member update finishing."""
    status = run["properties"]["status"]
    outcome = "Completed"
    for stage in status.get("stages") or []:
        if _state(stage) in DONE:
            continue
        _stage_step(emu, run, stage)
        if _state(stage) in DONE:
            continue
        # "A run is in Pending state if the current stage is in Pending state."
        outcome = "Pending" if _state(stage) == "Pending" else "Running"
        break
    stages = status.get("stages") or []
    if outcome == "Completed" and stages and all(_state(st) == "Skipped" for st in stages):
        outcome = "Skipped"  # "All stages were detected as Skipped by the system"
    _set(emu, status, outcome)


def tick(emu: ArmEmulator, run_id: str, _run: dict[str, Any] | None = None) -> None:
    """One step of time for a run: Stopping ends Stopped; running member updates complete, then the run
    goes on as far as it can."""

    def step(run: dict[str, Any]) -> None:
        status = run["properties"].get("status") or {}
        state = _state(status)
        if state == "Stopping":
            for item in _all_items(status):
                if _state(item) == "Stopping":
                    _set(emu, item, "Stopped")
            _set(emu, status, "Stopped")
            return
        if state not in ("Running", "Pending"):
            return
        for member in _members(status):
            if _state(member) == "Running":
                error = _upgrade_member(emu, run, member)
                if error is not None and error["code"] == "VersionNotSupported":
                    # "Pending": "Target Kubernetes version isn't yet available in the member's Azure
                    # region. Message links to the AKS release tracker" (concepts-update-orchestration.md).
                    _set(emu, member, "Pending")
                    member["message"] = (
                        f"Kubernetes version {_upgrade(run)[1]} is not yet available in the member's region; "
                        "see the AKS release tracker: https://releases.aks.azure.com"
                    )
                    continue
                if error is not None:
                    _fail(emu, status, member, error)
                    return
                _set(emu, member, "Completed")
        _progress(emu, run)

    emu.update_resource(run_id, step)


def _all_items(status: dict[str, Any]) -> list[dict[str, Any]]:
    """Every stage, group and member (the things that carry an UpdateStatus and can be stopped)."""
    items: list[dict[str, Any]] = []
    for stage in status.get("stages") or []:
        items.append(stage)
        for group in stage.get("groups") or []:
            items.append(group)
            items.extend(group.get("members") or [])
    return items


# The actions (start, stop, skip) are in fleetrun_actions.py, a pure move (upstream: Azure/azure-rest-api-specs
# Microsoft.ContainerService/fleet/examples/2026-06-01 UpdateRuns_Start.json, UpdateRuns_Stop.json,
# UpdateRuns_Skip.json).
