"""`nodepool update` (az aks nodepool update: labels, taints, mode, upgradeSettings as a read-modify-write
under the pool's eTag) and the upgrade settings az has beside --max-surge: --drain-timeout,
--node-soak-duration, --undrainable-node-behavior (AgentPoolUpgradeSettings, api-version 2026-08-01)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.azure import nodepools, poolsettings, poolupdate, poolupgrades
from akscli.errors import UsageError
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.aksrules import _upgrade_settings_rules
from tests.emulators.arm.server import ArmError

POOL = cluster_id("aks1") + "/agentPools/gpu"


def _seed(emu: ArmEmulator, version: str = "1.33.5", **gpu: Any) -> None:
    pool = {"name": "gpu", "mode": "User", "count": 2, "vmSize": "Standard_D4ds_v5", **gpu}
    old = {"orchestratorVersion": version, "currentOrchestratorVersion": version}
    seed_cluster(
        emu,
        pools=[{"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5", **old}, {**pool, **old}],
    )


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        ({"drain_timeout": 0}, "--drain-timeout"),
        ({"drain_timeout": 1441}, "--drain-timeout"),
        ({"node_soak_duration": 31}, "--node-soak-duration"),
        ({"undrainable_node_behavior": "Evict"}, "--undrainable-node-behavior"),
        ({"max_surge": "101%"}, "--max-surge"),
    ],
)
def test_upgrade_settings_out_of_the_specs_range_are_refused(flags: dict[str, Any], needle: str) -> None:
    with pytest.raises(UsageError) as err:
        poolsettings.settings(**flags)
    assert needle in err.value.message


def test_upgrade_settings_are_the_specs_names_and_spelling() -> None:
    got = poolsettings.settings(drain_timeout=1440, node_soak_duration=0, undrainable_node_behavior="cordon")
    assert got == {"drainTimeoutInMinutes": 1440, "nodeSoakDurationInMinutes": 0, "undrainableNodeBehavior": "Cordon"}


def test_add_sends_the_upgrade_settings_in_the_pools_body() -> None:
    spec = nodepools.NodePoolSpec.from_flags(
        name="gpu", cluster="aks1", resource_group=RG, vm_size="Standard_D4ds_v5",
        upgrade_settings=poolsettings.settings(drain_timeout=45, undrainable_node_behavior="Cordon"),
    )  # fmt: skip
    body = nodepools.build_body(spec)["properties"]
    assert body["upgradeSettings"] == {"drainTimeoutInMinutes": 45, "undrainableNodeBehavior": "Cordon"}


def test_drain_timeout_on_upgrade_goes_with_a_version() -> None:
    with pytest.raises(UsageError) as err:
        poolupgrades.check_upgrade_flags(None, node_image_only=True, upgrade_settings={"drainTimeoutInMinutes": 5})
    assert "--drain-timeout goes with a version upgrade" in err.value.message


def test_update_parses_labels_and_taints_as_az_and_empty_clears() -> None:
    change = poolupdate.parse(labels=[""], taints=["a=b:NoSchedule,c:NoExecute"], mode="system", settings={})
    assert (change.labels, change.taints, change.mode) == ({}, ["a=b:NoSchedule", "c:NoExecute"], "System")
    assert poolupdate.parse(labels=None, taints=[""], mode=None, settings={}).taints == []
    with pytest.raises(UsageError, match="nothing to change"):
        poolupdate.parse(labels=None, taints=None, mode=None, settings={})
    with pytest.raises(UsageError):
        poolupdate.parse(labels=["kubernetes.azure.com/mode=x"], taints=None, mode=None, settings={})


def test_emulator_refuses_a_drain_timeout_the_spec_refuses() -> None:
    with pytest.raises(ArmError) as err:
        _upgrade_settings_rules({"mode": "User", "upgradeSettings": {"drainTimeoutInMinutes": 0}})
    assert "drainTimeoutInMinutes" in err.value.message


def test_update_replaces_labels_and_taints_and_sets_upgrade_settings(azure_env: ArmEmulator) -> None:
    _seed(azure_env, nodeLabels={"old": "1"}, nodeTaints=["old=1:NoSchedule"], upgradeSettings={"maxSurge": "33%"})
    r = invoke(
        "nodepool", "update", "gpu", "-c", "aks1", "-g", RG, "--labels", "team=ml", "--node-taints",
        "sku=gpu:NoSchedule", "--drain-timeout", "60", "--node-soak-duration", "5", "-o", "json",
    )  # fmt: skip
    assert r.exit_code == 0, r
    props = azure_env.get_resource(POOL)["properties"]
    assert (props["nodeLabels"], props["nodeTaints"]) == ({"team": "ml"}, ["sku=gpu:NoSchedule"])
    assert props["upgradeSettings"] == {"maxSurge": "33%", "drainTimeoutInMinutes": 60, "nodeSoakDurationInMinutes": 5}
    put = azure_env.requests_to("/agentPools/gpu", "PUT")
    assert len(put) == 1 and put[0].headers.get("If-Match")


def test_update_refuses_making_the_only_system_pool_user_before_sending(azure_env: ArmEmulator) -> None:
    _seed(azure_env)
    r = invoke("nodepool", "update", "system", "-c", "aks1", "-g", RG, "--mode", "User")
    assert r.exit_code == 2, r
    assert "only System pool" in r.stderr
    assert azure_env.requests_to("/agentPools/system", "PUT") == []


def test_upgrade_with_drain_timeout_sends_it_in_the_upgrade_put(azure_env: ArmEmulator) -> None:
    _seed(azure_env, version="1.32.9")
    r = invoke("nodepool", "upgrade", "gpu", "-c", "aks1", "-g", RG, "-k", "1.33.5", "--drain-timeout", "90", "-y")
    assert r.exit_code == 0, r
    props = azure_env.get_resource(POOL)["properties"]
    assert (props["upgradeSettings"]["drainTimeoutInMinutes"], props["currentOrchestratorVersion"]) == (90, "1.33.5")


def test_update_asks_before_a_no_execute_taint_evicts_pods(azure_env: ArmEmulator) -> None:
    _seed(azure_env)
    r = invoke("nodepool", "update", "gpu", "-c", "aks1", "-g", RG, "--taint", "maint=now:NoExecute")
    assert r.exit_code != 0 and "refusing to taint node pool gpu with maint=now:NoExecute" in r.stderr, r
    assert azure_env.requests_to("/agentPools/gpu", "PUT") == []


def test_update_to_what_the_pool_has_sends_nothing(azure_env: ArmEmulator) -> None:
    _seed(azure_env, nodeLabels={"team": "ml"})
    r = invoke("nodepool", "update", "gpu", "-c", "aks1", "-g", RG, "--labels", "team=ml")
    assert r.exit_code == 0 and "node pool gpu unchanged" in r.stderr, r
    assert azure_env.requests_to("/agentPools/gpu", "PUT") == []


def test_update_with_empty_labels_and_taints_clears_them(azure_env: ArmEmulator) -> None:
    """The help's `""` clears them (az's --node-taints ""): the command line's empty-value check lets
    these two through for nodepool update only; `nodepool add --labels ""` is still refused."""
    _seed(azure_env, nodeLabels={"old": "1"}, nodeTaints=["old=1:NoSchedule"])
    r = invoke("nodepool", "update", "gpu", "-c", "aks1", "-g", RG, "--labels", "", "--taint=")
    assert r.exit_code == 0, r
    props = azure_env.get_resource(POOL)["properties"]
    assert (props["nodeLabels"], props["nodeTaints"]) == ({}, [])
    r = invoke("nodepool", "add", "gpu2", "-c", "aks1", "-g", RG, "--vm-size", "Standard_D4ds_v5", "--labels", "")
    assert r.exit_code == 2 and "the value of --labels is empty" in r.stderr, r
