"""A Fleet command in a resource group that does not exist says what fits it, as a cluster's does
(tests/azure/test_missing_group_hint.py): ARM answers 404 ResourceGroupNotFound "Resource group 'NAME'
could not be found." (learn.microsoft.com azure-resource-manager/troubleshooting/error-not-found).

- Only the fleet's own PUT (`fleet create`) puts something into the group: its hint is the
  `az group create` to run, with the --location given.
- A list of the group finds nothing a new, empty group would hold: its hint is the subscription-wide list.
- Anything else acts on a fleet, or on what lives below one, which a missing group cannot hold."""

from __future__ import annotations

import pytest

from tests.azure.helpers import seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

MISSING = ["-g", "rg-missing"]
NO_FLEET = (
    "hint: check the resource group (-g) and subscription: fleet f1 cannot be in a group that does not exist "
    "('akscli fleet list' shows each fleet's group)"
)


def test_fleet_create_in_a_missing_group_hints_the_group_create_with_its_location(azure_env: ArmEmulator) -> None:
    result = invoke("fleet", "create", "f1", *MISSING, "-l", "westus3")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == (
        "hint: check the resource group (-g) and subscription; to create it: 'az group create -n rg-missing -l westus3'"
    )


def test_fleet_list_of_a_missing_group_points_at_the_list_of_the_subscription(azure_env: ArmEmulator) -> None:
    result = invoke("fleet", "list", *MISSING)
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == (
        "hint: check the resource group (-g) and subscription: 'akscli fleet list' (without -g) shows each fleet "
        "of the subscription with its group"
    )


@pytest.mark.parametrize(
    "command",
    [
        "fleet show f1",
        "fleet delete f1 -y",
        "fleet credentials f1",
        "fleet member list --fleet f1",
        "fleet member show m1 --fleet f1",
        "fleet member remove m1 --fleet f1 -y",
        "fleet rollout list --fleet f1",
        "fleet rollout status run-1 --fleet f1",
        "fleet rollout strategy show two-step --fleet f1",
        "fleet autoupgrade list --fleet f1",
    ],
)
def test_a_command_on_a_fleet_in_a_missing_group_says_it_cannot_be_there(azure_env: ArmEmulator, command: str) -> None:
    result = invoke(*command.split(), *MISSING)
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == NO_FLEET


def test_a_join_to_a_fleet_in_a_missing_group_says_to_create_the_fleet_first(azure_env: ArmEmulator) -> None:
    # The cluster is found (its own group is given); the member's PUT meets the missing group.
    seed_cluster(azure_env, "aks1", "rg-ml")
    result = invoke(
        "fleet", "member", "join", "m1", "--fleet", "f1", *MISSING, "--cluster", "aks1", "--cluster-group", "rg-ml"
    )
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == (
        f"{NO_FLEET}; or create the fleet first: 'akscli fleet create f1 -g rg-missing -l LOCATION'"
    )


def test_a_join_of_a_cluster_in_a_missing_group_says_the_cluster_cannot_be_there(azure_env: ArmEmulator) -> None:
    result = invoke("fleet", "member", "join", "m1", "--fleet", "f1", *MISSING, "--cluster", "aks1")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == (
        "hint: nothing was joined; check --cluster-group (default: -g) and --subscription: cluster aks1 cannot be in "
        "a group that does not exist ('akscli cluster list' shows each cluster's group)"
    )
    assert azure_env.requests_to("fleets/f1/members", method="PUT") == []
