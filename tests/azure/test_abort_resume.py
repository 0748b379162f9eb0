"""An upgrade to the version a cluster or pool runs is sent in every state but Succeeded, as az does
(Azure/azure-cli 0a1fa21c src/azure-cli/azure/cli/command_modules/acs/custom.py aks_upgrade: the PUT
goes out whatever the state, "No operations will occur" said for Succeeded alone; aks_agentpool_upgrade
sends the pool's PUT whatever the state), so a cluster left Canceled by `akscli cluster abort` (az aks
operation-abort) is taken up again by the upgrade it was running. Succeeded stays "nothing to
upgrade", exit 0, nothing sent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.azure import poolupgrades, upgrades
from akscli.errors import AlreadyAtVersion
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

STATES = ["Succeeded", "Failed", "Canceled"]


def _cluster(state: str, pool_state: str = "Succeeded") -> dict[str, Any]:
    pool = {"name": "system", "orchestratorVersion": "1.33.5", "currentOrchestratorVersion": "1.33.5"}
    pool["provisioningState"] = pool_state
    return {
        "properties": {
            "kubernetesVersion": "1.33.5",
            "currentKubernetesVersion": "1.33.5",
            "provisioningState": state,
            "agentPoolProfiles": [pool],
        }
    }


@pytest.mark.parametrize("state", STATES)
def test_a_cluster_upgrade_to_its_own_version_is_sent_unless_succeeded(
    state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upgrades, "get", lambda c, rg, name: _cluster(state))
    if state == "Succeeded":
        with pytest.raises(AlreadyAtVersion, match=r"already at 1\.33\.5"):
            upgrades.upgrade_body(None, RG, "aks1", "1.33")  # type: ignore[arg-type]
        return
    body = upgrades.upgrade_body(None, RG, "aks1", "1.33")  # type: ignore[arg-type]
    assert body["properties"]["kubernetesVersion"] == "1.33.5"
    assert body["properties"]["agentPoolProfiles"][0]["orchestratorVersion"] == "1.33.5"


@pytest.mark.parametrize("pool_state", STATES)
def test_a_succeeded_cluster_sends_its_version_to_a_pool_that_is_not_succeeded(pool_state: str) -> None:
    props = _cluster("Succeeded", pool_state)["properties"]
    if pool_state == "Succeeded":
        with pytest.raises(AlreadyAtVersion):
            upgrades._align_pools("aks1", RG, props, "1.33.5", control_plane_only=False)
    else:
        assert upgrades._align_pools("aks1", RG, props, "1.33.5", control_plane_only=False) == "1.33.5"


@pytest.mark.parametrize("state", STATES)
def test_a_pool_upgrade_to_its_own_version_is_sent_unless_succeeded(
    state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = {"properties": {"kubernetesVersion": "1.33.5", "upgrades": []}}
    pool = {"properties": {"orchestratorVersion": "1.33.5", "provisioningState": state, "mode": "User", "count": 3}}
    monkeypatch.setattr(poolupgrades, "upgrade_profile", lambda *a: profile)
    monkeypatch.setattr(poolupgrades, "get_pool", lambda *a: pool)
    if state == "Succeeded":
        with pytest.raises(AlreadyAtVersion, match=r"node pool np1 is already at 1\.33\.5"):
            poolupgrades.upgrade_body(None, RG, "aks1", "np1", "1.33.5")  # type: ignore[arg-type]
        return
    body = poolupgrades.upgrade_body(None, RG, "aks1", "np1", "1.33.5")  # type: ignore[arg-type]
    assert body["properties"]["orchestratorVersion"] == "1.33.5"


@pytest.mark.parametrize("state", STATES)
def test_a_bare_metal_upgrade_to_its_own_version_is_sent_unless_succeeded(
    state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.baremetal import clusters

    bm = object.__new__(clusters.BareMetal)
    monkeypatch.setattr(bm, "show", lambda ref: {"provisioningState": state}, raising=False)
    monkeypatch.setattr(bm, "_upgrades", lambda ref: ("1.34.3", [], []), raising=False)
    ref = clusters.ClusterRef("sub", RG, "edge1")
    if state == "Succeeded":
        with pytest.raises(AlreadyAtVersion):
            bm.check_upgrade(ref, "1.34.3")
    else:
        assert bm.check_upgrade(ref, "1.34.3") == ("1.34.3", state)


def test_abort_then_the_same_upgrade_takes_the_cluster_up_again(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, version="1.33.5", provisioningState="Succeeded")
    started = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.34", "-y", "--no-wait")
    assert started.exit_code == 0, started
    aborted = invoke("cluster", "abort", "aks1", "-g", RG, "-y", "-o", "json")
    assert aborted.exit_code == 0, aborted
    shown = json.loads(aborted.stdout)["properties"]
    assert shown["provisioningState"] == "Canceled"
    [post] = azure_env.requests_to("/managedClusters/aks1/abort$", "POST")
    assert post.body in (None, b"", "")
    # The aborted PUT left the cluster at the new version, Canceled: the same upgrade is sent again.
    version = shown["currentKubernetesVersion"]
    again = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", version, "-y", "-o", "json")
    assert again.exit_code == 0, again
    assert "cluster aks1 is Canceled, not Succeeded: sending it its own version again" in again.stderr
    assert len(azure_env.requests_to("/managedClusters/aks1$", "PUT")) == 2
    assert json.loads(again.stdout)["properties"]["provisioningState"] == "Succeeded"
    # Nothing runs now: a second abort is refused before the question, nothing sent (exit 4).
    idle = invoke("cluster", "abort", "aks1", "-g", RG, "-y")
    assert idle.exit_code == 4, idle
    assert "cluster aks1 runs no operation (its provisioningState is Succeeded); nothing to abort" in idle.stderr
    assert len(azure_env.requests_to("/managedClusters/aks1/abort$", "POST")) == 1


def test_abort_then_the_same_upgrade_takes_a_node_pool_up_again(azure_env: ArmEmulator) -> None:
    pool = {"name": "np1", "mode": "System", "count": 3}
    seed_cluster(azure_env, version="1.33.5", pools=[{**pool, "orchestratorVersion": "1.33.3"}])
    azure_env.update_resource(
        f"{cluster_id('aks1')}/agentPools/np1", lambda o: o["properties"].update(currentOrchestratorVersion="1.33.3")
    )
    started = invoke("nodepool", "upgrade", "np1", "-c", "aks1", "-g", RG, "-k", "1.33.5", "-y", "--no-wait")
    assert started.exit_code == 0, started
    aborted = invoke("nodepool", "abort", "np1", "-c", "aks1", "-g", RG, "-y", "-o", "json")
    assert aborted.exit_code == 0, aborted
    assert json.loads(aborted.stdout)["properties"]["provisioningState"] == "Canceled"
    assert len(azure_env.requests_to("/agentPools/np1/abort$", "POST")) == 1
    again = invoke("nodepool", "upgrade", "np1", "-c", "aks1", "-g", RG, "-k", "1.33.5", "-y", "-o", "json")
    assert again.exit_code == 0, again
    assert "node pool np1 is Canceled, not Succeeded: sending it its own version again" in again.stderr
    assert len(azure_env.requests_to("/agentPools/np1$", "PUT")) == 2
    assert json.loads(again.stdout)["properties"]["provisioningState"] == "Succeeded"
