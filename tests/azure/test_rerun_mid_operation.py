"""A create re-run while the first one still runs (interrupted, or --no-wait) says so and sends nothing.

AKS refuses a second write to a cluster or pool with an operation running (409 OperationNotAllowed,
"Another operation ... is in progress, please wait for it to finish before starting a new operation";
aka.ms/aks-pending-operation), and the ARM RPC's client waits for a terminal provisioningState
(Azure/azure-resource-manager-rpc v1.0/async-api-reference.md). So the re-run names the running
operation and the command that waits for it, instead of calling a cluster being created one that
"already exists" and must be changed or deleted."""

from __future__ import annotations

from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_a_create_rerun_while_the_cluster_is_creating_says_to_wait_for_it(azure_env: ArmEmulator) -> None:
    azure_env.lro_polls = 50
    azure_env.retry_after = 5  # keeps this process's own background poller out of the way
    assert invoke("cluster", "create", "aks1", "-g", RG, "--no-wait").exit_code == 0
    r = invoke("cluster", "create", "aks1", "-g", RG)
    assert r.exit_code == 4, r
    assert "cluster aks1 is still Creating: an operation is running on it" in r.stderr
    assert f"akscli cluster wait aks1 -g {RG}" in r.stderr
    assert len(azure_env.requests_to("/managedClusters/aks1$", "PUT")) == 1


def test_a_create_rerun_once_the_cluster_is_there_still_says_it_exists(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("cluster", "create", "aks1", "-g", RG)
    assert r.exit_code == 4, r
    assert "already exists" in r.stderr and "still" not in r.stderr


def test_a_pool_add_rerun_while_the_pool_is_creating_says_to_wait_for_it(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 50
    azure_env.retry_after = 5
    add = ("nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--gpu", "a100")
    assert invoke(*add, "--no-wait").exit_code == 0
    r = invoke(*add)
    assert r.exit_code == 4, r
    assert "node pool gpu is still Creating: an operation is running on it" in r.stderr
    assert f"akscli nodepool show gpu --cluster aks1 -g {RG}" in r.stderr
    assert len(azure_env.requests_to(cluster_id("aks1") + "/agentPools/gpu$", "PUT")) == 1


def test_a_create_while_the_cluster_is_deleting_says_to_wait_until_it_is_gone(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 50
    azure_env.retry_after = 5
    assert invoke("cluster", "delete", "aks1", "-g", RG, "-y", "--no-wait").exit_code == 0
    r = invoke("cluster", "create", "aks1", "-g", RG)
    assert r.exit_code == 4, r
    assert "cluster aks1 is still Deleting" in r.stderr
    assert f"akscli cluster wait aks1 -g {RG} --deleted', then create it again" in r.stderr
    assert not azure_env.requests_to("/managedClusters/aks1$", "PUT")


def test_an_add_while_the_pool_is_deleting_says_to_wait_until_it_is_gone(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    add = ("nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--gpu", "a100")
    assert invoke(*add).exit_code == 0
    azure_env.lro_polls = 50
    azure_env.retry_after = 5
    assert invoke("nodepool", "delete", "gpu", "-c", "aks1", "-g", RG, "-y", "--no-wait").exit_code == 0
    r = invoke(*add)
    assert r.exit_code == 4, r
    assert "node pool gpu is still Deleting" in r.stderr
    assert "no longer finds it, then add it again" in r.stderr
    assert len(azure_env.requests_to(cluster_id("aks1") + "/agentPools/gpu$", "PUT")) == 1
