"""What the ARM emulator answers to a write it accepted and still runs, read against the published
API (audit 32). A PATCH still running answers 202 Accepted with its status URLs and no body; one done
at once answers 200 with the resource (Azure/azure-rest-api-specs aks/stable/2026-08-01
managedClusters.json ManagedClusters_UpdateTags: 200 ManagedCluster | 202 with Azure-AsyncOperation,
Location, Retry-After and no schema; aks/stable/2026-01-01/examples/ManagedClustersUpdateTags.json;
Fleet's fleet/examples/2026-06-01/Gates_Update.json: 202 with Location and Retry-After, no body). A
node image upgrade's 202 carries the pool (AgentPools_UpgradeNodeImageVersion: 202 with schema
AgentPool; aks/stable/2025-10-01/examples/AgentPoolsUpgradeNodeImageVersion.json). Plain calls of the
emulator's router, as test_arm_emulator_upstream_words.py makes them."""

from __future__ import annotations

from typing import Any

from tests.azure.helpers import cluster_id, seed_cluster
from tests.emulators.arm import ArmEmulator, routes
from tests.fleet import armworld

AKS = {"api-version": ["2026-08-01"]}
FLEET = {"api-version": ["2026-06-01"]}


def _patch(emu: ArmEmulator, path: str, query: dict[str, list[str]], body: bytes) -> Any:
    return routes._arm(emu, "PATCH", path, query, body, {})


def test_a_running_tags_patch_of_a_cluster_answers_202_with_both_status_urls_and_no_body(
    azure_env: ArmEmulator,
) -> None:
    seed_cluster(azure_env)
    azure_env.retry_after = 1
    status, headers, body = _patch(azure_env, cluster_id("aks1"), AKS, b'{"tags": {"team": "ml"}}')
    assert status == 202
    assert sorted(headers) == ["Azure-AsyncOperation", "Location", "Retry-After"]
    assert body is None


def test_a_running_patch_of_a_fleet_member_answers_202_with_its_location_and_no_body(
    azure_env: ArmEmulator,
) -> None:
    # Azure/azure-rest-api-specs b9187fa5 fleet/stable/2026-06-01/examples/FleetMembers_Update.json:
    # 200 with the member (Succeeded), or 202 with Location and Retry-After and no body.
    armworld.make_fleet(azure_env)
    armworld.seed_member(azure_env, "gpu", armworld.aks_id(azure_env, "aks-gpu"), "cloud")
    member = f"{armworld.fleet_id(azure_env)}/members/gpu"
    status, headers, body = _patch(azure_env, member, FLEET, b'{"properties": {"group": "canary"}}')
    assert (status, sorted(headers), body) == (202, ["Location"], None)


def test_a_patch_done_at_once_answers_200_with_the_resource(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 0
    status, headers, body = _patch(azure_env, cluster_id("aks1"), AKS, b'{"tags": {"team": "ml"}}')
    assert (status, headers) == (200, {})
    assert body["tags"] == {"team": "ml"}
    assert body["properties"]["provisioningState"] == "Succeeded"


def test_a_node_image_upgrade_answers_202_with_the_pool_upgrading_its_node_image(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    pool = cluster_id("aks1") + "/agentPools/system"
    status, headers, body = routes._arm(azure_env, "POST", pool + "/upgradeNodeImageVersion", AKS, b"", {})
    assert status == 202
    assert {"Azure-AsyncOperation", "Location"} <= set(headers)
    assert body["id"] == pool
    assert body["properties"]["provisioningState"] == "UpgradingNodeImageVersion"
