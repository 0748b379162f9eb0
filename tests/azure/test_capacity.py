"""GPU quota and VM size availability are checked before a pool or cluster is created (issue #13
item 6), from the Compute resource SKUs and usages APIs the ARM emulator answers."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.azure import arm, capacity, clusters, nodepools
from akscli.azure.arm import AzureTarget
from akscli.errors import QuotaError, UsageError
from tests.azure.helpers import RG, seed_cluster
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.compute import quota_name

H100 = "Standard_NC40ads_H100_v5"  # 40 vCPUs


def _add(size: str = H100, count: int = 2, **flags: Any) -> Any:
    c = clusters.client(AzureTarget())
    spec = nodepools.NodePoolSpec.from_flags(
        name="gpu", cluster="aks1", resource_group=RG, vm_size=size, count=count, **flags
    )
    return nodepools.begin_add(c, spec, nodepools.build_body(spec), AzureTarget())


def test_a_pool_over_the_family_quota_is_refused_with_the_numbers(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.quota_limits[("eastus", quota_name(H100).lower())] = 48
    with pytest.raises(QuotaError) as err:
        _add()
    message = err.value.message
    assert "needs 80 vCPUs (2 x Standard_NC40ads_H100_v5, 40 each)" in message
    assert "has 48 free (used 0 of limit 48)" in message and quota_name(H100) in message
    assert "at least 80" in (err.value.hint or "")
    assert azure_env.requests_to("/agentPools/gpu$", "PUT") == []


def test_the_regional_vcpu_quota_counts_too(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.quota_limits[("eastus", "cores")] = 60
    with pytest.raises(QuotaError) as err:
        _add()
    assert "total regional vCPU quota" in err.value.message


def test_a_spot_pool_counts_against_the_spot_quota(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.quota_limits[("eastus", "lowprioritycores")] = 10
    azure_env.quota_limits[("eastus", quota_name(H100).lower())] = 0  # not what spot uses
    with pytest.raises(QuotaError) as err:
        _add(spot=True)
    assert "spot vCPU quota" in err.value.message


def test_a_size_restricted_for_the_subscription_is_refused(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.sku_restrictions[H100.lower()] = [
        {"type": "Location", "values": ["eastus"], "restrictionInfo": {"locations": ["eastus"]},
         "reasonCode": "NotAvailableForSubscription"}
    ]  # fmt: skip
    with pytest.raises(UsageError) as err:  # AKS refuses it with 400 BadRequest: a usage error, as that is
        _add()
    assert "not allowed in your subscription in location 'eastus'" in err.value.message
    assert "NotAvailableForSubscription" in err.value.message


def _restrict_zone_2(azure_env: ArmEmulator) -> None:
    azure_env.sku_restrictions[H100.lower()] = [
        {"type": "Zone", "values": ["eastus"], "restrictionInfo": {"locations": ["eastus"], "zones": ["2"]},
         "reasonCode": "NotAvailableForSubscription"}
    ]  # fmt: skip


def test_a_zone_only_restriction_leaves_the_region_and_other_zones_usable(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    _restrict_zone_2(azure_env)
    with pytest.raises(UsageError):
        _add(zones=["2"])
    assert capacity.where_offered(AzureTarget(), H100)["eastus"] == ["1", "3"]
    arm.wait_lro(_add(zones=["1"]), "add")


def test_a_zone_the_size_lacks_is_a_usage_error_in_aks_words_before_the_put(azure_env: ArmEmulator) -> None:
    # It was a QuotaError (exit 8, "not available in zone(s)"); AKS answers 400
    # AvailabilityZoneNotSupported (MicrosoftDocs/azure-aks-docs pull request 416).
    seed_cluster(azure_env)
    _restrict_zone_2(azure_env)
    with pytest.raises(UsageError) as err:
        _add(zones=["1", "2"])
    assert err.value.exit_code == 2
    assert "the zone(s) 2 are not supported for Standard_NC40ads_H100_v5 in location 'eastus'" in err.value.message
    assert "AvailabilityZoneNotSupported" in err.value.message and "supported zones there are 1 3" in err.value.message
    assert (err.value.hint or "").startswith("use --zones 1 3")
    assert azure_env.requests_to("/agentPools/gpu$", "PUT") == []


def test_the_emulator_refuses_a_zone_the_size_lacks_as_aks_does(azure_env: ArmEmulator) -> None:
    from azure.core.exceptions import HttpResponseError

    seed_cluster(azure_env)
    _restrict_zone_2(azure_env)
    c = clusters.client(AzureTarget())
    body = {"properties": {"vmSize": H100, "count": 1, "availabilityZones": ["2"]}}
    with pytest.raises(HttpResponseError) as raw:
        c.agent_pools.begin_create_or_update(RG, "aks1", "gpu", body)
    assert raw.value.status_code == 400 and raw.value.error is not None
    assert raw.value.error.code == "AvailabilityZoneNotSupported"
    assert raw.value.error.message == (
        "The zone(s) 2 for resource gpu is not supported. The supported zones for location eastus are 1,3."
    )


def test_azures_own_zone_refusal_is_a_usage_error(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    _restrict_zone_2(azure_env)
    c = clusters.client(AzureTarget())
    spec = nodepools.NodePoolSpec.from_flags(
        name="gpu", cluster="aks1", resource_group=RG, vm_size=H100, count=1, zones=["2"]
    )
    with pytest.raises(UsageError) as err:  # no target: no preflight, straight to Azure's answer
        nodepools.begin_add(c, spec, nodepools.build_body(spec))
    assert "Azure rejected the request (AvailabilityZoneNotSupported): The zone(s) 2" in err.value.message
    assert "zones it names as supported" in (err.value.hint or "")


def test_a_size_the_region_does_not_offer_names_where_it_is(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.sku_availability[H100] = {"westus3": ["1"]}
    with pytest.raises(UsageError) as err:
        _add()
    assert "not allowed in your subscription in location 'eastus'" in err.value.message
    assert "westus3 (zones 1)" in (err.value.hint or "")


def test_cluster_create_checks_the_system_pool(azure_env: ArmEmulator) -> None:
    azure_env.quota_limits[("eastus", "cores")] = 4
    spec = clusters.ClusterSpec.from_flags(name="aks1", resource_group=RG, location="eastus", sku="base")
    c = clusters.client(AzureTarget())
    with pytest.raises(QuotaError):
        clusters.begin_create(c, spec, clusters.build_create_body(spec), target=AzureTarget())
    assert azure_env.requests_to("/managedClusters/aks1$", "PUT") == []


def test_the_emulator_fails_a_pool_over_quota_as_aks_preflight_does(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.quota_limits[("eastus", quota_name(H100).lower())] = 48
    c = clusters.client(AzureTarget())
    spec = nodepools.NodePoolSpec.from_flags(name="gpu", cluster="aks1", resource_group=RG, vm_size=H100, count=2)
    with pytest.raises(QuotaError) as err:  # no target: straight to Azure, which fails the operation
        arm.wait_lro(nodepools.begin_add(c, spec, nodepools.build_body(spec)), "add node pool gpu")
    assert "needs 80 more" in err.value.message


def test_a_size_offered_nowhere_is_a_usage_error_before_the_put(azure_env: ArmEmulator) -> None:
    # It was a QuotaError (exit 8, "Azure would answer SkuNotAvailable"); AKS answers such a size
    # with 400 BadRequest (emulators/arm/aks.py vm_size_not_allowed), a usage error.
    seed_cluster(azure_env)
    with pytest.raises(UsageError) as err:
        _add("Standard_Bogus", 1)
    assert err.value.exit_code == 2
    assert "Standard_Bogus is not allowed in your subscription in location 'eastus'" in err.value.message
    assert "in no region" in (err.value.hint or "") and "az vm list-skus -l eastus" in (err.value.hint or "")
    assert azure_env.requests_to("/agentPools/gpu$", "PUT") == []


def test_the_emulator_refuses_a_size_the_region_does_not_offer_as_aks_does(azure_env: ArmEmulator) -> None:
    from azure.core.exceptions import HttpResponseError

    cluster = seed_cluster(azure_env)
    c = clusters.client(AzureTarget())
    body = {"properties": {"vmSize": "Standard_Bogus", "count": 1}}
    with pytest.raises(HttpResponseError) as raw:
        c.agent_pools.begin_create_or_update(RG, "aks1", "bogus", body)
    assert raw.value.status_code == 400 and raw.value.error is not None and raw.value.error.code == "BadRequest"
    assert str(raw.value.error.message).startswith(
        "The VM size of Standard_Bogus is not allowed in your subscription in location 'eastus'. "
        "The available VM sizes are 'standard_"
    )
    assert azure_env.get_resource(f"{cluster}/agentPools/bogus") is None


def test_a_size_azure_refuses_keeps_azures_message_without_its_list(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    c = clusters.client(AzureTarget())
    spec = nodepools.NodePoolSpec.from_flags(name="gpu", cluster="aks1", resource_group=RG, vm_size="Standard_Bogus")
    with pytest.raises(UsageError) as err:  # no target: no preflight, straight to Azure's answer
        nodepools.begin_add(c, spec, nodepools.build_body(spec))
    message = err.value.message
    assert message.startswith("add node pool gpu: Azure rejected the request (BadRequest): ")
    assert "The VM size of Standard_Bogus is not allowed in your subscription in location 'eastus'." in message
    assert "sizes are allowed there)" in message and "standard_d4ds_v5" not in message
    assert "aka.ms/aks/quotas-skus-regions" in message
    assert "az vm list-skus -l eastus --resource-type virtualMachines" in (err.value.hint or "")
