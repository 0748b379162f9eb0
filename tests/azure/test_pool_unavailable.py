"""`nodepool upgrade --max-unavailable`: upgradeSettings.maxUnavailable of the pool's PUT, an in-place
upgrade of a User pool (upstream: MicrosoftDocs/azure-aks-docs fb060abe
articles/aks/upgrade-aks-node-pools-rolling.md, "Customize unavailable nodes", "Set max unavailable at
upgrade time"), and the 1,000-instance check of an autoscaled pool, judged at its maxCount too."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.azure import poolupgrades, upgrades
from akscli.errors import UsageError
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def _seed(emu: ArmEmulator, count: int = 2, **settings: str) -> None:
    """A cluster at 1.33.5 with a user pool 'gpu' of ``count`` nodes still at 1.32.9 (and its upgradeSettings)."""
    pool: dict[str, Any] = {"name": "gpu", "mode": "User", "count": count, "vmSize": "Standard_D4ds_v5",
                            "orchestratorVersion": "1.32.9", "currentOrchestratorVersion": "1.32.9"}  # fmt: skip
    if settings:
        pool["upgradeSettings"] = dict(settings)
    old = {"orchestratorVersion": "1.32.9", "currentOrchestratorVersion": "1.32.9"}
    seed_cluster(
        emu, pools=[{"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5", **old}, pool]
    )


def _upgrade(pool: str, *flags: str) -> Any:
    return invoke("nodepool", "upgrade", pool, "-c", "aks1", "-g", RG, "-k", "1.33.5", *flags, "-y")


def test_max_unavailable_is_sent_in_the_pools_put_and_the_pool_upgrades_in_place(azure_env: ArmEmulator) -> None:
    _seed(azure_env)
    r = _upgrade("gpu", "--max-surge", "0", "--max-unavailable", "1")
    assert r.exit_code == 0, r
    pool = azure_env.get_resource(cluster_id("aks1") + "/agentPools/gpu")["properties"]
    assert pool["upgradeSettings"] == {"maxSurge": "0", "maxUnavailable": "1"}
    assert pool["currentOrchestratorVersion"] == "1.33.5"


def test_a_system_pool_is_refused_max_unavailable_before_anything_is_sent(azure_env: ArmEmulator) -> None:
    _seed(azure_env)
    r = _upgrade("system", "--max-unavailable", "1")
    assert r.exit_code == 2, r
    assert "--max-unavailable 1: node pool system is a System pool, and AKS takes no maxUnavailable" in r.stderr
    assert azure_env.requests_to("/agentPools/system", "PUT") == []


def test_max_unavailable_zero_on_a_pool_that_does_not_surge_is_refused(azure_env: ArmEmulator) -> None:
    _seed(azure_env, maxSurge="0", maxUnavailable="1")
    r = _upgrade("gpu", "--max-unavailable", "0")
    assert r.exit_code == 2, r
    assert "node pool gpu's maxSurge 0 leaves node pool gpu no node to upgrade with: --max-unavailable 0" in r.stderr
    assert azure_env.requests_to("/agentPools/gpu", "PUT") == []


def test_a_pool_of_a_thousand_nodes_upgrades_in_place(azure_env: ArmEmulator) -> None:
    # No surge node, so no instance past the scale set's 1,000 (akscli's check and the emulator's both pass).
    _seed(azure_env, count=1000)
    r = _upgrade("gpu", "--max-surge", "0", "--max-unavailable", "5%")
    assert r.exit_code == 0, r
    pool = azure_env.get_resource(cluster_id("aks1") + "/agentPools/gpu")["properties"]
    assert (pool["upgradeSettings"]["maxUnavailable"], pool["currentOrchestratorVersion"]) == ("5%", "1.33.5")


@pytest.mark.parametrize(
    ("version", "value", "needle"),
    [
        (None, "1", "--max-unavailable goes with a version upgrade"),
        ("1.33.5", "one", "invalid --max-unavailable 'one'"),
        ("1.33.5", "150%", "invalid --max-unavailable '150%'"),
    ],
)
def test_max_unavailable_takes_a_count_or_a_percentage_with_a_version(version: Any, value: str, needle: str) -> None:
    with pytest.raises(UsageError) as err:
        poolupgrades.check_upgrade_flags(version, node_image_only=version is None, max_unavailable=value)
    assert needle in err.value.message


def _autoscaled(**props: Any) -> dict[str, Any]:
    return {"mode": "User", "enableAutoScaling": True, "minCount": 1, "maxCount": 1000, "count": 10,
            "upgradeSettings": {"maxSurge": "10%"}, **props}  # fmt: skip


def test_an_autoscaled_pool_that_would_not_fit_at_its_max_count_is_warned_about(
    capsys: pytest.CaptureFixture[str],
) -> None:
    upgrades.check_scale_set_limit(_autoscaled(), RG, "aks1", "gpu")
    err = capsys.readouterr().err
    assert "node pool gpu autoscales up to 1000 nodes: with maxSurge 10%, AKS refuses the upgrade if the pool " in err
    assert "has more than 909 nodes when it starts" in err


def test_an_autoscaled_pool_that_fits_at_its_max_count_is_not_warned_about(
    capsys: pytest.CaptureFixture[str],
) -> None:
    upgrades.check_scale_set_limit(_autoscaled(maxCount=909), RG, "aks1", "gpu")
    assert capsys.readouterr().err == ""


def test_an_autoscaled_pool_is_judged_at_its_min_count_at_least() -> None:
    with pytest.raises(UsageError) as err:
        upgrades.check_scale_set_limit(_autoscaled(minCount=950, count=5), RG, "aks1", "gpu")
    assert "would take node pool gpu to 1045 instances" in err.value.message
