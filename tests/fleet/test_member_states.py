"""Fleet members in every provisioning state the published API has: Joining, Updating, Leaving,
Failed (Azure/azure-rest-api-specs fleetmember.tsp, FleetMemberProvisioningState), in the ARM
emulator and in what ``fleet member join`` and ``fleet member list`` make of them."""

from __future__ import annotations

import json
from typing import Any

from akscli.azure import arm
from tests.cli import invoke, list_items
from tests.fleet.armworld import ARM, RG, aks_id, fleet_id, seed_member

API = "2026-06-01"


def _member_id(emu: Any, name: str) -> str:
    return f"{fleet_id(emu)}/members/{name}"


def _start(method: str, emu: Any, name: str, cluster: str = "aks-gpu") -> dict[str, Any] | None:
    """Send one member write and leave its operation running (a client that does not poll)."""
    body = {"properties": {"clusterResourceId": aks_id(emu, cluster), "group": "cloud"}}
    return arm.raw_call(arm.raw_client(arm.AzureTarget()), method, _member_id(emu, name), API, body)


def _state(emu: Any, name: str) -> str:
    return str(emu.get_resource(_member_id(emu, name))["properties"]["provisioningState"])


def _error_lines(stderr: str) -> list[str]:
    """The error and hint lines (the progress lines of the wait come before them)."""
    return [line for line in stderr.splitlines() if line.startswith(("error:", "hint:", "Traceback"))]


def _rows(*args: str) -> dict[str, dict[str, Any]]:
    listed = invoke("fleet", "member", "list", *ARM, "-o", "json", *args)
    assert listed.exit_code == 0, listed
    return {r["name"]: r for r in list_items(listed.stdout)}


def test_a_member_being_created_is_joining_until_its_operation_completes(fleet: Any) -> None:
    created = _start("PUT", fleet, "gpu")
    assert created is not None and created["properties"]["provisioningState"] == "Joining"
    assert _state(fleet, "gpu") == "Joining"
    fleet.complete_operation(_member_id(fleet, "gpu"))
    assert _state(fleet, "gpu") == "Succeeded"


def test_a_member_being_updated_is_updating_and_one_being_removed_is_leaving(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    _start("PUT", fleet, "gpu")
    assert _state(fleet, "gpu") == "Updating"
    fleet.complete_operation(_member_id(fleet, "gpu"))
    arm.raw_call(arm.raw_client(arm.AzureTarget()), "DELETE", _member_id(fleet, "gpu"), API)
    assert _state(fleet, "gpu") == "Leaving"


def test_a_member_whose_cluster_does_not_exist_ends_failed_with_the_error(fleet: Any) -> None:
    _start("PUT", fleet, "ghost", cluster="nope")
    fleet.complete_operation(_member_id(fleet, "ghost"))
    member = fleet.get_resource(_member_id(fleet, "ghost"))
    assert member["properties"]["provisioningState"] == "Failed"
    assert member["properties"]["status"]["lastOperationError"]["code"] == "ResourceNotFound"


def test_member_list_shows_a_joining_member_as_joining_and_not_joined(fleet: Any) -> None:
    _start("PUT", fleet, "gpu")
    row = _rows()["gpu"]
    assert (row["state"], row["joined"], row["message"]) == ("Joining", False, "member is Joining")
    table = invoke("fleet", "member", "list", *ARM).stdout.splitlines()
    assert "STATE" in table[0].split() and "Joining" in table[1].split()


def test_member_list_counts_an_updating_member_as_joined(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    _start("PUT", fleet, "gpu")
    row = _rows()["gpu"]
    assert (row["state"], row["joined"], row["healthy"]) == ("Updating", True, True)


def test_join_of_a_cluster_that_does_not_exist_is_refused_before_the_put_and_leaves_no_member(fleet: Any) -> None:
    # It sent the PUT and left member ghost in the fleet, Failed (the emulator fails such a join in its
    # operation). One GET of the cluster first: exit 3, one line, and nothing half-applied.
    result = invoke("fleet", "member", "join", "ghost", "--cluster", "nope", *ARM)
    assert result.exit_code == 3, result
    assert _error_lines(result.stderr) == [
        "error: joining AKS cluster nope as ghost: The Resource "
        f"'Microsoft.ContainerService/managedClusters/nope' under resource group '{RG}' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
        "hint: nothing was joined; check --cluster (a name with --cluster-group, or the resource id) and "
        f"--subscription; see the clusters there with 'akscli cluster list -g {RG}'",
    ]
    assert result.stdout == ""
    assert fleet.requests_to(r"/members/ghost$", "PUT") == []
    assert fleet.get_resource(_member_id(fleet, "ghost")) is None


def test_join_reads_the_cluster_once_and_a_dry_run_reads_nothing(fleet: Any) -> None:
    dry = invoke("fleet", "member", "join", "ghost", "--cluster", "nope", *ARM, "--dry-run", "-o", "json")
    assert dry.exit_code == 0, dry
    assert json.loads(dry.stdout)["method"] == "PUT" and fleet.requests_to("/managedClusters/nope") == []
    joined = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM)
    assert joined.exit_code == 0, joined
    assert len(fleet.requests_to(r"/managedClusters/aks-gpu$", "GET")) == 1


def test_a_join_azure_refuses_ends_with_its_error_and_the_list_shows_the_failed_member(fleet: Any) -> None:
    # A fault injected into the join's operation: Azure accepts the PUT, then the operation ends Failed.
    fleet.fail_operation("PUT", r"/members/gpu$", "OperationFailed", "the member agent did not start (injected)")
    result = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM)
    assert result.exit_code == 1, result
    assert _error_lines(result.stderr)[0] == (
        "error: joining AKS cluster aks-gpu as gpu: failed in Azure (OperationFailed): "
        "the member agent did not start (injected)"
    )
    assert "akscli fleet member remove gpu" in result.stderr
    row = _rows()["gpu"]
    assert (row["state"], row["joined"]) == ("Failed", False)
    assert row["message"] == "the member agent did not start (injected)"


def test_joining_a_failed_member_again_retries_it(fleet: Any) -> None:
    fleet.fail_operation("PUT", r"/members/gpu$", "OperationFailed", "the member agent did not start (injected)")
    assert invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM).exit_code == 1
    again = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM)
    assert again.exit_code == 0, again
    row = _rows()["gpu"]
    assert (row["state"], row["joined"], row["message"]) == ("Succeeded", True, "")


def test_joining_a_joined_member_again_is_refused_and_keeps_its_update_group(fleet: Any) -> None:
    # The member PUT replaces the member whole: a second join dropped its update group (and labels), so
    # the stages naming that group no longer upgraded it, and it printed the join as done. Exit 4 now.
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    again = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM)
    assert again.exit_code == 4, again
    assert _error_lines(again.stderr)[0] == (
        "error: member gpu already exists in fleet ml-fleet (Succeeded); joining again would replace its labels "
        "and update group"
    )
    assert "akscli fleet member update gpu" in again.stderr
    assert fleet.requests_to(r"/members/gpu$", "PUT") == []
    assert _rows()["gpu"]["group"] == "cloud"
