"""A create into a resource group that does not exist says how to create that group, with the
names the command already has: ARM's ResourceGroupNotFound names the group ("Resource group 'NAME'
could not be found."), and `cluster create` knows its --location."""

from __future__ import annotations

from tests.azure.helpers import seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_cluster_create_in_a_missing_group_hints_the_group_create_to_run(azure_env: ArmEmulator) -> None:
    result = invoke("cluster", "create", "ml", "-g", "rg-missing", "--sku", "base", "-l", "westus3")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == (
        "hint: check the resource group (-g) and subscription; to create it: 'az group create -n rg-missing -l westus3'"
    )


def test_a_command_that_knows_no_location_names_the_group_and_leaves_the_location_to_fill(
    azure_env: ArmEmulator,
) -> None:
    seed_cluster(azure_env)
    result = invoke("nodepool", "add", "gpu", "-c", "aks1", "-g", "rg-missing", "--vm-size", "Standard_D8ds_v5")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1].endswith("'az group create -n rg-missing -l LOCATION'")
