"""A node pool upgrade's surge, as AKS's page on it says (upstream: MicrosoftDocs/azure-aks-docs fb060abe
articles/aks/upgrade-aks-node-pools-rolling.md): AKS needs maxSurge above 0 while the pool's
maxUnavailable is 0 (its default), takes no maxUnavailable on a System pool ("Customize unavailable
nodes"), and rejects an upgrade whose surge would take a scale set past 1,000 instances ("Customize node
surge"). akscli refuses such an upgrade before it asks or sends anything; the ARM emulator refuses it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

AKS_API = "2026-08-01"
# AKS's words for it, as the page quoted them (MicrosoftDocs/azure-aks-docs 6d4bd931 upgrade-aks-node-pools-rolling.md)
PAST_1000 = (
    r"Node pool 'gpu' upgrade would exceed the VMSS 1000-instance limit\. Current size: 900, configured maxSurge: "
    r"50%, calculated surge count: 450, resulting capacity: 1350 \(limit: 1000\)\. To proceed, use maxUnavailable"
)


def _seed(emu: ArmEmulator, count: int = 2, **settings: str) -> None:
    """A cluster at 1.33.5 with a user pool 'gpu' of ``count`` nodes still at 1.32.9 (and its upgradeSettings)."""
    pool: dict[str, Any] = {
        "name": "gpu",
        "mode": "User",
        "count": count,
        "vmSize": "Standard_D4ds_v5",
        "orchestratorVersion": "1.32.9",
        "currentOrchestratorVersion": "1.32.9",
    }
    if settings:
        pool["upgradeSettings"] = dict(settings)
    system = {"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5"}
    seed_cluster(emu, pools=[system, pool])


def _upgrade(*flags: str) -> Any:
    return invoke("nodepool", "upgrade", "gpu", "-c", "aks1", "-g", RG, "-k", "1.33.5", *flags, "-y")


def _put_pool(name: str, props: dict[str, Any]) -> None:
    from akscli.azure import arm

    client = arm.raw_client(arm.AzureTarget())
    arm.wait_lro(arm.raw_begin(client, "PUT", cluster_id("aks1") + f"/agentPools/{name}", AKS_API, props), "put")


@pytest.mark.parametrize("surge", ["0", "0%"])
def test_nodepool_upgrade_refuses_a_zero_surge_on_a_pool_without_max_unavailable(
    azure_env: ArmEmulator, surge: str
) -> None:
    _seed(azure_env)
    r = _upgrade("--max-surge", surge)
    assert r.exit_code == 2, r
    assert f"--max-surge {surge} leaves node pool gpu no node to upgrade with: its maxUnavailable is 0" in r.stderr
    assert "--max-surge 1 or more" in r.stderr
    assert azure_env.requests_to("/agentPools/gpu", "PUT") == []


def test_nodepool_upgrade_refuses_a_zero_surge_on_a_pool_whose_max_unavailable_is_zero(
    azure_env: ArmEmulator,
) -> None:
    _seed(azure_env, maxSurge="33%", maxUnavailable="0")
    r = _upgrade("--max-surge", "0")
    assert r.exit_code == 2, r
    assert "its maxUnavailable is 0" in r.stderr
    assert azure_env.requests_to("/agentPools/gpu", "PUT") == []


def test_nodepool_upgrade_sends_a_zero_surge_to_a_pool_that_upgrades_in_place(azure_env: ArmEmulator) -> None:
    _seed(azure_env, maxSurge="10%", maxUnavailable="1")
    r = _upgrade("--max-surge", "0")
    assert r.exit_code == 0, r
    pool = azure_env.get_resource(cluster_id("aks1") + "/agentPools/gpu")["properties"]
    assert pool["upgradeSettings"] == {"maxSurge": "0", "maxUnavailable": "1"}
    assert pool["currentOrchestratorVersion"] == "1.33.5"


@pytest.mark.parametrize("settings", [{"maxSurge": "0"}, {"maxSurge": "0%", "maxUnavailable": "0"}])
def test_the_emulator_refuses_a_pool_with_neither_surge_nor_unavailable_nodes(
    azure_env: ArmEmulator, settings: dict[str, str]
) -> None:
    from akscli.errors import AkscliError

    _seed(azure_env)
    props = {"mode": "User", "count": 2, "vmSize": "Standard_D4ds_v5", "upgradeSettings": settings}
    with pytest.raises(AkscliError, match="maxSurge must be greater than 0 when maxUnavailable is 0"):
        _put_pool("gpu", {"properties": props})


def test_the_emulator_refuses_max_unavailable_on_a_system_pool(azure_env: ArmEmulator) -> None:
    from akscli.errors import AkscliError

    _seed(azure_env)
    props = {"mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5", "upgradeSettings": {"maxUnavailable": "1"}}
    with pytest.raises(AkscliError, match="maxUnavailable cannot be set on a System mode agent pool"):
        _put_pool("system", {"properties": props})


def test_the_emulator_takes_a_user_pool_that_upgrades_in_place(azure_env: ArmEmulator) -> None:
    _seed(azure_env)
    props = {"mode": "User", "count": 2, "vmSize": "Standard_D4ds_v5"}
    _put_pool("gpu", {"properties": {**props, "upgradeSettings": {"maxSurge": "0", "maxUnavailable": "1"}}})
    pool = azure_env.get_resource(cluster_id("aks1") + "/agentPools/gpu")["properties"]
    assert pool["upgradeSettings"] == {"maxSurge": "0", "maxUnavailable": "1"}


def test_nodepool_upgrade_refuses_a_surge_past_the_scale_sets_thousand_instances(azure_env: ArmEmulator) -> None:
    _seed(azure_env, count=900)
    r = _upgrade("--max-surge", "50%")
    assert r.exit_code == 2, r
    assert "--max-surge 50% would take node pool gpu to 1350 instances during the upgrade" in r.stderr
    assert "a scale set holds at most 1000" in r.stderr and "use --max-surge 100 or less" in r.stderr
    assert azure_env.requests_to("/agentPools/gpu", "PUT") == []


def test_nodepool_upgrade_judges_the_pools_own_surge_when_none_is_given(azure_env: ArmEmulator) -> None:
    _seed(azure_env, count=900, maxSurge="33%")
    r = _upgrade()
    assert r.exit_code == 2, r
    assert "node pool gpu's maxSurge 33% would take node pool gpu to 1197 instances" in r.stderr
    assert "pass --max-surge 100 or less with -k" in r.stderr
    assert azure_env.requests_to("/agentPools/gpu", "PUT") == []


def test_a_node_image_upgrade_is_refused_when_its_surge_passes_a_thousand_instances(azure_env: ArmEmulator) -> None:
    _seed(azure_env, count=900, maxSurge="33%")
    r = invoke("nodepool", "upgrade", "gpu", "-c", "aks1", "-g", RG, "--node-image-only", "-y")
    assert r.exit_code == 2, r
    assert "would take node pool gpu to 1197 instances" in r.stderr
    assert "--max-surge 100'), then upgrade the node image" in r.stderr
    assert azure_env.requests_to("/agentPools/gpu/upgradeNodeImageVersion", "POST") == []


def test_a_pool_of_a_thousand_nodes_is_told_it_has_no_room_to_surge(azure_env: ArmEmulator) -> None:
    _seed(azure_env, count=1000)
    r = _upgrade("--max-surge", "1")
    assert r.exit_code == 2, r
    assert "a pool of 1000 nodes has no room to surge" in r.stderr
    assert "or upgrade it in place (--max-surge 0 --max-unavailable 1)" in r.stderr


def test_a_pool_of_a_thousand_nodes_that_reads_no_surge_is_refused_before_anything_is_sent(
    azure_env: ArmEmulator,
) -> None:
    # A pool that reads no maxSurge still surges by one node at least (the page's default; the spec's 10%),
    # so AKS refuses the upgrade of a pool already at 1,000 nodes whichever default it applies.
    _seed(azure_env, count=1000)
    r = _upgrade()
    assert r.exit_code == 2, r
    assert "node pool gpu's default surge (one node at least) would take node pool gpu to 1001 instances" in r.stderr
    assert "a pool of 1000 nodes has no room to surge" in r.stderr
    assert azure_env.requests_to("/agentPools/gpu", "PUT") == []


def test_nodepool_upgrade_sends_a_surge_that_fills_the_scale_set_to_a_thousand(azure_env: ArmEmulator) -> None:
    _seed(azure_env, count=900, maxSurge="33%")
    r = _upgrade("--max-surge", "100")
    assert r.exit_code == 0, r
    pool = azure_env.get_resource(cluster_id("aks1") + "/agentPools/gpu")["properties"]
    assert (pool["upgradeSettings"]["maxSurge"], pool["currentOrchestratorVersion"]) == ("100", "1.33.5")


def test_the_emulator_refuses_a_pool_upgrade_whose_surge_passes_a_thousand_instances(azure_env: ArmEmulator) -> None:
    from akscli.errors import AkscliError

    _seed(azure_env, count=900)
    props = {"mode": "User", "count": 900, "vmSize": "Standard_D4ds_v5", "orchestratorVersion": "1.33.5"}
    with pytest.raises(
        AkscliError,
        match=PAST_1000,
    ):
        _put_pool("gpu", {"properties": {**props, "upgradeSettings": {"maxSurge": "50%"}}})


def test_the_emulator_refuses_a_node_image_upgrade_whose_surge_passes_a_thousand_instances(
    azure_env: ArmEmulator,
) -> None:
    from akscli.azure import arm
    from akscli.errors import AkscliError

    _seed(azure_env, count=950)  # the spec's default surge, 10%: 95 more
    client = arm.raw_client(arm.AzureTarget())
    path = cluster_id("aks1") + "/agentPools/gpu/upgradeNodeImageVersion"
    with pytest.raises(
        AkscliError, match="configured maxSurge: 10%, calculated surge count: 95, resulting capacity: 1045"
    ):
        arm.wait_lro(arm.raw_begin(client, "POST", path, AKS_API, None), "node image upgrade")


def test_cluster_upgrade_refuses_when_a_pools_surge_passes_a_thousand_instances(azure_env: ArmEmulator) -> None:
    _seed(azure_env, count=900, maxSurge="33%")  # the control plane at 1.33.5, the pool behind it
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.33.5", "-y")
    assert r.exit_code == 2, r
    assert "node pool gpu's maxSurge 33% would take node pool gpu to 1197 instances" in r.stderr
    assert "then the pool with 'akscli nodepool upgrade gpu -c aks1 -g rg-ml -k 1.33.5 --max-surge 100'" in r.stderr
    assert azure_env.requests_to(r"/managedClusters/aks1$", "PUT") == []


def test_cluster_node_image_upgrade_refuses_when_a_pools_surge_passes_a_thousand_instances(
    azure_env: ArmEmulator,
) -> None:
    _seed(azure_env, count=900, maxSurge="33%")
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "--node-image-only", "-y")
    assert r.exit_code == 2, r
    assert "would take node pool gpu to 1197 instances" in r.stderr
    assert azure_env.requests_to("/upgradeNodeImageVersion", "POST") == []


def test_the_emulator_refuses_a_cluster_upgrade_whose_pool_surge_passes_a_thousand_instances(
    azure_env: ArmEmulator,
) -> None:
    from akscli.azure import arm
    from akscli.errors import AkscliError

    _seed(azure_env, count=900, maxSurge="50%")
    cluster = azure_env.get_resource(cluster_id("aks1"))
    assert cluster is not None
    pools = [{**p, "orchestratorVersion": "1.33.5"} for p in cluster["properties"]["agentPoolProfiles"]]
    read_only = ("currentOrchestratorVersion", "provisioningState", "nodeImageVersion", "eTag")
    pools = [{k: v for k, v in p.items() if k not in read_only} for p in pools]
    body = {"location": "eastus", "sku": cluster["sku"], "properties": {"dnsPrefix": "aks1-dns",
            "kubernetesVersion": "1.33.5", "agentPoolProfiles": pools}}  # fmt: skip
    client = arm.raw_client(arm.AzureTarget())
    with pytest.raises(
        AkscliError,
        match=PAST_1000,
    ):
        arm.wait_lro(arm.raw_begin(client, "PUT", cluster_id("aks1"), AKS_API, body), "put")
