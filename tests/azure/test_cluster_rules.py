"""Cluster and node pool combinations AKS refuses are refused before anything is sent, and what
KAITO and node auto-provisioning need is set (issue #13 item 4)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.azure import arm, clusters, nodepools, upgrades
from akscli.azure.arm import AzureTarget
from akscli.errors import UsageError
from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def _spec(**flags: Any) -> clusters.ClusterSpec:
    return clusters.ClusterSpec.from_flags(
        **{"name": "aks1", "resource_group": RG, "location": "eastus", **flags}  # type: ignore[arg-type]
    )


def _create(spec: clusters.ClusterSpec) -> dict[str, Any]:
    c = clusters.client(AzureTarget())
    poller = clusters.begin_create(c, spec, clusters.build_create_body(spec), target=AzureTarget())
    return clusters.as_dict(arm.wait_lro(poller, "create"))


def test_a_base_cluster_with_auto_provisioning_gets_overlay_and_cilium(azure_env: ArmEmulator) -> None:
    body = clusters.build_create_body(_spec(sku="base", node_provisioning="auto"))
    net = body["properties"]["networkProfile"]
    assert (net["networkPlugin"], net["networkPluginMode"], net["networkDataplane"]) == ("azure", "overlay", "cilium")
    assert _create(_spec(sku="base", node_provisioning="auto"))["properties"]["provisioningState"] == "Succeeded"


def test_auto_provisioning_without_a_network_gets_aks_s_default_azure_cni_overlay(azure_env: ArmEmulator) -> None:
    # AKS defaults networkPlugin to Azure CNI Overlay on Kubernetes 1.30+ (Azure/azure-rest-api-specs
    # pull 30844), a network node auto-provisioning runs on.
    body = clusters.build_create_body(_spec(sku="base", node_provisioning="auto"))
    del body["properties"]["networkProfile"]
    c = clusters.client(AzureTarget())
    poller = arm.call("create", lambda: c.managed_clusters.begin_create_or_update(RG, "aks1", body))
    net = clusters.as_dict(arm.wait_lro(poller, "create"))["properties"]["networkProfile"]
    assert (net["networkPlugin"], net["networkPluginMode"]) == ("azure", "overlay")


def test_a_cluster_created_without_a_network_reads_back_overlay_and_takes_auto_provisioning(
    azure_env: ArmEmulator,
) -> None:
    # journeys20: the emulator read it back with no networkProfile, and `cluster update
    # --node-provisioning auto` refused it as "networkPlugin none".
    net = _create(_spec(sku="base"))["properties"]["networkProfile"]
    assert net == {
        "networkPlugin": "azure",
        "networkPluginMode": "overlay",
        "podCidr": "10.244.0.0/16",
        "serviceCidr": "10.0.0.0/16",
        "dnsServiceIP": "10.0.0.10",
        # what every official GET example also carries (aksrules.created_network)
        "podCidrs": ["10.244.0.0/16"],
        "serviceCidrs": ["10.0.0.0/16"],
        "ipFamilies": ["IPv4"],
        "loadBalancerSku": "standard",
        "outboundType": "loadBalancer",
    }
    result = invoke("cluster", "update", "aks1", "-g", RG, "--node-provisioning", "auto")
    assert result.exit_code == 0, result


def test_kaito_turns_on_the_oidc_issuer_and_workload_identity() -> None:
    props = clusters.build_create_body(_spec(enable_kaito=True))["properties"]
    assert props["aiToolchainOperatorProfile"] == {"enabled": True}
    assert props["oidcIssuerProfile"] == {"enabled": True}
    assert props["securityProfile"] == {"workloadIdentity": {"enabled": True}}


def test_kaito_on_azure_linux_is_accepted() -> None:
    # MicrosoftDocs/azure-aks-docs 3c181c68 (2026-06-22) dropped AzureLinux from the add-on's limitations.
    props = clusters.build_create_body(_spec(sku="base", enable_kaito=True, os_sku="AzureLinux"))["properties"]
    assert props["aiToolchainOperatorProfile"] == {"enabled": True}
    assert props["agentPoolProfiles"][0]["osSKU"] == "AzureLinux"


def test_an_autoscaled_pool_on_an_auto_provisioned_cluster_is_refused_before_the_put(
    azure_env: ArmEmulator,
) -> None:
    seed_cluster(azure_env, nodeProvisioningProfile={"mode": "Auto"})
    spec = nodepools.NodePoolSpec.from_flags(
        name="gpu", cluster="aks1", resource_group=RG, vm_size="Standard_D8ds_v5", min_count=0, max_count=3
    )
    with pytest.raises(UsageError) as err:
        nodepools.begin_add(clusters.client(AzureTarget()), spec, nodepools.build_body(spec))
    assert "auto-provisioning" in err.value.message and "--count" in (err.value.hint or "")
    assert azure_env.requests_to("/agentPools/gpu$", "PUT") == []


def test_the_emulator_refuses_an_autoscaled_pool_on_an_auto_provisioned_cluster(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, nodeProvisioningProfile={"mode": "Auto"})
    c = clusters.client(AzureTarget())
    body = {"properties": {"vmSize": "Standard_D8ds_v5", "count": 1, "enableAutoScaling": True,
                           "minCount": 0, "maxCount": 3}}  # fmt: skip
    with pytest.raises(UsageError):
        arm.call("add", lambda: c.agent_pools.begin_create_or_update(RG, "aks1", "gpu", body))


def test_hosted_system_outside_its_regions_is_refused_offline() -> None:
    with pytest.raises(UsageError) as err:
        clusters.ClusterSpec.from_flags(name="aks1", resource_group=RG, location="chinanorth3", hosted_system=True)
    assert "not offered in chinanorth3" in err.value.message


def test_an_automatic_cluster_needs_no_preview_registration(azure_env: ArmEmulator) -> None:
    cluster = _create(_spec(hosted_system=True))
    assert cluster["properties"]["hostedSystemProfile"] == {"enabled": True}
    assert azure_env.requests_to("Microsoft.Features") == []


def test_the_emulator_gives_an_automatic_cluster_its_upgrade_channels(azure_env: ArmEmulator) -> None:
    # intro-aks-automatic.md: the stable channel for the cluster, NodeImage for the node OS images.
    profile = _create(_spec())["properties"]["autoUpgradeProfile"]
    assert profile == {"upgradeChannel": "stable", "nodeOSUpgradeChannel": "NodeImage"}


def test_an_automatic_cluster_reads_no_compute_quota_for_a_system_pool(azure_env: ArmEmulator) -> None:
    _create(_spec())
    assert azure_env.requests_to("Microsoft.Compute") == []


def test_automatic_outside_its_regions_is_refused_offline() -> None:
    with pytest.raises(UsageError) as err:
        clusters.ClusterSpec.from_flags(name="aks1", resource_group=RG, location="westus")
    assert "not offered in westus" in err.value.message
    assert clusters.ClusterSpec.from_flags(name="aks1", resource_group=RG, location="westus", sku="base")


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        ({"tier": "free"}, "Standard tier"),
        ({"tier": "premium"}, "Standard tier"),
        ({"enable_azure_rbac": False}, "Azure RBAC"),
        ({"system_vm_size": "Standard_D8ds_v5"}, "--system-vm-size"),
        ({"system_count": 2}, "--system-count"),
        ({"zones": ["1"]}, "--zones"),
        ({"os_sku": "Ubuntu"}, "--os-sku"),
    ],
)
def test_automatic_refuses_what_it_preconfigures(flags: dict[str, Any], needle: str) -> None:
    with pytest.raises(UsageError) as err:
        _spec(**flags)
    assert needle in err.value.message
    assert "--sku base" in (err.value.hint or "")


def test_the_emulator_refuses_an_automatic_cluster_without_managed_system_node_pools(azure_env: ArmEmulator) -> None:
    c = clusters.client(AzureTarget())
    body = clusters.build_create_body(_spec())
    del body["properties"]["hostedSystemProfile"]
    with pytest.raises(UsageError) as err:
        arm.call("create", lambda: c.managed_clusters.begin_create_or_update(RG, "aks1", body))
    assert "hostedSystemProfile" in err.value.message


@pytest.mark.parametrize(
    ("name", "prefix"), [("ml_gpu", "mlgpu-dns"), ("1st", "a1st-dns"), ("aks-1", "aks-1-dns"), ("a_1", "a1-dns")]
)
def test_the_dns_prefix_keeps_letters_digits_and_hyphens_and_starts_with_a_letter(name: str, prefix: str) -> None:
    assert clusters.build_create_body(_spec(name=name))["properties"]["dnsPrefix"] == prefix


def test_the_emulator_accepts_auto_provisioning_on_azure_cni_without_cilium(azure_env: ArmEmulator) -> None:
    c = clusters.client(AzureTarget())
    body = clusters.build_create_body(_spec(sku="base", node_provisioning="auto"))
    body["properties"]["networkProfile"] = {"networkPlugin": "azure", "networkPluginMode": "overlay"}
    poller = arm.call("create", lambda: c.managed_clusters.begin_create_or_update(RG, "aks1", body))
    assert clusters.as_dict(arm.wait_lro(poller, "create"))["properties"]["provisioningState"] == "Succeeded"


def test_the_emulator_refuses_auto_provisioning_with_calico(azure_env: ArmEmulator) -> None:
    c = clusters.client(AzureTarget())
    body = clusters.build_create_body(_spec(sku="base", node_provisioning="auto"))
    body["properties"]["networkProfile"] = {"networkPlugin": "azure", "networkPolicy": "calico"}
    with pytest.raises(UsageError) as err:
        arm.call("create", lambda: c.managed_clusters.begin_create_or_update(RG, "aks1", body))
    assert "Calico" in err.value.message


def test_scaling_a_pool_to_min_max_on_an_auto_provisioned_cluster_is_refused_before_the_put(
    azure_env: ArmEmulator,
) -> None:
    seed_cluster(azure_env, nodeProvisioningProfile={"mode": "Auto"})
    with pytest.raises(UsageError) as err:
        nodepools.begin_scale(clusters.client(AzureTarget()), RG, "aks1", "system", min_count=1, max_count=3)
    assert "auto-provisioning" in err.value.message
    assert azure_env.requests_to("/agentPools/system$", "PUT") == []


def test_gpu_shortcut_hints_list_only_the_families_it_accepts() -> None:
    with pytest.raises(UsageError) as err:
        nodepools.NodePoolSpec.from_flags(name="gpu", cluster="aks1", resource_group=RG, gpu="a100", gpus_per_node=3)
    hint = err.value.hint or ""
    assert "a100 x1" in hint
    assert not any(f in hint for f in ("m60", "mi25", "v620"))


def test_an_auto_provisioned_cluster_is_not_stopped(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, nodeProvisioningProfile={"mode": "Auto"})
    c = clusters.client(AzureTarget())
    with pytest.raises(UsageError) as err:
        clusters.begin_stop(c, RG, "aks1")
    assert "auto-provisioning" in err.value.message
    assert azure_env.requests_to("/stop$", "POST") == []
    with pytest.raises(UsageError):  # and Azure refuses it too
        arm.call("stop", lambda: c.managed_clusters.begin_stop(RG, "aks1"))


@pytest.mark.parametrize("label", ["kubernetes.azure.com/team=ml", "kubernetes.io/role=gpu"])
def test_a_node_label_with_a_prefix_aks_reserves_is_refused(label: str) -> None:
    with pytest.raises(UsageError) as err:
        nodepools.NodePoolSpec.from_flags(
            name="gpu", cluster="aks1", resource_group=RG, vm_size="Standard_D8ds_v5", labels=[label]
        )
    assert "kept for labels set by AKS" in err.value.message


def test_a_b_series_system_pool_is_refused() -> None:
    with pytest.raises(UsageError) as err:
        nodepools.NodePoolSpec.from_flags(
            name="sys2", cluster="aks1", resource_group=RG, vm_size="Standard_B4ms", mode="System"
        )
    assert "B-series" in err.value.message
    with pytest.raises(UsageError):
        _spec(sku="base", system_vm_size="Standard_B4ms")
    assert nodepools.NodePoolSpec.from_flags(name="u", cluster="aks1", resource_group=RG, vm_size="Standard_B4ms")


@pytest.mark.parametrize(
    "props",
    [
        {"vmSize": "Standard_D8ds_v5", "count": 1, "nodeLabels": {"kubernetes.azure.com/x": "y"}},
        {"vmSize": "Standard_B4ms", "count": 1, "mode": "System"},
        {"vmSize": "Standard_D8ds_v5", "count": 1, "mode": "System", "scaleSetPriority": "Spot"},
    ],
)
def test_the_emulator_refuses_a_pool_aks_refuses(azure_env: ArmEmulator, props: dict[str, Any]) -> None:
    seed_cluster(azure_env)
    c = clusters.client(AzureTarget())
    with pytest.raises(UsageError):
        arm.call("add", lambda: c.agent_pools.begin_create_or_update(RG, "aks1", "p2", {"properties": props}))


def test_a_spot_max_price_with_more_than_five_decimals_is_refused() -> None:
    with pytest.raises(UsageError) as err:
        nodepools.NodePoolSpec.from_flags(
            name="spot",
            cluster="aks1",
            resource_group=RG,
            vm_size="Standard_D8ds_v5",
            spot=True,
            spot_max_price=0.123456,
        )
    assert "five decimal places" in (err.value.hint or "")
    spec = nodepools.NodePoolSpec.from_flags(
        name="spot", cluster="aks1", resource_group=RG, vm_size="Standard_D8ds_v5", spot=True, spot_max_price=0.98765
    )
    assert nodepools.build_body(spec)["properties"]["spotMaxPrice"] == 0.98765


def test_a_spot_max_price_has_no_upper_bound_but_must_be_finite() -> None:
    # AKS and az bound the price below only (spot-node-pool.md; az's validate_spot_max_price).
    spec = nodepools.NodePoolSpec.from_flags(
        name="spot", cluster="aks1", resource_group=RG, vm_size="Standard_D8ds_v5", spot=True, spot_max_price=12000.5
    )
    assert nodepools.build_body(spec)["properties"]["spotMaxPrice"] == 12000.5
    with pytest.raises(UsageError):
        nodepools.NodePoolSpec.from_flags(
            name="spot",
            cluster="aks1",
            resource_group=RG,
            vm_size="Standard_D8ds_v5",
            spot=True,
            spot_max_price=float("inf"),
        )


def _seed_with_spot_pool(emu: ArmEmulator) -> None:
    seed_cluster(
        emu,
        pools=[
            {"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5"},
            {"name": "spot", "mode": "User", "count": 1, "vmSize": "Standard_D8ds_v5", "scaleSetPriority": "Spot"},
        ],
        version="1.33.3",
        kubernetesVersion="1.33.3",
    )


def test_upgrading_control_plane_and_pools_of_a_cluster_with_spot_pools_is_refused_before_the_put(
    azure_env: ArmEmulator,
) -> None:
    _seed_with_spot_pool(azure_env)
    c = clusters.client(AzureTarget())
    with pytest.raises(UsageError) as err:
        upgrades.upgrade_body(c, RG, "aks1", "1.33.5")
    assert "spot" in err.value.message and "--control-plane-only" in (err.value.hint or "")
    assert azure_env.requests_to("/managedClusters/aks1$", "PUT") == []
    body = upgrades.upgrade_body(c, RG, "aks1", "1.33.5", control_plane_only=True)
    done = arm.wait_lro(upgrades.send_upgrade(c, RG, "aks1", body), "upgrade")
    assert clusters.as_dict(done)["properties"]["currentKubernetesVersion"] == "1.33.5"


def test_the_emulator_refuses_upgrading_control_plane_and_pools_with_a_spot_pool(azure_env: ArmEmulator) -> None:
    _seed_with_spot_pool(azure_env)
    c = clusters.client(AzureTarget())
    cluster = clusters.get(c, RG, "aks1")
    cluster["properties"]["kubernetesVersion"] = "1.33.5"
    for pool in cluster["properties"]["agentPoolProfiles"]:
        pool["orchestratorVersion"] = "1.33.5"
    with pytest.raises(UsageError):
        arm.call("upgrade", lambda: c.managed_clusters.begin_create_or_update(RG, "aks1", cluster))


def test_a_spot_pool_carries_the_label_and_taint_aks_adds_and_scales(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    c = clusters.client(AzureTarget())
    spec = nodepools.NodePoolSpec.from_flags(
        name="spot", cluster="aks1", resource_group=RG, vm_size="Standard_D8ds_v5", spot=True
    )
    pool = clusters.as_dict(arm.wait_lro(nodepools.begin_add(c, spec, nodepools.build_body(spec)), "add"))
    assert pool["properties"]["nodeLabels"] == {"kubernetes.azure.com/scalesetpriority": "spot"}
    assert pool["properties"]["nodeTaints"] == ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"]
    scaled = clusters.as_dict(arm.wait_lro(nodepools.begin_scale(c, RG, "aks1", "spot", count=2), "scale"))
    assert scaled["properties"]["count"] == 2
