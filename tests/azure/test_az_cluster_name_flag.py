"""az aks nodepool names the cluster --cluster-name (upstream: Azure/azure-cli 0088c878
src/azure-cli/azure/cli/command_modules/acs/_params.py, argument_context('aks nodepool'):
cluster_name), so an `az aks nodepool ...` line's cluster flag works on akscli's nodepool
commands: one option with --cluster (grammar.AZ_ALIASES)."""

from __future__ import annotations

import json

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

POOLS = [
    {"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
    {"name": "work", "count": 1, "vmSize": "Standard_D8ds_v5"},
]


def test_nodepool_list_takes_az_cluster_name(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=POOLS)
    r = invoke("nodepool", "list", "--cluster-name", "aks1", "-g", RG, "-o", "name")
    assert r.exit_code == 0, r
    assert r.stdout.split() == ["nodepool/system", "nodepool/work"]


def test_nodepool_scale_takes_az_cluster_name(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=POOLS)
    r = invoke("nodepool", "scale", "work", "--cluster-name", "aks1", "-g", RG, "--node-count", "3")
    assert r.exit_code == 0, r
    put = azure_env.requests_to("/managedClusters/aks1/agentPools/work$", "PUT")[-1]
    assert json.loads(put.body)["properties"]["count"] == 3


def test_cluster_name_and_cluster_are_one_option_in_the_help() -> None:
    r = invoke("nodepool", "add", "--help")
    assert "-c, --cluster, --cluster-name CLUSTER" in r.stdout
