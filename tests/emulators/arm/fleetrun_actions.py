"""The actions on a fleet update run: start, stop and skip (moved out of fleetruns.py, whose
docstring names the upstream of each behaviour): POST .../updateRuns/NAME/start, /stop and /skip as
the official examples UpdateRuns_Start.json, UpdateRuns_Stop.json and UpdateRuns_Skip.json answer
them (Azure/azure-rest-api-specs specification/containerservice/resource-manager/
Microsoft.ContainerService/fleet/examples/2026-06-01/)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.emulators.arm.fleetruns import (
    DONE,
    _all_items,
    _members,
    _progress,
    _set,
    _skip_gates,
    _skip_stage,
    _state,
)
from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator


def check_start(emu: ArmEmulator, run_id: str, run: dict[str, Any], body: dict[str, Any] | None) -> None:
    state = _state(run["properties"].get("status") or {})
    if state not in ("NotStarted", "Stopped", "Failed"):
        raise ArmError(409, "Conflict", f"The update run is {state}; it cannot be started.")


def start(emu: ArmEmulator, run_id: str, run: dict[str, Any], body: dict[str, Any] | None) -> dict[str, Any]:
    """The run starts (or resumes after a stop): what was stopped is taken up again, and the run goes as far
    as it can (UpdateRuns_Start.json: run, stage, group and member Running)."""

    def begin(obj: dict[str, Any]) -> None:
        status = obj["properties"].setdefault("status", {"status": {}, "stages": []})
        for item in _all_items(status):
            if _state(item) in ("Stopped", "Failed"):
                item["status"] = {"state": "NotStarted"}
        status["status"] = {"state": "NotStarted"}
        _set(emu, status, "Running")
        _select_node_images(emu, obj)
        _progress(emu, obj)

    emu.update_resource(run_id, begin)
    return emu.get_resource(run_id) or run


def _select_node_images(emu: ArmEmulator, run: dict[str, Any]) -> None:
    """``status.nodeImageSelection``, "only set in update run when NodeImageSelection.type is Consistent"
    (UpdateRunStatus, run.tsp): the image versions chosen for every member's pools when the run starts. Azure
    picks the latest version common to the members' regions; the emulator has no image catalogue, so it picks
    the versions the members' pools report (nodeImageVersion)."""
    selection = (run["properties"].get("managedClusterUpdate") or {}).get("nodeImageSelection") or {}
    if selection.get("type") != "Consistent":
        return
    versions = set()
    for member in _members(run["properties"]["status"]):
        pools = emu.list_resources("Microsoft.ContainerService/managedClusters/agentPools", member["clusterResourceId"])
        versions |= {str(p["properties"]["nodeImageVersion"]) for p in pools if p["properties"].get("nodeImageVersion")}
    status = run["properties"]["status"]
    status["nodeImageSelection"] = {"selectedNodeImageVersions": [{"version": v} for v in sorted(versions)]}


def stop(emu: ArmEmulator, run_id: str, run: dict[str, Any], body: dict[str, Any] | None) -> dict[str, Any]:
    """What runs or waits moves to Stopping (UpdateRuns_Stop.json); the next step makes it Stopped. Member
    upgrades already under way are not aborted in AKS (concepts-update-orchestration.md, "Stopped")."""

    def halt(obj: dict[str, Any]) -> None:
        status = obj["properties"].get("status") or {}
        if _state(status) not in ("Running", "Pending"):
            return
        for item in _all_items(status):
            if _state(item) in ("Running", "Pending"):
                _set(emu, item, "Stopping")
        _set(emu, status, "Stopping")

    emu.update_resource(run_id, halt)
    return emu.get_resource(run_id) or run


def check_skip(emu: ArmEmulator, run_id: str, run: dict[str, Any], body: dict[str, Any] | None) -> None:
    """The body is a SkipProperties (upstream: Azure/azure-rest-api-specs specification/containerservice/
    resource-manager/Microsoft.ContainerService/fleet/run.tsp, UpdateRuns_Skip; as
    azure-mgmt-containerservicefleet 4.0.0 ships it for 2026-06-01): its properties and enum values."""
    from tests.emulators.arm import schema

    # The route hands actions their query string as "__query__" beside the body (routes.py).
    schema.check(schema.fleet_models(), "SkipProperties", {k: v for k, v in (body or {}).items() if k != "__query__"})
    if not (body or {}).get("targets"):
        raise ArmError(400, "InvalidParameter", "targets must name at least one item to skip.")


def skip(emu: ArmEmulator, run_id: str, run: dict[str, Any], body: dict[str, Any] | None) -> dict[str, Any]:
    """Skip members, groups, stages (with their gates and wait) or an after-stage wait
    (SkipTarget in run.tsp; UpdateRuns_Skip.json: the skipped member's group ends Skipped)."""
    targets = [(t.get("type"), t.get("name")) for t in (body or {}).get("targets") or []]

    def apply(obj: dict[str, Any]) -> None:
        status = obj["properties"].get("status") or {}
        for stage in status.get("stages") or []:
            if ("Stage", stage["name"]) in targets:
                for group in stage.get("groups") or []:
                    _skip_group(emu, group)
                _skip_stage(emu, stage)
                continue
            wait = stage.get("afterStageWaitStatus")
            if ("AfterStageWait", stage["name"]) in targets and wait and _state(wait) not in DONE:
                _set(emu, wait, "Skipped")
            for group in stage.get("groups") or []:
                if ("Group", group["name"]) in targets:
                    _skip_group(emu, group)
                for member in group.get("members") or []:
                    if ("Member", member["name"]) in targets and _state(member) not in DONE:
                        _set(emu, member, "Skipped")
        if _state(status) in ("Running", "Pending"):
            _progress(emu, obj)

    emu.update_resource(run_id, apply)
    return emu.get_resource(run_id) or run


def _skip_group(emu: ArmEmulator, group: dict[str, Any]) -> None:
    if _state(group) in DONE:
        return
    for member in group.get("members") or []:
        if _state(member) not in DONE:
            _set(emu, member, "Skipped")
    _set(emu, group, "Skipped")
    _skip_gates(emu, group)
