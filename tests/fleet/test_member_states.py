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
    failed_etag = fleet.get_resource(_member_id(fleet, "gpu"))["eTag"]
    again = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM)
    assert again.exit_code == 0, again
    row = _rows()["gpu"]
    assert (row["state"], row["joined"], row["message"]) == ("Succeeded", True, "")
    # The retry is conditional on the Failed member it read (FleetScope.join); the first join on no member.
    first, retry = fleet.requests_to(r"/members/gpu$", "PUT")
    assert (_header(first, "If-None-Match"), _header(retry, "If-Match")) == ("*", failed_etag)


def test_a_seeded_member_has_its_etag_and_its_retry_sends_it(fleet: Any) -> None:
    # A fleet member always has an eTag (fleetmember.tsp, FleetMember ...EntityTagProperty); the emulator
    # gave one only to members an ARM PUT wrote, so a seeded Failed member was retried unconditionally.
    fleet.put_resource(
        _member_id(fleet, "gpu"),
        {"properties": {"clusterResourceId": aks_id(fleet, "aks-gpu"), "provisioningState": "Failed"}},
    )
    seeded = fleet.get_resource(_member_id(fleet, "gpu"))["eTag"]
    assert invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM).exit_code == 0
    [put] = fleet.requests_to(r"/members/gpu$", "PUT")
    assert (put.status, _header(put, "If-Match")) == (200, seeded)


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


def _header(entry: Any, name: str) -> str | None:
    return next((v for k, v in entry.headers.items() if k.lower() == name.lower()), None)


def test_a_member_joined_between_the_read_and_the_put_is_refused_and_kept(fleet: Any, monkeypatch: Any) -> None:
    # join read no member, then another join of gpu landed before its PUT: the plain PUT replaced that
    # member (its update group), exit 0. Now the PUT carries If-None-Match: *, and ARM's 412 is exit 4.
    from akscli.errors import NotFoundError
    from akscli.fleet.armclient import FleetScope

    read = FleetScope.get

    def read_then_another_joins(self: Any, child: Any, name: str) -> dict[str, Any]:
        try:
            return read(self, child, name)
        except NotFoundError:
            if fleet.get_resource(_member_id(fleet, name)) is None:
                seed_member(fleet, name, aks_id(fleet, "aks-gpu"), "cloud")
            raise

    monkeypatch.setattr(FleetScope, "get", read_then_another_joins)
    result = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", "--update-group", "edge", *ARM)
    assert result.exit_code == 4, result
    assert _error_lines(result.stderr)[0] == (
        "error: member gpu already exists in fleet ml-fleet (joined since akscli read it); joining again would "
        "replace its labels and update group"
    )
    [put] = fleet.requests_to(r"/members/gpu$", "PUT")
    assert (put.status, _header(put, "If-None-Match")) == (412, "*")
    assert fleet.get_resource(_member_id(fleet, "gpu"))["properties"]["group"] == "cloud"


def test_a_failed_member_changed_before_the_retry_is_refused_in_one_line_and_kept(fleet: Any, monkeypatch: Any) -> None:
    # The retry of a Failed member was a plain PUT over what it read: a change made in between (here a
    # `member update` of its group) was replaced. Now it carries If-Match: the eTag read, ARM says 412.
    from akscli.fleet.armclient import FleetScope
    from tests.emulators.arm import etags

    fleet.fail_operation("PUT", r"/members/gpu$", "OperationFailed", "the member agent did not start (injected)")
    assert invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM).exit_code == 1
    read_etag = fleet.get_resource(_member_id(fleet, "gpu"))["eTag"]
    read = FleetScope.get

    def read_then_another_changes_it(self: Any, child: Any, name: str) -> dict[str, Any]:
        found = read(self, child, name)
        if found.get("eTag") == read_etag:

            def update(member: dict[str, Any]) -> None:
                member["properties"]["group"] = "other"
                etags.stamp(etags.MEMBER, member)

            fleet.update_resource(_member_id(fleet, name), update)
        return found

    monkeypatch.setattr(FleetScope, "get", read_then_another_changes_it)
    again = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", "--update-group", "cloud", *ARM)
    assert again.exit_code == 4, again
    assert _error_lines(again.stderr) == [
        "error: joining AKS cluster aks-gpu as gpu: it changed in Azure after akscli read it "
        "(412 Precondition Failed); nothing was changed",
        "hint: run the command again to apply it on top of the new state "
        "(see it with 'akscli fleet member show gpu --fleet ml-fleet -g rg-fleet -o json')",
    ]
    put = fleet.requests_to(r"/members/gpu$", "PUT")[-1]
    assert (put.status, _header(put, "If-Match")) == (412, read_etag)
    assert fleet.get_resource(_member_id(fleet, "gpu"))["properties"]["group"] == "other"
