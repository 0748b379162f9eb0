"""The ARM emulator's Fleet update runs, through the official SDK: their progress and their shapes.

Every field the emulator writes into a run's status or a gate must be one the official examples show
(../shared/data/arm-examples/fleet-2026-06-01) at that place, or a field of the same object's model in the
2026-06-01 spec (Azure/azure-rest-api-specs .../fleet/update/run.tsp: UpdateStatus, UpdateRunGateStatus).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli.azure import arm
from tests.emulators.arm import DEFAULT_SUBSCRIPTION, ArmEmulator

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "arm-examples" / "fleet-2026-06-01"
SUB = f"/subscriptions/{DEFAULT_SUBSCRIPTION}"
FLEET = f"{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets/fleet1"
# UpdateStatus (run.tsp): startTime, completedTime, state, error; UpdateRunGateStatus adds gateId.
UPDATE_STATUS = ("startTime", "completedTime", "state")
NODE_IMAGE = {"upgrade": {"type": "NodeImageOnly"}, "nodeImageSelection": {"type": "Latest"}}


def _client() -> Any:
    from azure.mgmt.containerservicefleet import ContainerServiceFleetMgmtClient

    return arm.management_client(ContainerServiceFleetMgmtClient, arm.AzureTarget())


def _world(emu: ArmEmulator, members: dict[str, str]) -> Any:
    emu.put_resource(FLEET, {"location": "eastus"})
    for name, group in members.items():
        cluster = f"{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/{name}"
        emu.put_resource(f"{FLEET}/members/{name}", {"properties": {"clusterResourceId": cluster, "group": group}})
    return _client()


def _run(c: Any, props: dict[str, Any], name: str = "run1") -> dict[str, Any]:
    arm.wait_lro(c.update_runs.begin_create_or_update("rg1", "fleet1", name, {"properties": props}), "create")
    return dict(arm.wait_lro(c.update_runs.begin_start("rg1", "fleet1", name), "start").as_dict())


def _get(c: Any, name: str = "run1") -> dict[str, Any]:
    return dict(c.update_runs.get("rg1", "fleet1", name).as_dict())


def _paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value, list positions written ``[]``."""
    if isinstance(value, dict):
        out = set()
        for key, item in value.items():
            out |= {f"{prefix}.{key}"} | _paths(item, f"{prefix}.{key}")
        return out
    if isinstance(value, list):
        return set().union(*(_paths(item, f"{prefix}[]") for item in value)) if value else set()
    return set()


def _example_paths(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in EXAMPLES.glob(pattern):
        for response in json.loads(path.read_text())["responses"].values():
            if "body" in response:
                found |= _paths(response["body"])
    return found


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="../shared/data/arm-examples is not beside the checkout")
def test_run_status_and_gates_carry_only_fields_of_the_official_examples(azure_env: ArmEmulator) -> None:
    example = json.loads((EXAMPLES / "UpdateRuns_CreateOrUpdate.json").read_text())["parameters"]["resource"]
    c = _world(azure_env, {"member-one": "group-a"})
    props = {"strategy": example["properties"]["strategy"], "managedClusterUpdate": NODE_IMAGE}
    seen = _paths(_run(c, props))
    for _ in range(8):  # through every gate of the example's strategy
        seen |= _paths(_get(c))
        for gate in c.gates.list_by_fleet("rg1", "fleet1", filter="state eq Pending"):
            arm.wait_lro(c.gates.begin_update("rg1", "fleet1", gate.name, {"properties": {"state": "Completed"}}), "ok")
    azure_env.clock_offset = 3600.0
    seen |= _paths(_get(c))
    assert _get(c)["properties"]["status"]["status"]["state"] == "Completed"
    allowed = _example_paths("UpdateRuns_*.json")
    # Where the examples show an UpdateStatus or a gate's status, the spec's models allow all their fields.
    allowed |= {p[: -len("state")] + f for p in allowed if p.endswith("status.state") for f in UPDATE_STATUS}
    allowed |= {p[: -len("displayName")] + "gateId" for p in allowed if p.endswith("Gates[].displayName")}
    assert seen - allowed == set()
    gates = [g.as_dict() for g in c.gates.list_by_fleet("rg1", "fleet1")]
    assert len(gates) == 4  # before and after stage1, before and after group-a
    assert set().union(*(_paths(g) for g in gates)) <= _example_paths("Gates_*.json")


def test_groups_of_a_stage_run_side_by_side_and_a_group_gate_holds_only_its_group(azure_env: ArmEmulator) -> None:
    c = _world(azure_env, {"m1": "a", "m2": "b"})
    gate = [{"displayName": "check a", "type": "Approval"}]
    strategy = {"stages": [{"name": "s", "groups": [{"name": "a", "beforeGates": gate}, {"name": "b"}]}]}
    started = _run(c, {"strategy": strategy, "managedClusterUpdate": NODE_IMAGE})
    stage = started["properties"]["status"]["stages"][0]
    a, b = stage["groups"]
    assert a["status"]["state"] == "Pending"
    assert a["members"][0]["status"]["state"] == "NotStarted"
    assert b["status"]["state"] == "Running"
    assert b["members"][0]["status"]["state"] == "Running"
    assert stage["status"]["state"] == "Running"
    [pending] = [g.as_dict() for g in c.gates.list_by_fleet("rg1", "fleet1")]
    assert pending["properties"]["target"]["updateRunProperties"] == {
        "name": "run1",
        "stage": "s",
        "group": "a",
        "timing": "Before",
    }
    assert a["beforeGates"][0]["gateId"] == pending["id"]


def test_a_group_runs_as_many_members_at_once_as_its_max_concurrency(azure_env: ArmEmulator) -> None:
    c = _world(azure_env, {"m1": "a", "m2": "a", "m3": "a"})
    strategy = {"stages": [{"name": "s", "groups": [{"name": "a", "maxConcurrency": "2"}]}]}
    started = _run(c, {"strategy": strategy, "managedClusterUpdate": NODE_IMAGE})
    group = started["properties"]["status"]["stages"][0]["groups"][0]
    assert group["maxConcurrency"] == 2
    assert [m["status"]["state"] for m in group["members"]] == ["Running", "Running", "NotStarted"]
    group = _get(c)["properties"]["status"]["stages"][0]["groups"][0]
    assert [m["status"]["state"] for m in group["members"]] == ["Completed", "Completed", "Running"]


def test_a_run_without_a_strategy_updates_every_member_one_by_one(azure_env: ArmEmulator) -> None:
    c = _world(azure_env, {"m1": "a", "m2": "b"})
    started = _run(c, {"managedClusterUpdate": NODE_IMAGE})
    [stage] = started["properties"]["status"]["stages"]
    [group] = stage["groups"]
    assert [m["status"]["state"] for m in group["members"]] == ["Running", "NotStarted"]
    assert "strategy" not in started["properties"]
    assert [m["status"]["state"] for m in _get(c)["properties"]["status"]["stages"][0]["groups"][0]["members"]] == [
        "Completed",
        "Running",
    ]
    assert _get(c)["properties"]["status"]["status"]["state"] == "Completed"


def test_the_gates_list_filters_by_state_and_refuses_a_filter_it_does_not_know(azure_env: ArmEmulator) -> None:
    from azure.core.exceptions import HttpResponseError

    c = _world(azure_env, {"m1": "a"})
    gate = [{"displayName": "go", "type": "Approval"}]
    _run(c, {"strategy": {"stages": [{"name": "s", "groups": [{"name": "a"}], "beforeGates": gate}]},
             "managedClusterUpdate": NODE_IMAGE})  # fmt: skip
    assert len(list(c.gates.list_by_fleet("rg1", "fleet1", filter="state eq Pending"))) == 1
    assert list(c.gates.list_by_fleet("rg1", "fleet1", filter="state eq Completed")) == []
    with pytest.raises(HttpResponseError) as refused:
        list(c.gates.list_by_fleet("rg1", "fleet1", filter="displayName eq 'go'"))
    assert refused.value.status_code == 400


def test_a_consistent_node_image_run_records_the_versions_it_chose(azure_env: ArmEmulator) -> None:
    c = _world(azure_env, {"m1": "a"})
    pool = f"{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/m1/agentPools/nodepool1"
    azure_env.put_resource(pool, {"properties": {"nodeImageVersion": "AKSUbuntu:1604:2020.03.11"}})
    update = {"upgrade": {"type": "NodeImageOnly"}, "nodeImageSelection": {"type": "Consistent"}}
    started = _run(c, {"managedClusterUpdate": update})
    assert started["properties"]["status"]["nodeImageSelection"] == {
        "selectedNodeImageVersions": [{"version": "AKSUbuntu:1604:2020.03.11"}]
    }
    assert "nodeImageSelection" not in _run(c, {"managedClusterUpdate": NODE_IMAGE}, "run2")["properties"]["status"]


def test_a_group_max_concurrency_is_capped_by_its_size_and_by_the_stage(azure_env: ArmEmulator) -> None:
    c = _world(azure_env, {"m1": "a", "m2": "a", "m3": "b", "m4": "b", "m5": "b"})
    groups = [{"name": "a", "maxConcurrency": "5"}, {"name": "b", "maxConcurrency": "100%"}]
    strategy = {"stages": [{"name": "s", "maxConcurrency": "2", "groups": groups}]}
    started = _run(c, {"strategy": strategy, "managedClusterUpdate": NODE_IMAGE})
    stage = started["properties"]["status"]["stages"][0]
    assert stage["maxConcurrency"] == 2
    assert [g["maxConcurrency"] for g in stage["groups"]] == [2, 2]
    running = [m["name"] for g in stage["groups"] for m in g["members"] if m["status"]["state"] == "Running"]
    assert running == ["m1", "m2"]  # the stage allows two at once, across its groups


def test_fleet_bodies_with_a_property_the_api_lacks_and_gate_states_it_lacks_are_refused(
    azure_env: ArmEmulator,
) -> None:
    from azure.core.exceptions import HttpResponseError

    c = _world(azure_env, {"m1": "a"})
    invented = {"properties": {"strategy": {"stages": [{"name": "s", "groups": [{"name": "a"}]}]}, "speed": "fast"}}
    with pytest.raises(HttpResponseError) as refused:
        arm.wait_lro(c.fleet_update_strategies.begin_create_or_update("rg1", "fleet1", "s", invented), "create")
    assert refused.value.status_code == 400
    assert "properties.speed" in str(refused.value)
    gate = [{"displayName": "go", "type": "Approval"}]
    _run(c, {"strategy": {"stages": [{"name": "s", "groups": [{"name": "a"}], "beforeGates": gate}]},
             "managedClusterUpdate": NODE_IMAGE})  # fmt: skip
    [pending] = list(c.gates.list_by_fleet("rg1", "fleet1"))
    with pytest.raises(HttpResponseError) as wrong:
        arm.wait_lro(c.gates.begin_update("rg1", "fleet1", pending.name, {"properties": {"state": "Approved"}}), "x")
    assert wrong.value.status_code == 400
