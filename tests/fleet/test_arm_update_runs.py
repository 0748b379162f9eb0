"""ARM update runs through their life cycle: start, gates reached and approved, waits, stop, skip.

The ARM emulator moves a run one step each time it is read (tests/emulators/arm/fleetruns.py), so each
``fleet rollout status`` below is also time passing; gates are the Gate resources the run creates.
"""

from __future__ import annotations

import re
from typing import Any

from tests.cli import invoke, list_items
from tests.fleet.armworld import (
    ARM,
    add_aks_cluster,
    aks_id,
    fleet_id,
    gates_of,
    ok,
    run_status,
    seed_member,
    seed_members,
)


def _strategy(*stages: str) -> None:
    args = [a for stage in stages for a in ("--stage", stage)]
    ok("fleet", "rollout", "strategy", "create", "safe", *ARM, *args)


def _create(name: str = "up-1", *extra: str) -> str:
    return ok("fleet", "rollout", "create", name, *ARM, "--upgrade-type", "NodeImageOnly", *extra)


def _member(status: dict[str, Any], stage: int = 0, group: int = 0, member: int = 0) -> str:
    return str(status["stages"][stage]["groups"][group]["members"][member]["status"]["state"])


def test_a_started_run_waits_at_its_before_stage_gate_created_as_a_gate_resource(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;before=approval")
    _create("up-1", "--strategy", "safe", "--start")
    [gate] = gates_of("up-1")
    assert gate["properties"]["gateType"] == "Approval"
    assert gate["properties"]["state"] == "Pending"
    assert gate["properties"]["target"] == {
        "id": f"{fleet_id(fleet)}/updateRuns/up-1",
        "updateRunProperties": {"name": "up-1", "stage": "cloud", "timing": "Before"},
    }
    status = run_status("up-1")
    assert status["status"]["state"] == "Pending"
    stage = status["stages"][0]
    assert stage["status"]["state"] == "Pending"
    assert stage["beforeGates"][0]["gateId"] == gate["id"]
    assert stage["beforeGates"][0]["status"]["state"] == "Pending"
    assert _member(status) == "NotStarted"
    table = ok("fleet", "rollout", "status", "up-1", *ARM)
    assert f"update run up-1: Pending, waiting for approval of gate {gate['name']} (Before stage cloud)" in table


def test_start_says_which_gate_the_run_waits_at(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;before=approval")
    _create("up-1", "--strategy", "safe")
    out = ok("fleet", "rollout", "start", "up-1", *ARM)
    [gate] = gates_of("up-1")
    waiting = f"waiting for approval of gate {gate['name']} (Before stage cloud)"
    assert out.strip() == f"updaterun/up-1 started: Pending, {waiting}"


def test_approving_each_gate_carries_the_run_to_completion(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;before=approval;after=approval")
    _create("up-1", "--strategy", "safe", "--start")
    [before] = gates_of("up-1")
    first = ok("fleet", "approve", "up-1", *ARM, "--wait", "--timeout", "30s")
    assert f"approved gate {before['name']} (Before stage cloud)" in first
    after = next(g for g in gates_of("up-1") if g["properties"]["target"]["updateRunProperties"]["timing"] == "After")
    assert f"next: {after['name']} (After stage cloud)" in first
    assert after["properties"]["state"] == "Pending"
    second = ok("fleet", "approve", "up-1", *ARM, "--wait", "--timeout", "30s")
    assert f"approved gate {after['name']} (After stage cloud)" in second
    assert "update run up-1 completed" in second
    status = run_status("up-1")
    assert status["status"]["state"] == "Completed"
    assert status["status"]["completedTime"]
    assert _member(status) == "Completed"
    assert [g["properties"]["state"] for g in gates_of("up-1")] == ["Completed", "Completed"]


def test_approve_completes_only_the_gate_of_the_named_run(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;before=approval")
    _create("up-1", "--strategy", "safe", "--start")
    _create("up-2", "--strategy", "safe", "--start")
    [mine], [other] = gates_of("up-1"), gates_of("up-2")
    result = invoke("fleet", "approve", "up-1", *ARM)
    assert result.exit_code == 0, result
    assert mine["name"] in result.stdout
    assert fleet.get_resource(mine["id"])["properties"]["state"] == "Completed"
    assert fleet.get_resource(other["id"])["properties"]["state"] == "Pending"
    status = run_status("up-1")
    assert status["stages"][0]["beforeGates"][0]["status"]["state"] == "Completed"
    assert _member(status) == "Running"


def test_approve_with_no_pending_gate_is_not_found(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;before=approval")
    _create("up-1", "--strategy", "safe")  # not started: no gate yet
    result = invoke("fleet", "approve", "up-1", *ARM)
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: update run 'up-1' (NotStarted) has no pending gate",
        f"hint: start it with: akscli fleet rollout start up-1 {' '.join(ARM)}",
    ]


def test_approve_of_a_run_that_does_not_exist_says_the_run_is_not_found(fleet: Any) -> None:
    result = invoke("fleet", "approve", "nosuch", *ARM)
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0].startswith("error: reading update run nosuch: ")
    assert "no pending gate" not in result.stderr


def test_pending_gates_are_listed_through_arms_state_filter(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;before=approval;after=approval")
    _create("up-1", "--strategy", "safe", "--start")
    _create("up-2", "--strategy", "safe", "--start")
    ok("fleet", "approve", "up-1", *ARM)
    run_status("up-1")  # the run goes on: its member is upgraded
    run_status("up-1")  # and it reaches its after-stage gate
    assert len(gates_of("up-1")) == 2
    after = next(g for g in gates_of("up-1") if g["properties"]["state"] == "Pending")
    names = ok("fleet", "gates", *ARM, "--run", "up-1", "--pending", "-o", "name").split()
    assert names == [f"gate/{after['name']}"]
    listed = fleet.requests_to(r"/fleets/ml-fleet/gates$", "GET")
    assert listed[-1].query["$filter"] == ["state eq Pending"]


def test_stop_passes_through_stopping_and_start_resumes(fleet: Any) -> None:
    seed_members(fleet)
    _create("up-1", "--stage", "s;groups=cloud", "--start")
    assert _member(_peek(fleet)) == "Running"
    assert ok("fleet", "rollout", "stop", "up-1", *ARM).strip() == "updaterun/up-1 stopping"
    stopping = _peek(fleet)
    assert stopping["status"]["state"] == "Stopping"
    assert stopping["stages"][0]["status"]["state"] == "Stopping"
    assert _member(stopping) == "Stopping"
    stopped = run_status("up-1")
    assert stopped["status"]["state"] == "Stopped"
    assert _member(stopped) == "Stopped"
    assert ok("fleet", "rollout", "start", "up-1", *ARM).strip() == "updaterun/up-1 started: Running"
    assert run_status("up-1")["status"]["state"] == "Completed"


def _peek(emu: Any, run: str = "up-1") -> dict[str, Any]:
    """The run as stored, without reading it through ARM (which would move it on)."""
    return dict(emu.get_resource(f"{fleet_id(emu)}/updateRuns/{run}")["properties"]["status"])


def test_after_stage_wait_runs_with_its_times_and_ends_when_the_time_is_up(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;after=wait:10m")
    _create("up-1", "--strategy", "safe", "--start")
    waiting = run_status("up-1")
    wait = waiting["stages"][0]["afterStageWaitStatus"]
    assert wait["waitDurationInSeconds"] == 600
    assert wait["status"]["state"] == "Running"
    assert wait["status"]["startTime"]
    assert waiting["stages"][0]["status"]["state"] == "Running"
    table = ok("fleet", "rollout", "status", "up-1", *ARM)
    left = re.search(r"\(wait\)\s+Running\s+600s, (\d+)s left", table)
    assert left is not None and 540 <= int(left.group(1)) <= 600, table
    fleet.clock_offset = 600.0
    done = run_status("up-1")
    assert done["stages"][0]["afterStageWaitStatus"]["status"]["state"] == "Completed"
    assert done["status"]["state"] == "Completed"


def test_skipping_the_after_stage_wait_lets_the_run_finish(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;after=wait:1h")
    _create("up-1", "--strategy", "safe", "--start")
    run_status("up-1")
    ok("fleet", "rollout", "skip", "up-1", *ARM, "--target", "AfterStageWait:cloud")
    status = run_status("up-1")
    assert status["stages"][0]["afterStageWaitStatus"]["status"]["state"] == "Skipped"
    assert status["status"]["state"] == "Completed"


def test_skipping_the_only_member_skips_its_group_stage_and_run(fleet: Any) -> None:
    # Skipped before the start: skip reads the run first (its targets are checked), and each read is a
    # step of the emulated run, which would finish the member's upgrade before the skip got there.
    seed_members(fleet)
    _create("up-1", "--stage", "s;groups=cloud")
    ok("fleet", "rollout", "skip", "up-1", *ARM, "--target", "Member:gpu")
    ok("fleet", "rollout", "start", "up-1", *ARM)
    status = run_status("up-1")
    assert _member(status) == "Skipped"
    assert status["stages"][0]["groups"][0]["status"]["state"] == "Skipped"
    assert status["stages"][0]["status"]["state"] == "Skipped"
    assert status["status"]["state"] == "Skipped"


def test_skipping_a_target_the_run_does_not_have_is_refused_with_the_names_it_has(fleet: Any) -> None:
    # Fleet's answer to an unknown target is not published; the emulator took any and akscli printed
    # "skipped". Now the run is read first and the typo is one usage line, nothing sent.
    seed_members(fleet)
    _create("up-1", "--stage", "s;groups=cloud", "--start")
    result = invoke("fleet", "rollout", "skip", "up-1", *ARM, "--target", "Stage:s", "--target", "Member:gpx")
    assert result.exit_code == 2, result
    assert "error: update run up-1 has no member 'gpx' (its members: gpu)" in result.stderr
    assert "akscli fleet rollout status up-1 --fleet" in result.stderr
    assert _peek(fleet)["stages"][0]["status"]["state"] != "Skipped"


def test_skipping_a_stage_skips_its_pending_gate_and_the_next_stage_starts(fleet: Any) -> None:
    seed_members(fleet)
    add_aks_cluster(fleet, "aks-batch")
    seed_member(fleet, "batch", aks_id(fleet, "aks-batch"), "batch")
    _strategy("canary;groups=cloud;before=approval", "rest;groups=batch")
    _create("up-1", "--strategy", "safe", "--start")
    [gate] = gates_of("up-1")
    ok("fleet", "rollout", "skip", "up-1", *ARM, "--target", "Stage:canary")
    assert fleet.get_resource(gate["id"])["properties"]["state"] == "Skipped"
    status = _peek(fleet)
    assert status["stages"][0]["status"]["state"] == "Skipped"
    assert status["stages"][0]["beforeGates"][0]["status"]["state"] == "Skipped"
    assert _member(status) == "Skipped"
    assert _member(status, stage=1) == "Running"


def test_deleting_a_run_deletes_its_gates(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;before=approval")
    _create("up-1", "--strategy", "safe", "--start")
    _create("up-2", "--strategy", "safe", "--start")
    ok("fleet", "rollout", "delete", "up-1", *ARM, "-y")
    assert gates_of("up-1") == []
    assert len(gates_of("up-2")) == 1


def test_a_running_run_cannot_be_started_again(fleet: Any) -> None:
    seed_members(fleet)
    _create("up-1", "--stage", "s;groups=cloud", "--start")
    result = invoke("fleet", "rollout", "start", "up-1", *ARM)
    assert result.exit_code == 4, result
    assert "Running" in result.stderr


def test_a_full_upgrade_run_upgrades_each_member_cluster(fleet: Any) -> None:
    seed_members(fleet)
    ok("fleet", "rollout", "create", "up-1", *ARM, "-k", "1.34.2", "--stage", "s;groups=cloud", "--start")
    assert run_status("up-1")["status"]["state"] == "Completed"
    rows = list_items(ok("fleet", "member", "list", *ARM, "-o", "json"))
    assert {r["name"]: r["kubernetesVersion"] for r in rows} == {"gpu": "1.34.2", "edge": "1.32.5"}


def test_a_member_already_at_the_target_version_is_skipped(fleet: Any) -> None:
    seed_members(fleet)
    ok("fleet", "rollout", "create", "up-1", *ARM, "-k", "1.33.2", "--stage", "s;groups=cloud", "--start")
    status = _peek(fleet)
    assert _member(status) == "Skipped"
    assert status["status"]["state"] == "Skipped"


def test_approve_wait_that_reaches_no_gate_names_the_fleet_in_its_hint(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;before=approval;after=wait:1h")
    _create("up-1", "--strategy", "safe", "--start")
    result = invoke("fleet", "approve", "up-1", *ARM, "--wait", "--timeout", "1s")
    assert result.exit_code == 5, result
    hint = "hint: see where it stands with: akscli fleet rollout status up-1 --fleet ml-fleet -g rg-fleet"
    assert hint in result.stderr


def test_a_run_stopped_at_a_gate_resumes_waiting_at_the_same_gate(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;before=approval")
    _create("up-1", "--strategy", "safe", "--start")
    [gate] = gates_of("up-1")
    assert ok("fleet", "rollout", "stop", "up-1", *ARM).strip() == "updaterun/up-1 stopping"
    assert run_status("up-1")["stages"][0]["status"]["state"] == "Stopped"
    out = ok("fleet", "rollout", "start", "up-1", *ARM)
    assert f"waiting for approval of gate {gate['name']} (Before stage cloud)" in out
    assert [g["name"] for g in gates_of("up-1")] == [gate["name"]]


def test_creating_a_run_that_exists_is_refused_and_keeps_the_run(fleet: Any) -> None:
    # The create sends If-None-Match: * and ARM answers 412 for an existing resource
    # (Azure/azure-resource-manager-rpc v1.0/Addendum.md "ETags for Resources"): a plain PUT, as
    # az fleet updaterun create sends, would replace the running run with a NotStarted one.
    seed_members(fleet)
    _create("up-1", "--stage", "s;groups=cloud", "--start")
    result = invoke(
        "fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--stage", "s;groups=cloud"
    )
    assert result.exit_code == 4, result
    assert "update run up-1 already exists in fleet" in result.stderr
    assert f"akscli fleet rollout delete up-1 --fleet {ARM[1]} -g {ARM[3]} -y" in result.stderr
    assert "Traceback" not in result.stderr
    assert run_status("up-1")["status"]["state"] != "NotStarted"


def test_a_run_whose_stage_lists_a_group_no_member_is_in_is_created_with_a_warning(fleet: Any) -> None:
    # groups=clud (a typo for cloud): the run Completed having upgraded nobody there, without a word.
    seed_members(fleet)
    result = invoke(
        "fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--stage", "a;groups=clud"
    )
    assert result.exit_code == 0, result
    assert (
        "warning: no member of fleet ml-fleet is in update group clud (stage a), so the run upgrades" in result.stderr
    )
    fine = invoke(
        "fleet", "rollout", "create", "up-2", *ARM, "--upgrade-type", "NodeImageOnly", "--stage", "a;groups=cloud"
    )
    assert fine.exit_code == 0 and "warning" not in fine.stderr, fine


def test_approve_wait_right_after_start_waits_for_the_gate_the_run_reaches(fleet: Any) -> None:
    # docs/fleet.md runs `rollout create --start` and `approve --wait` back to back: the members
    # upgrade first (each read moves the emulator's run), then the after-stage gate is Pending.
    seed_members(fleet)
    _strategy("cloud;groups=cloud;after=approval")
    _create("up-1", "--strategy", "safe", "--start")
    assert gates_of("up-1") == []
    result = invoke("fleet", "approve", "up-1", *ARM, "--wait", "--timeout", "60s")
    assert result.exit_code == 0, result
    [gate] = gates_of("up-1")
    assert f"approved gate {gate['name']} (After stage cloud)" in result.stdout
    assert "update run up-1 completed" in result.stdout
