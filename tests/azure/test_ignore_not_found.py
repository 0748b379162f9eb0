"""--ignore-not-found on the ARM deletes (cluster, nodepool), as kubectl delete --ignore-not-found:
an absent object is exit 0 with nothing on stdout and no DELETE sent; without the flag it stays
exit 3 with one line (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go, DeleteResult)."""

from __future__ import annotations

from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import DEFAULT_SUBSCRIPTION, ArmEmulator

POOLS = [
    {"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
    {"name": "work", "count": 1, "vmSize": "Standard_D8ds_v5"},
]


def _deletes(emu: ArmEmulator) -> list[str]:
    return [r.path for r in emu.request_log if r.method == "DELETE"]


def test_deleting_an_absent_node_pool_with_ignore_not_found_is_exit_0_silent_and_sends_no_delete(
    azure_env: ArmEmulator,
) -> None:
    seed_cluster(azure_env)
    r = invoke("nodepool", "delete", "ghost", "-c", "aks1", "-g", RG, "-y", "--ignore-not-found")
    assert r.exit_code == 0, r
    assert r.stdout == ""
    assert _deletes(azure_env) == []


def test_deleting_an_absent_cluster_without_ignore_not_found_is_still_not_found_in_one_line(
    azure_env: ArmEmulator,
) -> None:
    r = invoke("cluster", "delete", "ghost", "-g", RG, "-y")
    assert r.exit_code == 3, r
    assert r.stdout == "" and r.stderr.startswith("error: ") and "ghost" in r.stderr.splitlines()[0]
    assert _deletes(azure_env) == []


def test_a_missing_resource_group_is_nothing_to_delete_with_ignore_not_found(azure_env: ArmEmulator) -> None:
    # ARM's 404 ResourceGroupNotFound, as kubectl ignores a NotFound of the namespace too
    r = invoke("cluster", "delete", "ghost", "-g", "rg-nosuch", "-y", "--ignore-not-found")
    assert r.exit_code == 0, r
    assert r.stdout == "" and _deletes(azure_env) == []


def test_a_node_pool_of_a_missing_cluster_is_nothing_to_delete_with_ignore_not_found(azure_env: ArmEmulator) -> None:
    r = invoke("nodepool", "delete", "work", "-c", "ghost", "-g", RG, "-y", "--ignore-not-found")
    assert r.exit_code == 0, r
    assert r.stdout == "" and _deletes(azure_env) == []


def test_ignore_not_found_still_deletes_a_node_pool_that_exists(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=POOLS)
    r = invoke("nodepool", "delete", "work", "-c", "aks1", "-g", RG, "-y", "--ignore-not-found", "-o", "name")
    assert r.exit_code == 0, r
    assert r.stdout == "nodepool/work\n"
    cluster = azure_env.get_resource(cluster_id("aks1"))
    assert [p["name"] for p in cluster["properties"]["agentPoolProfiles"]] == ["system"]


def test_the_arm_emulator_answers_a_delete_of_an_absent_resource_with_204(azure_env: ArmEmulator) -> None:
    # upstream: Azure/azure-resource-manager-rpc 69e229f v1.0/resource-api-reference.md, "Delete
    # Resource": 204 (NoContent) "if the resource does not exist and the request is well formed"
    from akscli.azure import arm

    path = f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.ContainerService"
    client = arm.raw_client(arm.AzureTarget())
    assert arm.raw_call(client, "DELETE", f"{path}/managedClusters/ghost", "2026-08-01") is None
    assert [e.status for e in azure_env.request_log if e.method == "DELETE"] == [204]
