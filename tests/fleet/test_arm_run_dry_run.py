"""--dry-run on the ARM update-run commands: start, stop, skip and delete need no read, so the
SDK builds the request and it is printed with nothing contacted (no sign-in either); approve
reads the pending gates, as the real command does, and prints the PATCH of each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator

RG = "rg-fleet"
FLEET = "ml-fleet"
ARM = ["--fleet", FLEET, "-g", RG]
WRITES = ("PUT", "PATCH", "POST", "DELETE")


def fleet_path() -> str:
    return f"/resourceGroups/{RG}/providers/Microsoft.ContainerService/fleets/{FLEET}"


@pytest.mark.parametrize("action", ["start", "stop"])
def test_start_and_stop_dry_run_print_the_post_and_contact_nothing(azure_env: ArmEmulator, action: str) -> None:
    result = invoke("fleet", "rollout", action, "up-1", *ARM, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    request = json.loads(result.stdout)
    assert request["method"] == "POST"
    assert request["url"].split("?")[0].endswith(f"{fleet_path()}/updateRuns/up-1/{action}")
    assert "api-version=" in request["url"]
    assert azure_env.request_log == []


def test_skip_dry_run_prints_the_targets_and_contacts_nothing(azure_env: ArmEmulator) -> None:
    result = invoke("fleet", "rollout", "skip", "up-1", *ARM, "--target", "Member:gpu", "--dry-run")
    assert result.exit_code == 0, result
    request = json.loads(result.stdout)
    assert request["url"].split("?")[0].endswith("/updateRuns/up-1/skip")
    assert request["body"] == {"targets": [{"type": "Member", "name": "gpu"}]}
    assert azure_env.request_log == []


@pytest.mark.parametrize(
    ("command", "path_end"),
    [
        (["rollout", "delete", "up-1"], "/updateRuns/up-1"),
        (["rollout", "strategy", "delete", "safe"], "/updateStrategies/safe"),
        (["member", "remove", "gpu"], "/members/gpu"),
    ],
    ids=["rollout delete", "strategy delete", "member remove"],
)
def test_delete_dry_run_asks_nothing_and_contacts_nothing(
    azure_env: ArmEmulator, command: list[str], path_end: str
) -> None:
    result = invoke("fleet", *command, *ARM, "--dry-run", tty=True, input="")
    assert result.exit_code == 0, result
    request = json.loads(result.stdout)
    assert (request["method"], request["url"].split("?")[0].endswith(path_end)) == ("DELETE", True)
    assert azure_env.request_log == []


def test_an_offline_dry_run_without_a_subscription_names_its_placeholder(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    result = invoke("fleet", "rollout", "start", "up-1", *ARM, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    assert "/subscriptions/{subscriptionId}/resourceGroups/" in json.loads(result.stdout)["url"]


def test_server_dry_run_of_an_arm_run_is_refused_before_any_request(azure_env: ArmEmulator) -> None:
    result = invoke("fleet", "rollout", "start", "up-1", *ARM, "--dry-run=server")
    assert result.exit_code == 2
    assert "no server-side dry run" in result.stderr
    assert azure_env.request_log == []


def pending_gate(emu: ArmEmulator, name: str, run: str) -> str:
    gate_id = f"/subscriptions/{emu.subscription}{fleet_path()}/gates/{name}"
    emu.put_resource(f"/subscriptions/{emu.subscription}{fleet_path()}", {"location": "eastus", "properties": {}})
    target = {"id": f"{fleet_path()}/updateRuns/{run}", "updateRunProperties": {"name": run, "stage": "s1"}}
    emu.put_resource(gate_id, {"properties": {"gateType": "Approval", "state": "Pending", "target": target}})
    return gate_id


def test_approve_dry_run_prints_the_patch_of_each_pending_gate_and_completes_none(azure_env: ArmEmulator) -> None:
    gates = [pending_gate(azure_env, name, "up-1") for name in ("g1", "g2")]
    result = invoke("fleet", "approve", "up-1", *ARM, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    requests: list[dict[str, Any]] = json.loads(result.stdout)
    assert sorted(r["url"].split("?")[0].rsplit("/", 1)[-1] for r in requests) == ["g1", "g2"]
    assert {r["method"] for r in requests} == {"PATCH"}
    assert all(r["body"] == {"properties": {"state": "Completed"}} for r in requests)
    assert not [e for e in azure_env.request_log if e.method in WRITES and "/oauth2/" not in e.path]
    assert [azure_env.get_resource(g)["properties"]["state"] for g in gates] == ["Pending", "Pending"]


@pytest.mark.parametrize(
    "command",
    [
        ["fleet", "create", FLEET, "-g", RG],
        ["fleet", "delete", FLEET, "-g", RG],
        ["fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM],
        ["fleet", "autoupgrade", "delete", "nightly", *ARM],
        ["cluster", "start", "aks1", "-g", RG],
    ],
    ids=["fleet create", "fleet delete", "member join", "autoupgrade delete", "cluster start"],
)
def test_other_arm_commands_that_read_nothing_contact_nothing_in_a_dry_run(
    azure_env: ArmEmulator, command: list[str]
) -> None:
    result = invoke(*command, "--dry-run")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["method"] in WRITES
    assert azure_env.request_log == []
