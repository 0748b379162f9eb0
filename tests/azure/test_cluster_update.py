"""`cluster update` (az aks update: KAITO, node auto-provisioning, tier, tags, local accounts, the auto-upgrade
channels) as a read-modify-write of the cluster under its eTag, and what AKS refuses of it."""

from __future__ import annotations

import pytest

from akscli.azure import clusterupdate
from akscli.errors import UsageError
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.aksrules import _settings_rules
from tests.emulators.arm.server import ArmError, LogEntry

CLUSTER = cluster_id("aks1")
OVERLAY = {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataplane": "cilium"}


def _puts(emu: ArmEmulator) -> list[LogEntry]:
    return emu.requests_to(r"/managedClusters/aks1/?$", "PUT")


def _set(emu: ArmEmulator, **top: object) -> None:
    """Give the seeded cluster top-level fields (sku, tags) of its own."""
    emu.put_resource(CLUSTER, {**(emu.get_resource(CLUSTER) or {}), **top})


def test_update_parses_flags_to_the_specs_spelling_and_empty_tags_clear() -> None:
    change = clusterupdate.parse(
        node_provisioning="AUTO", tier="Premium", tags=[""], upgrade_channel="NODE-IMAGE",
        node_os_upgrade_channel="securitypatch",
    )  # fmt: skip
    assert (change.node_provisioning, change.tier, change.tags) == ("Auto", "premium", {})
    assert (change.upgrade_channel, change.node_os_upgrade_channel) == ("node-image", "SecurityPatch")
    with pytest.raises(UsageError, match="nothing to change"):
        clusterupdate.parse()
    with pytest.raises(UsageError, match="--auto-upgrade-channel"):
        clusterupdate.parse(upgrade_channel="weekly")


def test_emulator_refuses_an_automatic_cluster_made_manual() -> None:
    body = {
        "sku": {"name": "Automatic", "tier": "Standard"},
        "properties": {"nodeProvisioningProfile": {"mode": "Manual"}},
    }
    with pytest.raises(ArmError, match="Automatic"):
        _settings_rules(body, automatic=True)


def test_enable_kaito_turns_on_the_operator_oidc_and_workload_identity(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("cluster", "update", "aks1", "-g", RG, "--enable-kaito", "-o", "json")
    assert r.exit_code == 0, r
    props = azure_env.get_resource(CLUSTER)["properties"]
    assert props["aiToolchainOperatorProfile"] == {"enabled": True}
    assert props["oidcIssuerProfile"]["enabled"] and props["securityProfile"]["workloadIdentity"]["enabled"]
    puts = _puts(azure_env)
    assert len(puts) == 1 and puts[0].headers.get("If-Match")


def test_node_provisioning_auto_is_stored_on_an_azure_cni_cluster(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, networkProfile=dict(OVERLAY))
    r = invoke("cluster", "update", "aks1", "-g", RG, "--node-provisioning", "auto")
    assert r.exit_code == 0, r
    assert azure_env.get_resource(CLUSTER)["properties"]["nodeProvisioningProfile"] == {"mode": "Auto"}


@pytest.mark.parametrize(
    ("props", "pool", "needle"),
    [
        ({"networkProfile": {"networkPlugin": "kubenet"}}, {}, "needs Azure CNI"),
        ({"networkProfile": dict(OVERLAY)}, {"enableAutoScaling": True, "minCount": 1, "maxCount": 3}, "autoscaler"),
    ],
)
def test_node_provisioning_auto_refused_before_sending_where_aks_refuses_it(
    azure_env: ArmEmulator, props: dict[str, object], pool: dict[str, object], needle: str
) -> None:
    seed_cluster(
        azure_env,
        pools=[{"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5", **pool}],
        **props,
    )
    r = invoke("cluster", "update", "aks1", "-g", RG, "--node-provisioning", "auto")
    assert r.exit_code == 2 and needle in r.stderr, r
    assert _puts(azure_env) == []


def test_automatic_cluster_keeps_its_tier(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    _set(azure_env, sku={"name": "Automatic", "tier": "Standard"})
    r = invoke("cluster", "update", "aks1", "-g", RG, "--tier", "premium")
    assert r.exit_code == 2 and "always on the Standard tier" in r.stderr, r
    assert _puts(azure_env) == []


def test_tier_tags_local_accounts_and_channels_are_stored(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    _set(azure_env, tags={"old": "1"})
    r = invoke(
        "cluster", "update", "aks1", "-g", RG, "--tier", "standard", "--tags", "team=ml", "--no-local-accounts",
        "--auto-upgrade-channel", "stable", "--node-os-upgrade-channel", "SecurityPatch",
    )  # fmt: skip
    assert r.exit_code == 0, r
    got = azure_env.get_resource(CLUSTER)
    assert (got["sku"], got["tags"]) == ({"name": "Base", "tier": "Standard"}, {"team": "ml"})
    assert got["properties"]["disableLocalAccounts"] is True
    assert got["properties"]["autoUpgradeProfile"] == {
        "upgradeChannel": "stable",
        "nodeOSUpgradeChannel": "SecurityPatch",
    }


def test_disable_kaito_asks_first(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, aiToolchainOperatorProfile={"enabled": True})
    r = invoke("cluster", "update", "aks1", "-g", RG, "--disable-kaito")
    assert r.exit_code != 0 and "AI toolchain operator" in r.stderr, r
    assert _puts(azure_env) == []


def test_update_to_what_the_cluster_has_sends_nothing(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, aiToolchainOperatorProfile={"enabled": False})
    r = invoke("cluster", "update", "aks1", "-g", RG, "--disable-kaito")
    assert r.exit_code == 0 and "cluster aks1 unchanged" in r.stderr, r
    assert _puts(azure_env) == []
