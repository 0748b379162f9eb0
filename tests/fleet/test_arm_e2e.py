"""``akscli fleet`` against the ARM emulator: fleets, members (AKS and Arc), upgrade runs, gates."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.cli import invoke, list_items
from tests.emulators.arm import AKS_SERVER_APP
from tests.fleet.armworld import ABSENT_DELETES, ARM, FLEET, RG, arc_id, fleet_id, ok, seed_members, sub


def _join_both(emu: Any) -> None:
    aks = invoke(
        "fleet",
        "member",
        "join",
        "gpu",
        "--cluster",
        "aks-gpu",
        *ARM,
        "--labels",
        "env=prod,gpu=a100",
        "--update-group",
        "cloud",
    )
    assert aks.exit_code == 0, aks
    arc = invoke("fleet", "member", "join", "edge", "--cluster", arc_id(emu, "edge-1"), *ARM, "--update-group", "edge")
    assert arc.exit_code == 0, arc


def test_join_table_shows_the_labels_set_and_none_for_an_unset_update_group(fleet: Any) -> None:
    result = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM, "--labels", "env=prod")
    assert result.exit_code == 0, result
    fields = dict(re.split(r":\s+", line, maxsplit=1) for line in result.stdout.splitlines())
    assert (fields["update group"], fields["labels"]) == ("<none>", "env=prod")


def test_create_makes_a_fleet_with_a_hub(azure_env: Any) -> None:
    result = invoke("fleet", "create", FLEET, "-g", RG, "-o", "json")
    assert result.exit_code == 0, result
    created = json.loads(result.stdout)
    assert created["properties"]["hubProfile"]["dnsPrefix"] == f"{FLEET}-hub"
    assert azure_env.get_resource(fleet_id(azure_env))["location"] == "eastus"


def test_creating_a_fleet_that_exists_is_a_conflict_and_leaves_it_as_it_was(azure_env: Any) -> None:
    # as cluster create: If-None-Match: *, 412 -> exit 4; a plain PUT replaced the fleet
    assert invoke("fleet", "create", FLEET, "-g", RG).exit_code == 0
    before = azure_env.get_resource(fleet_id(azure_env))
    again = invoke("fleet", "create", FLEET, "-g", RG, "--no-hub")
    assert again.exit_code == 4, again
    assert (
        again.stderr.count("error:") == 1
        and f"error: fleet {FLEET} already exists in resource group {RG}" in again.stderr
    )
    assert azure_env.get_resource(fleet_id(azure_env)) == before


def test_a_created_hub_has_the_fqdn_and_version_the_service_fills_in(azure_env: Any) -> None:
    # fleet show printed "hub fqdn:" and "kubernetes:" empty: the emulator filled in no hubProfile.fqdn.
    # Fleets_CreateOrUpdate.json answers "dnsprefix1-abcd1234.flt.eastus.azmk8s.io", portalFqdn the same.
    assert invoke("fleet", "create", FLEET, "-g", RG).exit_code == 0
    hub = json.loads(invoke("fleet", "show", FLEET, "-g", RG, "-o", "json").stdout)["properties"]["hubProfile"]
    assert re.fullmatch(rf"{FLEET}-hub-[0-9a-f]{{8}}\.flt\.eastus\.azmk8s\.io", hub["fqdn"]), hub
    assert hub["portalFqdn"] == hub["fqdn"] and re.fullmatch(r"\d+\.\d+\.\d+", hub["kubernetesVersion"])
    shown = invoke("fleet", "show", FLEET, "-g", RG)
    assert f"hub fqdn:   {hub['fqdn']}" in shown.stdout
    assert f"kubernetes: {hub['kubernetesVersion']}" in shown.stdout


def test_a_hubless_fleet_shows_none_for_the_hub_values(azure_env: Any) -> None:
    assert invoke("fleet", "create", FLEET, "-g", RG, "--no-hub").exit_code == 0
    shown = invoke("fleet", "show", FLEET, "-g", RG)
    assert shown.exit_code == 0, shown
    assert "hub:        no" in shown.stdout
    assert "hub fqdn:   <none>" in shown.stdout and "kubernetes: <none>" in shown.stdout
    listed = invoke("fleet", "list", "-g", RG, "-o", "wide")
    assert listed.stdout.splitlines()[1].split()[4] == "<none>"  # name location hub state HUB FQDN


def test_credentials_of_a_hubless_fleet_say_it_has_no_hub(azure_env: Any, tmp_path: Path) -> None:
    # It was the listCredentials error and "fix the value named above" (exit 2): the fleet is read once
    # the call fails, and a fleet without hubProfile says so.
    assert invoke("fleet", "create", FLEET, "-g", RG, "--no-hub").exit_code == 0
    result = invoke("fleet", "credentials", FLEET, "-g", RG, "--kubeconfig", str(tmp_path / "kc"))
    assert result.exit_code == 3, result
    assert result.stderr.splitlines() == [
        f"error: fleet '{FLEET}' has no hub kubeconfig",
        "hint: a fleet created with --no-hub has no hub; placement needs one",
    ]


def test_create_without_hub_refuses_hub_settings(azure_env: Any) -> None:
    result = invoke("fleet", "create", FLEET, "-g", RG, "--no-hub", "--hub-vm-size", "Standard_D4s_v3")
    assert result.exit_code == 2
    assert "need a hub" in result.stderr


def test_show_prints_the_fleet_with_its_hub(fleet: Any) -> None:
    shown = invoke("fleet", "show", FLEET, "-g", RG, "-o", "json")
    assert json.loads(shown.stdout)["properties"]["hubProfile"]["dnsPrefix"] == f"{FLEET}-hub"


def test_list_names_the_fleets_of_a_resource_group(fleet: Any) -> None:
    listed = invoke("fleet", "list", "-g", RG, "-o", "name")
    assert listed.stdout.split() == [f"fleet/{FLEET}"]


def test_delete_with_yes_removes_the_fleet(fleet: Any) -> None:
    deleted = invoke("fleet", "delete", FLEET, "-g", RG, "-y")
    assert deleted.exit_code == 0, deleted
    assert fleet.get_resource(fleet_id(fleet)) is None


def test_delete_without_yes_and_without_a_terminal_changes_nothing(fleet: Any) -> None:
    result = invoke("fleet", "delete", FLEET, "-g", RG)
    assert result.exit_code == 2
    assert fleet.get_resource(fleet_id(fleet)) is not None


def test_show_of_a_missing_fleet_is_not_found(fleet: Any) -> None:
    result = invoke("fleet", "show", "nope", "-g", RG)
    assert result.exit_code == 3, result
    assert "Traceback" not in result.stderr
    # A typed name is the likely cause: the hint names the list to look in (armerrors._listing).
    assert result.stderr.splitlines()[1] == (
        "hint: check the name, resource group (-g) and subscription: "
        f"'akscli fleet list -g {RG}' lists the group's fleets"
    )


def test_members_list_aks_and_arc_with_group_labels_version_and_health(fleet: Any) -> None:
    _join_both(fleet)
    rows = list_items(invoke("fleet", "member", "list", *ARM, "-o", "json").stdout)
    by_name = {r["name"]: r for r in rows}
    assert by_name["gpu"]["type"] == "AKS"
    assert by_name["gpu"]["labels"] == {"env": "prod", "gpu": "a100"}
    assert (by_name["gpu"]["kubernetesVersion"], by_name["gpu"]["healthy"]) == ("1.33.2", True)
    assert (by_name["edge"]["type"], by_name["edge"]["group"]) == ("Arc", "edge")
    assert by_name["edge"]["kubernetesVersion"] == "1.32.5"
    table = invoke("fleet", "member", "list", *ARM).stdout
    assert table.splitlines()[0].split()[:4] == ["NAME", "TYPE", "UPDATE", "GROUP"]


def test_member_list_table_says_none_for_an_unset_update_group_and_labels(fleet: Any) -> None:
    # kubectl's <none> for an unset cell, as the join table prints it (a blank cell shifted the row)
    assert invoke("fleet", "member", "join", "plain", "--cluster", "aks-gpu", *ARM).exit_code == 0
    table = invoke("fleet", "member", "list", *ARM).stdout
    row = next(line for line in table.splitlines() if line.startswith("plain "))
    assert row.split() == ["plain", "AKS", "<none>", "<none>", "1.33.2", "Succeeded", "yes", "yes"], table


def test_member_remove(fleet: Any) -> None:
    seed_members(fleet)
    assert invoke("fleet", "member", "remove", "edge", *ARM, "-y").exit_code == 0
    names = invoke("fleet", "member", "list", *ARM, "-o", "name").stdout.split()
    assert names == ["member/gpu"]


def test_fleet_delete_and_member_remove_print_kubectls_delete_line(fleet: Any) -> None:
    # the one ARM delete line (azopts.deleted), as cluster and nodepool delete print it
    seed_members(fleet)
    removed = invoke("fleet", "member", "remove", "edge", *ARM, "-y")
    assert (removed.exit_code, removed.stdout) == (0, 'member "edge" removed\n'), removed
    deleted = invoke("fleet", "delete", FLEET, "-g", RG, "-y")
    assert (deleted.exit_code, deleted.stdout) == (0, f'fleet "{FLEET}" deleted\n'), deleted


def test_member_remove_o_name_prints_the_members_name_form(fleet: Any) -> None:
    # kubectl delete -o name: the name form only, as `member list -o name` prints it
    seed_members(fleet)
    result = invoke("fleet", "member", "remove", "edge", *ARM, "-y", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "member/edge\n"


def test_delete_o_name_prints_the_fleets_name_form(fleet: Any) -> None:
    deleted = invoke("fleet", "delete", FLEET, "-g", RG, "-y", "-o", "name")
    assert deleted.exit_code == 0, deleted
    assert deleted.stdout == f"fleet/{FLEET}\n"


def test_joining_something_that_is_not_a_cluster_is_refused_before_any_request(fleet: Any) -> None:
    before = len(fleet.request_log)
    result = invoke(
        "fleet",
        "member",
        "join",
        "vm",
        *ARM,
        "--cluster",
        f"/subscriptions/{sub(fleet)}/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachines/vm1",
    )
    assert result.exit_code == 2
    assert "cannot join a fleet" in result.stderr
    assert not [e for e in fleet.request_log[before:] if "/members/" in e.path]


def test_an_upgrade_run_over_an_arc_member_is_refused_with_the_reason(fleet: Any) -> None:
    seed_members(fleet)
    result = invoke(
        "fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "Full", "--kubernetes-version", "1.34.0"
    )
    assert result.exit_code == 2, result
    assert "Arc-enabled members cannot be upgraded" in result.stderr
    assert "edge" in result.stderr
    assert "hint:" in result.stderr


def test_credentials_merge_the_hub_kubeconfig_signing_in_through_akscli_token(fleet: Any, tmp_path: Path) -> None:
    path = tmp_path / "config"
    result = invoke("fleet", "credentials", FLEET, "-g", RG, "--kubeconfig", str(path), "-o", "json")
    assert result.exit_code == 0, result
    info = json.loads(result.stdout)
    assert info["path"] == str(path)
    text = path.read_text()
    assert f"clusterUser_{FLEET}" in text
    assert "command: akscli" in text
    assert "kubelogin" not in text
    again = invoke("fleet", "credentials", FLEET, "-g", RG, "--kubeconfig", str(path))
    assert "already up to date" in again.stderr


def test_credentials_name_output_prints_the_hub_context_written(fleet: Any, tmp_path: Path) -> None:
    path = tmp_path / "config"
    result = invoke("fleet", "credentials", FLEET, "-g", RG, "--kubeconfig", str(path), "-o", "name")
    assert result.exit_code == 0, result
    context = YAML(typ="safe").load(path.read_text())["current-context"]
    assert context and result.stdout == f"{context}\n"


def test_credentials_with_azure_cli_sign_in_write_the_tenant_given(fleet: Any, tmp_path: Path) -> None:
    """As 'cluster credentials' and kubelogin's convert-kubeconfig -l azurecli --tenant-id."""
    path = tmp_path / "config"
    args = ("fleet", "credentials", FLEET, "-g", RG, "--kubeconfig", str(path), "--login", "azurecli")
    result = invoke(*args, "--tenant", fleet.tenant)
    assert result.exit_code == 0, result
    exec_args = YAML(typ="safe", pure=True).load(path.read_text())["users"][0]["user"]["exec"]["args"]
    assert exec_args[exec_args.index("--tenant-id") + 1] == fleet.tenant


IDENTITY_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/ml-runner"
)


@pytest.mark.parametrize(
    "flag", [("--identity-resource-id", IDENTITY_ID), ("--client-id", "5b3c1f0e-2d4a-4e6b-8c9d-0a1b2c3d4e5f")]
)
def test_credentials_with_msi_write_the_identity_given(fleet: Any, tmp_path: Path, flag: tuple[str, str]) -> None:
    """As 'cluster credentials' and kubelogin's convert-kubeconfig -l msi (convert.go, case token.MSILogin)."""
    path = tmp_path / "config"
    result = invoke("fleet", "credentials", FLEET, "-g", RG, "--kubeconfig", str(path), "--login", "msi", *flag)
    assert result.exit_code == 0, result
    exec_args = YAML(typ="safe", pure=True).load(path.read_text())["users"][0]["user"]["exec"]["args"]
    assert exec_args == ["token", "--login", "msi", "--server-id", AKS_SERVER_APP, *flag]


def test_credentials_refuse_an_identity_without_msi_before_fetching_the_hubs_kubeconfig(
    fleet: Any, tmp_path: Path
) -> None:
    path = tmp_path / "config"
    result = invoke(
        "fleet", "credentials", FLEET, "-g", RG, "--kubeconfig", str(path), "--identity-resource-id", IDENTITY_ID
    )
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == "error: --identity-resource-id names the managed identity of --login msi"
    assert fleet.requests_to("/listCredentials$", "POST") == [] and not path.exists()


def _run_with_strategy(fleet: Any) -> None:
    seed_members(fleet)
    invoke("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "s;groups=cloud")
    invoke("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--strategy", "safe")


def test_rollout_delete_with_fleet_removes_the_update_run(fleet: Any) -> None:
    _run_with_strategy(fleet)
    assert invoke("fleet", "rollout", "delete", "up-1", *ARM, "-y").exit_code == 0
    assert fleet.get_resource(f"{fleet_id(fleet)}/updateRuns/up-1") is None


def test_strategy_delete_with_fleet_removes_the_update_strategy(fleet: Any) -> None:
    _run_with_strategy(fleet)
    assert invoke("fleet", "rollout", "strategy", "delete", "safe", *ARM, "-y").exit_code == 0
    assert fleet.get_resource(f"{fleet_id(fleet)}/updateStrategies/safe") is None


def test_auto_upgrade_profile_refuses_arc_members_unless_its_strategy_leaves_them_out(fleet: Any) -> None:
    seed_members(fleet)
    refused = invoke("fleet", "autoupgrade", "create", "nightly", *ARM, "--channel", "NodeImage")
    assert refused.exit_code == 2
    assert "Arc-enabled" in refused.stderr
    invoke("fleet", "rollout", "strategy", "create", "cloud-only", *ARM, "--stage", "s;groups=cloud")
    created = invoke(
        "fleet",
        "autoupgrade",
        "create",
        "nightly",
        *ARM,
        "--channel",
        "NodeImage",
        "--strategy",
        "cloud-only",
        "-o",
        "json",
    )
    assert created.exit_code == 0, created
    assert json.loads(created.stdout)["properties"]["updateStrategyId"].endswith("/cloud-only")
    assert invoke("fleet", "autoupgrade", "list", *ARM, "-o", "name").stdout.split() == ["autoupgradeprofile/nightly"]
    assert invoke("fleet", "autoupgrade", "delete", "nightly", *ARM, "-y").exit_code == 0


def test_strategy_create_over_an_existing_strategy_is_refused_and_keeps_its_stages(fleet: Any) -> None:
    # The PUT carries If-None-Match: * (fleet/update/strategy.tsp createOrUpdate takes it) and ARM
    # answers 412; the plain PUT replaced the strategy and printed "created".
    ok("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "s;groups=cloud")
    result = invoke("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "t;groups=edge")
    assert result.exit_code == 4, result
    assert f"error: update strategy safe already exists in fleet {FLEET}" in result.stderr
    assert f"akscli fleet rollout strategy delete safe --fleet {FLEET} -g {RG} -y" in result.stderr
    strategy = fleet.get_resource(f"{fleet_id(fleet)}/updateStrategies/safe")
    assert [s["name"] for s in strategy["properties"]["strategy"]["stages"]] == ["s"]


def test_autoupgrade_create_over_an_existing_profile_is_refused_and_keeps_it(fleet: Any) -> None:
    # fleet/update/autoupgradeprofile.tsp createOrUpdate takes If-None-Match too.
    ok("fleet", "autoupgrade", "create", "nightly", *ARM, "--channel", "Stable")
    result = invoke("fleet", "autoupgrade", "create", "nightly", *ARM, "--channel", "Rapid")
    assert result.exit_code == 4, result
    assert f"error: auto-upgrade profile nightly already exists in fleet {FLEET}" in result.stderr
    assert f"akscli fleet autoupgrade delete nightly --fleet {FLEET} -g {RG} -y" in result.stderr
    profile = fleet.get_resource(f"{fleet_id(fleet)}/autoUpgradeProfiles/nightly")
    assert profile["properties"]["channel"] == "Stable"


def test_target_version_channel_needs_a_minor_version(fleet: Any) -> None:
    result = invoke("fleet", "autoupgrade", "create", "pin", *ARM, "--channel", "TargetKubernetesVersion")
    assert result.exit_code == 2
    assert "--target-kubernetes-version" in result.stderr


def test_strategies_and_fleets_are_listed_across_the_subscription(fleet: Any) -> None:
    invoke("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "s;groups=cloud;before=approval")
    rows = list_items(invoke("fleet", "rollout", "strategy", "list", *ARM, "-o", "json").stdout)
    assert [r["name"] for r in rows] == ["safe"]
    stage = rows[0]["properties"]["strategy"]["stages"][0]
    assert stage["beforeGates"] == [{"displayName": "approve before s", "type": "Approval"}]
    assert invoke("fleet", "list", "-o", "name").stdout.split() == [f"fleet/{FLEET}"]


@pytest.mark.parametrize(
    "command",
    ABSENT_DELETES,
    ids=lambda c: " ".join(c[1:3]),
)
def test_deleting_what_does_not_exist_is_not_found_not_deleted(fleet: Any, command: list[str]) -> None:
    """ARM answers 204 to a DELETE of nothing; akscli reads first, as kubectl and cluster delete."""
    result = invoke(*command, "-y")
    assert result.exit_code == 3, result
    assert "deleted" not in result.stdout and "removed" not in result.stdout
    assert [r for r in fleet.request_log if r.method == "DELETE"] == []


def test_a_listing_error_names_the_children_in_plain_english(azure_env: Any) -> None:
    result = invoke("fleet", "rollout", "strategy", "list", "--fleet", "nosuch", "-g", RG)
    assert result.exit_code == 3
    assert "listing update strategies of fleet nosuch" in result.stderr
