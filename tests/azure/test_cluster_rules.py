"""Cluster and node pool combinations AKS refuses are refused before anything is sent, and what
KAITO and node auto-provisioning need is set (issue #13 item 4)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.azure import arm, clusters, nodepools
from akscli.azure.arm import AzureTarget
from akscli.errors import NotInstalledError, UsageError
from tests.azure.helpers import RG, seed_cluster
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.aksrules import HOSTED_SYSTEM_FEATURE, register_feature


def _spec(**flags: Any) -> clusters.ClusterSpec:
    return clusters.ClusterSpec.from_flags(name="aks1", resource_group=RG, location="eastus", **flags)


def _create(spec: clusters.ClusterSpec) -> dict[str, Any]:
    c = clusters.client(AzureTarget())
    poller = clusters.begin_create(c, spec, clusters.build_create_body(spec), target=AzureTarget())
    return clusters.as_dict(arm.wait_lro(poller, "create"))


def test_a_base_cluster_with_auto_provisioning_gets_overlay_and_cilium(azure_env: ArmEmulator) -> None:
    body = clusters.build_create_body(_spec(sku="base", node_provisioning="auto"))
    net = body["properties"]["networkProfile"]
    assert (net["networkPlugin"], net["networkPluginMode"], net["networkDataplane"]) == ("azure", "overlay", "cilium")
    assert _create(_spec(sku="base", node_provisioning="auto"))["properties"]["provisioningState"] == "Succeeded"


def test_the_emulator_refuses_auto_provisioning_without_its_network(azure_env: ArmEmulator) -> None:
    c = clusters.client(AzureTarget())
    body = clusters.build_create_body(_spec(sku="base", node_provisioning="auto"))
    del body["properties"]["networkProfile"]
    with pytest.raises(UsageError) as err:
        arm.call("create", lambda: c.managed_clusters.begin_create_or_update(RG, "aks1", body))
    assert "overlay" in err.value.message


def test_kaito_turns_on_the_oidc_issuer_and_workload_identity() -> None:
    props = clusters.build_create_body(_spec(enable_kaito=True))["properties"]
    assert props["aiToolchainOperatorProfile"] == {"enabled": True}
    assert props["oidcIssuerProfile"] == {"enabled": True}
    assert props["securityProfile"] == {"workloadIdentity": {"enabled": True}}


def test_kaito_on_azure_linux_is_refused() -> None:
    with pytest.raises(UsageError) as err:
        _spec(enable_kaito=True, os_sku="AzureLinux")
    assert "KAITO" in err.value.message


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


def test_hosted_system_without_the_feature_registration_prints_the_register_line(azure_env: ArmEmulator) -> None:
    with pytest.raises(NotInstalledError) as err:
        _create(_spec(hosted_system=True))
    assert (
        "az feature register --namespace Microsoft.ContainerService --name AKS-AutomaticHostedSystemProfilePreview"
        in (err.value.hint or "")
    )
    assert azure_env.requests_to("/managedClusters/aks1$", "PUT") == []


def test_hosted_system_with_the_feature_registered_creates(azure_env: ArmEmulator) -> None:
    register_feature(azure_env, *HOSTED_SYSTEM_FEATURE)
    cluster = _create(_spec(hosted_system=True))
    assert cluster["properties"]["hostedSystemProfile"] == {"enabled": True}


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
