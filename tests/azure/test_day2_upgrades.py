"""Day-2 journeys of a platform engineer (upgrades and scale) against the ARM emulator: what
audit14's hand runs found (docs/changes/audit14-day2.md)."""

from __future__ import annotations

import json
import re

import pytest

from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_progress_lines_of_a_long_running_operation_say_the_elapsed_time_once(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 2
    azure_env.retry_after = 1
    r = invoke("cluster", "stop", "aks1", "-g", RG, "-y", "-o", "name")
    assert r.exit_code == 0, r
    progress = [line for line in r.stderr.splitlines() if line.startswith("stop cluster aks1:")]
    assert progress, r.stderr
    # "stop cluster aks1: Succeeded, 1s", not "stop cluster aks1: Succeeded (1s), 1s"
    assert not [line for line in progress if re.search(r"\(\d+s\)", line)], progress


def _behind(emu: ArmEmulator) -> None:
    """A cluster whose control plane went ahead alone (--control-plane-only): 1.33.5, its pool 1.32.9."""
    seed_cluster(
        emu,
        pools=[
            {
                "name": "system",
                "mode": "System",
                "count": 3,
                "vmSize": "Standard_D4ds_v5",
                "orchestratorVersion": "1.32.9",
                "currentOrchestratorVersion": "1.32.9",
            }
        ],
    )


def test_upgrading_to_the_control_plane_version_brings_the_node_pools_behind_it_up(azure_env: ArmEmulator) -> None:
    # az aks upgrade -k <the control plane's version> upgrades the node pools to it (aks_upgrade)
    _behind(azure_env)
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.33.5", "-y", "-o", "json")
    assert r.exit_code == 0, r
    pool = json.loads(r.stdout)["properties"]["agentPoolProfiles"][0]
    assert pool["currentOrchestratorVersion"] == "1.33.5"


def test_upgrading_to_the_control_plane_minor_sends_its_patch_to_the_pools(azure_env: ArmEmulator) -> None:
    _behind(azure_env)
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.33", "--dry-run", "-o", "json")
    assert r.exit_code == 0, r
    body = json.loads(r.stdout)["body"]["properties"]
    assert body["kubernetesVersion"] == "1.33.5"
    assert body["agentPoolProfiles"][0]["orchestratorVersion"] == "1.33.5"


def test_upgrading_a_cluster_to_the_version_everything_runs_says_it_is_already_there(azure_env: ArmEmulator) -> None:
    # az aks upgrade warns "The cluster is already on version ..." and exits 0, so a pipeline
    # pinned to a version passes when it runs again (Azure/azure-cli acs/custom.py aks_upgrade).
    seed_cluster(azure_env)
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.33.5", "-y", "-o", "name")
    assert r.exit_code == 0, r
    assert r.stdout == "cluster/aks1\n"
    assert (
        "cluster aks1 is already at 1.33.5 (its control plane and every node pool); nothing to upgrade. "
        "'akscli cluster upgrade aks1 -g rg-ml --list' lists the newer versions"
    ) in r.stderr
    assert "error" not in r.stderr
    assert azure_env.requests_to("/managedClusters/aks1$", "PUT") == []


def test_a_dry_run_of_an_upgrade_to_the_version_everything_runs_prints_no_request(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.33.5", "--dry-run", "-o", "json")
    assert r.exit_code == 0, r
    assert r.stdout == ""
    assert "dry run: there is nothing to send" in r.stderr


def test_a_node_image_upgrade_of_a_stopped_cluster_is_refused_with_a_hint_to_start_it(azure_env: ArmEmulator) -> None:
    # start-stop-cluster.md: only start and delete on a stopped cluster
    seed_cluster(azure_env, powerState={"code": "Stopped"})
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "--node-image-only", "-y")
    assert r.exit_code == 4, r
    assert "stopped state" in r.stderr
    assert "hint: start the cluster first: akscli cluster start aks1 -g rg-ml" in r.stderr


def test_the_emulator_refuses_a_control_plane_upgrade_that_skips_a_minor_version(azure_env: ArmEmulator) -> None:
    # AKS's OperationNotAllowed, worded as aks-upgrade-blocked quotes it
    from akscli.azure import arm, clusters
    from akscli.azure.arm import AzureTarget
    from akscli.errors import ConflictError

    seed_cluster(azure_env, version="1.32.9")
    c = clusters.client(AzureTarget())
    cluster = clusters.get(c, RG, "aks1")
    cluster["properties"]["kubernetesVersion"] = "1.34.2"
    with pytest.raises(ConflictError) as err:
        arm.call("upgrade", lambda: c.managed_clusters.begin_create_or_update(RG, "aks1", cluster))
    assert "Upgrading Kubernetes version 1.32.9 to 1.34.2 is not allowed. Available upgrades: [1.33.5 1.33.3]" in (
        err.value.message
    )


def _fleet(emu: ArmEmulator, versions: dict[str, str]) -> None:
    """A fleet in rg-ml whose members are clusters at the versions given."""
    fleet = cluster_id("x").replace("managedClusters/x", "fleets/fl")
    emu.put_resource(fleet, {"location": "eastus"})
    for name, version in versions.items():
        seed_cluster(emu, name, version=version)
        emu.put_resource(f"{fleet}/members/{name}", {"properties": {"clusterResourceId": cluster_id(name)}})


def _rollout(*args: str) -> str:
    fleet = ("--fleet", "fl", "-g", RG)
    r = invoke("fleet", "rollout", "create", "up", *fleet, *args, "--start")
    assert r.exit_code == 0, r
    invoke("fleet", "rollout", "status", "up", *fleet)  # the emulator's run moves a step per read
    r = invoke("fleet", "rollout", "status", "up", *fleet, "-o", "json")
    assert r.exit_code == 0, r
    return r.stdout


def test_a_fleet_member_aks_cannot_upgrade_fails_the_run_and_keeps_its_version(azure_env: ArmEmulator) -> None:
    # concepts-update-orchestration.md "Failed": the member, its group, stage and run Failed; no further member
    _fleet(azure_env, {"a-old": "1.32.9", "b-new": "1.33.5"})
    status = json.loads(_rollout("-k", "1.34.2"))["properties"]["status"]
    member = status["stages"][0]["groups"][0]["members"][0]
    assert member["name"] == "a-old" and member["status"]["state"] == "Failed"
    assert "Upgrading Kubernetes version 1.32.9 to 1.34.2 is not allowed" in member["status"]["error"]["message"]
    assert status["status"]["state"] == "Failed" and "a-old" in status["status"]["error"]["message"]
    assert status["stages"][0]["groups"][0]["members"][1]["status"]["state"] == "NotStarted"
    cluster = azure_env.get_resource(cluster_id("a-old"))
    assert cluster["properties"]["currentKubernetesVersion"] == "1.32.9"


def test_a_fleet_run_to_a_version_the_region_lacks_leaves_the_members_pending(azure_env: ArmEmulator) -> None:
    # concepts-update-orchestration.md "Pending": the target version is not yet available in the region
    _fleet(azure_env, {"a": "1.33.5"})
    status = json.loads(_rollout("-k", "1.40.0"))["properties"]["status"]
    member = status["stages"][0]["groups"][0]["members"][0]
    assert member["status"]["state"] == "Pending"
    assert "not yet available" in member["message"] and "releases.aks.azure.com" in member["message"]
    assert status["status"]["state"] == "Pending"
    assert azure_env.get_resource(cluster_id("a"))["properties"]["currentKubernetesVersion"] == "1.33.5"


def test_nodepool_upgrade_max_surge_is_sent_in_the_pools_put_and_kept(azure_env: ArmEmulator) -> None:
    # az aks nodepool upgrade --max-surge: upgradeSettings.maxSurge of the pool's PUT (aks_agentpool_upgrade)
    _behind(azure_env)
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "-k", "1.33.5", "--max-surge", "1", "-y")
    assert r.exit_code == 0, r
    pool = azure_env.get_resource(cluster_id("aks1") + "/agentPools/system")["properties"]
    assert (pool["currentOrchestratorVersion"], pool["upgradeSettings"]["maxSurge"]) == ("1.33.5", "1")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--node-image-only", "--max-surge", "1"], "--max-surge goes with a version upgrade"),
        (["-k", "1.33.5", "--max-surge", "one"], "invalid --max-surge 'one'"),
        (["-k", "1.33.5", "--max-surge", "150%"], "invalid --max-surge '150%'"),
    ],
)
def test_nodepool_upgrade_refuses_a_max_surge_it_cannot_send(
    azure_env: ArmEmulator, args: list[str], error: str
) -> None:
    _behind(azure_env)
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, *args, "-y")
    assert r.exit_code == 2, r
    assert error in r.stderr
    assert azure_env.requests_to("/agentPools/system", "PUT") == []


def test_upgrading_a_node_pool_to_the_version_it_runs_says_it_is_already_there(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "-k", "1.33.5", "-y", "-o", "name")
    assert r.exit_code == 0, r  # az aks nodepool upgrade goes on too (acs/custom.py aks_agentpool_upgrade)
    assert r.stdout == "nodepool/system\n"
    assert (
        "node pool system is already at 1.33.5; nothing to upgrade. "
        "'akscli nodepool upgrade system -c aks1 -g rg-ml --list' lists the versions it can go to"
    ) in r.stderr
    assert azure_env.requests_to("/agentPools/system", "PUT") == []


def test_a_node_pool_at_the_control_plane_version_hints_the_cluster_upgrade_as_typed(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, version="1.33.3")
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "-k", "1.34.2", "-y")
    assert r.exit_code == 2, r
    # AKS keeps a pool no newer than its control plane: the control plane goes first, to the
    # version asked for (MicrosoftDocs/azure-aks-docs articles/aks/upgrade-aks-control-plane.md);
    # the hint used to be the listing `cluster upgrade aks1 -g rg-ml`, which upgrades nothing.
    assert (
        "upgrade the control plane first: akscli cluster upgrade aks1 -g rg-ml -k 1.34.2 --control-plane-only"
        in r.stderr
    )


def test_a_node_pool_upgrade_the_control_plane_cannot_take_either_names_its_versions(azure_env: ArmEmulator) -> None:
    # The control plane goes first, but only to a version its own upgrade profile offers: hinting
    # `cluster upgrade -k 1.99` sent the user to a second refusal.
    seed_cluster(azure_env, version="1.33.3")
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "-k", "1.99", "-y")
    assert r.exit_code == 2, r
    assert "the control plane goes first, and it can go to 1.33.5, 1.34.1, 1.34.2" in r.stderr
    assert "akscli cluster upgrade aks1 -g rg-ml -k VERSION --control-plane-only" in r.stderr
    assert "-k 1.99 --control-plane-only" not in r.stderr


def test_a_node_pool_at_the_newest_version_says_the_control_plane_has_none_either(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, version="1.34.2")
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "-k", "1.35", "-y")
    assert r.exit_code == 2, r
    assert "none for the control plane of cluster aks1 either" in r.stderr
    assert "cluster upgrade" not in r.stderr


def test_listing_upgrades_names_the_node_pools_behind_and_the_command_that_brings_them_up(
    azure_env: ArmEmulator,
) -> None:
    _behind(azure_env)
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-o", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["currentVersion"] == "1.33.5"  # stdout stays the object alone
    line = "node pools behind the control plane: system (1.32.9); bring them up to it with: "
    command = "akscli cluster upgrade aks1 -g rg-ml -k 1.33.5"
    assert line + command in r.stderr
    typed = invoke(*command.split()[1:], "-y", "-o", "json")
    assert typed.exit_code == 0, typed
    assert json.loads(typed.stdout)["properties"]["agentPoolProfiles"][0]["currentOrchestratorVersion"] == "1.33.5"


def test_upgrading_a_failed_cluster_to_its_own_version_sends_it_to_reconcile(azure_env: ArmEmulator) -> None:
    # az aks upgrade: "Cluster currently in failed state. Proceeding with upgrade to existing version
    # ... to attempt resolution of failed cluster state" (Azure/azure-cli acs/custom.py aks_upgrade).
    seed_cluster(azure_env, provisioningState="Failed")
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.33.5", "-y", "-o", "name")
    assert r.exit_code == 0, r
    assert "cluster aks1 is in a failed state: sending it its own version to reconcile it" in r.stderr
    [put] = azure_env.requests_to("/managedClusters/aks1$", "PUT")
    assert json.loads(put.body)["properties"]["kubernetesVersion"] == "1.33.5"


def test_upgrading_a_failed_node_pool_to_its_own_version_sends_it_to_reconcile(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=[{"name": "system", "mode": "System", "count": 3, "provisioningState": "Failed"}])
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "-k", "1.33.5", "-y", "-o", "name")
    assert r.exit_code == 0, r
    assert "node pool system is in a failed state: sending it its own version to reconcile it" in r.stderr
    [put] = azure_env.requests_to("/agentPools/system", "PUT")
    assert json.loads(put.body)["properties"]["orchestratorVersion"] == "1.33.5"
    before_put = [e for e in azure_env.requests_to("/agentPools/system$") if e.method in ("GET", "PUT")]
    assert [e.method for e in before_put][:2] == ["GET", "PUT"]  # the pool read once before its PUT
