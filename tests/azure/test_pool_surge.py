"""A node pool upgrade's surge: AKS needs maxSurge above 0 while the pool's maxUnavailable is 0 (its
default), and takes no maxUnavailable on a System pool (upstream: MicrosoftDocs/azure-aks-docs fb060abe
articles/aks/upgrade-aks-node-pools-rolling.md, "Customize unavailable nodes"). akscli refuses
``--max-surge 0`` on such a pool before it asks or sends anything; the ARM emulator refuses the body."""

from __future__ import annotations

from typing import Any

import pytest

from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

AKS_API = "2026-08-01"


def _seed(emu: ArmEmulator, **settings: str) -> None:
    """A cluster at 1.33.5 with a user pool 'gpu' still at 1.32.9 (and its upgradeSettings)."""
    pool: dict[str, Any] = {
        "name": "gpu",
        "mode": "User",
        "count": 2,
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
