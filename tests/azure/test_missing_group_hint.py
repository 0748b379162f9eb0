"""A create into a resource group that does not exist says how to create that group, with the
names the command already has: ARM's ResourceGroupNotFound names the group ("Resource group 'NAME'
could not be found."), and `cluster create` knows its --location. Any other command acts on a
cluster, which cannot be in a group that does not exist: its hint says so, not how to make the group."""

from __future__ import annotations

import pytest

from tests.azure.helpers import seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_cluster_create_in_a_missing_group_hints_the_group_create_to_run(azure_env: ArmEmulator) -> None:
    result = invoke("cluster", "create", "ml", "-g", "rg-missing", "--sku", "base", "-l", "westus3")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == (
        "hint: check the resource group (-g) and subscription; to create it: 'az group create -n rg-missing -l westus3'"
    )


def test_nodepool_add_in_a_missing_group_says_to_create_the_cluster_first(azure_env: ArmEmulator) -> None:
    # The cluster cannot be in a group that does not exist: creating the group alone adds no pool.
    seed_cluster(azure_env)
    result = invoke("nodepool", "add", "gpu", "-c", "aks1", "-g", "rg-missing", "--vm-size", "Standard_D8ds_v5")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == (
        "hint: check the resource group (-g) and subscription: cluster aks1 cannot be in a group that does not "
        "exist ('akscli cluster list' shows each cluster's group); or create the cluster first: "
        "'akscli cluster create aks1 -g rg-missing'"
    )


@pytest.mark.parametrize(
    "command",
    [
        "cluster show aks1 -g rg-missing",
        "cluster delete aks1 -g rg-missing -y",
        "nodepool scale system -c aks1 -g rg-missing --count 2",
        "nodepool list -c aks1 -g rg-missing",
    ],
)
def test_a_command_on_a_cluster_in_a_missing_group_says_it_cannot_be_there(
    azure_env: ArmEmulator, command: str
) -> None:
    seed_cluster(azure_env)
    result = invoke(*command.split())
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == (
        "hint: check the resource group (-g) and subscription: cluster aks1 cannot be in a group that does not "
        "exist ('akscli cluster list' shows each cluster's group)"
    )


def test_cluster_list_of_a_missing_group_points_at_the_list_of_the_subscription(azure_env: ArmEmulator) -> None:
    # A list finds nothing a new, empty group would hold: creating the group is no fix.
    result = invoke("cluster", "list", "-g", "rg-missing")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == (
        "hint: check the resource group (-g) and subscription: 'akscli cluster list' (without -g) shows each "
        "cluster of the subscription with its group"
    )
