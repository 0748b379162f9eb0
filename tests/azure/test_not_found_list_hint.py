"""A cluster or node pool name that is not there (a typo, the wrong -g) names the list to look in,
as a model's not-found names `akscli model list -n NS`: ARM's 404 message alone ("The Resource
'Microsoft.ContainerService/managedClusters/agentPools/gpux' under resource group ... was not
found") does not say which cluster was read, nor how to see what is there."""

from __future__ import annotations

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

CHECK = "hint: check the name, resource group (-g) and subscription: "
POOLS = CHECK + f"'akscli nodepool list --cluster aks1 -g {RG}' lists the cluster's pools"
CLUSTERS = CHECK + f"'akscli cluster list -g {RG}' lists the group's clusters"


@pytest.mark.parametrize(
    "command",
    [
        f"nodepool show gpux -c aks1 -g {RG}",
        f"nodepool scale gpux -c aks1 -g {RG} --count 2",
    ],
)
def test_a_pool_that_is_not_there_names_the_list_of_the_clusters_pools(azure_env: ArmEmulator, command: str) -> None:
    seed_cluster(azure_env)
    result = invoke(*command.split())
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == POOLS


@pytest.mark.parametrize(
    "command",
    [
        f"cluster show aks2 -g {RG}",
        f"cluster credentials aks2 -g {RG}",
        # A new pool's PUT 404s only for its cluster: the pools' list would fail the same way.
        f"nodepool add gpu -c aks2 -g {RG} --vm-size Standard_D8ds_v5",
    ],
)
def test_a_cluster_that_is_not_there_names_the_list_of_the_groups_clusters(
    azure_env: ArmEmulator, command: str
) -> None:
    seed_cluster(azure_env)
    result = invoke(*command.split())
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[1] == CLUSTERS
