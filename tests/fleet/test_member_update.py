"""`fleet member update NAME --update-group G --labels K=V`, as az fleet member update: one PATCH
of a FleetMemberUpdate body holding only what was given (upstream: Azure/azure-cli-extensions
src/fleet/azext_fleet/custom.py update_fleet_member; Azure/azure-rest-api-specs 1713bce8
fleet/fleetmember.tsp FleetMembers_Update, example 2023-08-15-preview/FleetMembers_Update.json)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.armworld import ARM, aks_id, fleet_id, seed_member


def _member(emu: Any, name: str) -> dict[str, Any]:
    return dict(emu.get_resource(f"{fleet_id(emu)}/members/{name}")["properties"])


def test_update_patches_the_group_and_labels_and_prints_the_member(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    result = invoke("fleet", "member", "update", "gpu", *ARM, "--update-group", "canary", "--labels", "tier=gpu")
    assert result.exit_code == 0, result
    props = _member(fleet, "gpu")
    assert (props["group"], props["labels"], props["provisioningState"]) == ("canary", {"tier": "gpu"}, "Succeeded")
    assert props["clusterResourceId"] == aks_id(fleet, "aks-gpu")
    [patch] = fleet.requests_to(r"/fleets/[^/]+/members/gpu$", "PATCH")
    assert json.loads(patch.body) == {"properties": {"group": "canary", "labels": {"tier": "gpu"}}}
    assert "canary" in result.stdout and "tier=gpu" in result.stdout


def test_update_with_only_a_group_sends_only_the_group(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    result = invoke("fleet", "member", "update", "gpu", *ARM, "--update-group", "canary", "-o", "json")
    assert result.exit_code == 0, result
    [patch] = fleet.requests_to(r"/fleets/[^/]+/members/gpu$", "PATCH")
    assert json.loads(patch.body) == {"properties": {"group": "canary"}}
    assert json.loads(result.stdout)["properties"]["group"] == "canary"


def test_update_with_nothing_to_change_is_a_usage_error(fleet: Any) -> None:
    result = invoke("fleet", "member", "update", "gpu", *ARM)
    assert result.exit_code == 2
    assert "nothing to update: give --update-group or --labels" in result.stderr
    assert fleet.requests_to(r"/members/gpu$", "PATCH") == []


def test_update_of_a_member_that_does_not_exist_is_not_found(fleet: Any) -> None:
    result = invoke("fleet", "member", "update", "nosuch", *ARM, "--update-group", "canary")
    assert result.exit_code == 3, result


def test_the_member_patch_is_polled_at_its_location_only(fleet: Any) -> None:
    # FleetMembers_Update answers 202 with Location and Retry-After, no Azure-AsyncOperation.
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    fleet.lro_polls = 2
    result = invoke("fleet", "member", "update", "gpu", *ARM, "--update-group", "canary")
    assert result.exit_code == 0, result
    [patch] = fleet.requests_to(r"/fleets/[^/]+/members/gpu$", "PATCH")
    assert patch.status in (200, 202)
    assert _member(fleet, "gpu")["group"] == "canary"


def test_dry_run_prints_the_patch_and_sends_nothing(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    result = invoke("fleet", "member", "update", "gpu", *ARM, "--update-group", "canary", "--dry-run")
    assert result.exit_code == 0, result
    assert "PATCH" in result.stdout and '"canary"' in result.stdout
    assert fleet.requests_to(r"/members/gpu$", "PATCH") == []
    assert _member(fleet, "gpu")["group"] == "cloud"


def test_the_emulator_refuses_a_member_patch_naming_the_cluster(fleet: Any) -> None:
    # FleetMemberUpdateProperties has group and labels only; clusterResourceId is set at create
    # (Azure/azure-rest-api-specs 1713bce8 fleet/fleetmember.tsp). No published error code: schema.py's.
    from azure.core.exceptions import HttpResponseError
    from azure.mgmt.containerservicefleet import ContainerServiceFleetMgmtClient

    from akscli.azure import arm
    from tests.fleet.armworld import FLEET, RG, arc_id

    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    client = arm.management_client(ContainerServiceFleetMgmtClient, arm.AzureTarget())
    other = arc_id(fleet, "edge-1")  # a cluster that exists: the refusal is of the field, not the value
    with pytest.raises(HttpResponseError) as refused:
        client.fleet_members.begin_update(RG, FLEET, "gpu", {"properties": {"clusterResourceId": other}}).result()
    assert refused.value.status_code == 400
    assert refused.value.error is not None and refused.value.error.code == "InvalidRequestContent"
    assert "properties.clusterResourceId" in str(refused.value.message)
    assert _member(fleet, "gpu")["clusterResourceId"] == aks_id(fleet, "aks-gpu")


def test_update_of_some_labels_keeps_the_labels_it_does_not_name(fleet: Any) -> None:
    # ARM's PATCH rule for the properties envelope is JSON merge patch, RFC 7396 (Azure/azure-
    # resource-manager-rpc 69e229f v1.0/resource-api-reference.md): az and akscli send only the map given.
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    fleet.update_resource(f"{fleet_id(fleet)}/members/gpu", lambda m: m["properties"].update(labels={"env": "prod"}))
    result = invoke("fleet", "member", "update", "gpu", *ARM, "--labels", "tier=gpu")
    assert result.exit_code == 0, result
    [patch] = fleet.requests_to(r"/fleets/[^/]+/members/gpu$", "PATCH")
    assert json.loads(patch.body) == {"properties": {"labels": {"tier": "gpu"}}}
    assert _member(fleet, "gpu")["labels"] == {"env": "prod", "tier": "gpu"}


def test_update_help_says_labels_not_named_are_kept() -> None:
    result = invoke("fleet", "member", "update", "--help")
    assert "labels not named are kept" in " ".join(result.stdout.split())


def test_a_label_given_as_key_dash_is_removed_by_a_null_in_the_merge_patch(fleet: Any) -> None:
    # kubectl label's grammar (kubernetes/kubectl pkg/cmd/label/label.go parseLabels); null removes a
    # member of a JSON merge patch (RFC 7396), ARM's rule inside properties.
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    fleet.update_resource(f"{fleet_id(fleet)}/members/gpu", lambda m: m["properties"].update(labels={"env": "prod"}))
    result = invoke("fleet", "member", "update", "gpu", *ARM, "--labels", "env-", "--labels", "tier=gpu")
    assert result.exit_code == 0, result
    [patch] = fleet.requests_to(r"/fleets/[^/]+/members/gpu$", "PATCH")
    assert json.loads(patch.body) == {"properties": {"labels": {"tier": "gpu", "env": None}}}
    assert _member(fleet, "gpu")["labels"] == {"tier": "gpu"}


def test_setting_and_removing_the_same_label_is_refused_before_sending(fleet: Any) -> None:
    result = invoke("fleet", "member", "update", "gpu", *ARM, "--labels", "env=prod,env-")
    assert result.exit_code == 2
    assert "--labels both sets and removes the member label env" in result.stderr
    assert "hint: give either env=VALUE or env-" in result.stderr
    assert fleet.requests_to(r"/members/gpu$", "PATCH") == []


def test_a_removal_of_a_key_that_is_no_label_key_is_refused(fleet: Any) -> None:
    result = invoke("fleet", "member", "update", "gpu", *ARM, "--labels", "bad key-")
    assert result.exit_code == 2
    assert "member label key" in result.stderr
    assert fleet.requests_to(r"/members/gpu$", "PATCH") == []


def test_a_removal_of_a_label_fleet_manager_sets_is_refused_as_setting_one_is(fleet: Any) -> None:
    # Fleet Manager writes the fleet.azure.com/ labels itself (shared/data/arm-examples/fleet-2026-06-01/
    # FleetMembers_Get.json: fleet.azure.com/cluster-name, /location, ...); `key=value` under that
    # prefix was refused already, `key-` sent a null for it.
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    result = invoke("fleet", "member", "update", "gpu", *ARM, "--labels", "fleet.azure.com/cluster-name-")
    assert result.exit_code == 2
    assert "member label fleet.azure.com/cluster-name uses the prefix fleet.azure.com/" in result.stderr
    assert fleet.requests_to(r"/members/gpu$", "PATCH") == []
