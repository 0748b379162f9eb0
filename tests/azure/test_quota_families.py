"""Azure's quota families as Azure names them: the Resource SKUs API's ``family`` of a size, and the
usages API's ``name.value`` and ``localizedValue`` of its quota, which spell one family apart
(tests/emulators/arm/sku_families.py cites each spelling), and AKS's QuotaExceeded that names it."""

from __future__ import annotations

import csv

import pytest

from akscli.azure import capacity
from akscli.azure.arm import AzureTarget
from akscli.azure.armerrors import quota_error
from akscli.errors import QuotaError
from akscli.model import skus
from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.compute import quota_message, shared_csv
from tests.emulators.arm.sku_families import SKU_FAMILIES

T4 = "Standard_NC4as_T4_v3"  # 4 vCPUs; the SKU list says "Standard NCASv3_T4 Family"
A100 = "Standard_NC24ads_A100_v4"  # 24 vCPUs; the SKU list says "StandardNCADSA100v4Family"
ND_A100 = "Standard_ND96amsr_A100_v4"  # 96 vCPUs; the SKU list says "standard NDAMSv4_A100Family"


def test_every_gpu_size_akscli_knows_and_the_shared_table_lists_has_its_family_from_azure() -> None:
    # The shared table's source (skypilot-catalog vms.csv) holds no family; each size's family is the
    # Resource SKUs API's, as Azure/karpenter-provider-azure's generated known_skus.yaml records it.
    with shared_csv().open(encoding="utf-8") as f:
        listed = {row["sku"] for row in csv.DictReader(f)}
    known = {s.vm_size for s in skus.all_skus()}
    assert sorted((listed | known) - set(SKU_FAMILIES)) == []


def test_the_sku_list_and_the_usages_spell_a_family_as_azure_does(azure_env: ArmEmulator) -> None:
    target = AzureTarget()
    families = {r["name"]: r["family"] for r in capacity.sku_rows(target, "eastus")}
    assert families[T4] == "Standard NCASv3_T4 Family" and families[A100] == "StandardNCADSA100v4Family"
    quotas = capacity.usages(target, "eastus")
    assert (quotas["standardncasv3t4family"].name, quotas["standardncasv3t4family"].label) == (
        "standardNCASv3_T4Family",
        "Standard NCASv3_T4 Family vCPUs",
    )
    assert quotas["standardncadsa100v4family"].label == "Standard NCADS_A100_v4 Family vCPUs"
    assert quotas["cores"].label == "Total Regional vCPUs"


@pytest.mark.parametrize(("size", "quota"), [(T4, "standardNCASv3_T4Family"), (ND_A100, "standardNDAMSv4_A100Family")])
def test_a_family_the_sku_list_spells_with_spaces_still_meets_its_quota(
    azure_env: ArmEmulator, size: str, quota: str
) -> None:
    # Matched by the lower-cased name alone, the SKU list's "Standard NCASv3_T4 Family" found no usage,
    # so a pool over its quota passed the check and failed at Azure minutes later.
    azure_env.quota_limits[("eastus", quota)] = 0
    with pytest.raises(QuotaError) as err:
        capacity.check(AzureTarget(), "add node pool gpu", "eastus", size, 1)
    assert f"but the {quota} vCPU quota in eastus has 0 free" in err.value.message
    assert f"for {quota} in eastus" in (err.value.hint or "")
    assert f"'az quota update --resource-name {quota}'" in (err.value.hint or "")


def test_the_hint_names_the_quota_as_the_portal_lists_it(azure_env: ArmEmulator) -> None:
    azure_env.quota_limits[("eastus", "standardNCADSA100v4Family")] = 0
    with pytest.raises(QuotaError) as err:
        capacity.check(AzureTarget(), "add node pool gpu", "eastus", A100, 1)
    assert "('Standard NCADS_A100_v4 Family vCPUs' there)" in (err.value.hint or "")


def test_the_plan_marks_a_size_over_a_quota_the_sku_list_spells_apart(azure_env: ArmEmulator) -> None:
    azure_env.quota_limits[("eastus", "standardNCASv3_T4Family")] = 4
    marks = capacity.quota_marks(AzureTarget(), "eastus", {T4: 2, A100: 1})
    assert marks == {T4: "over quota: needs 8 vCPUs, 4 free of the standardNCASv3_T4Family vCPU quota"}


def _scale_t4_pool(azure_env: ArmEmulator) -> str:
    pools = [
        {"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
        {"name": "gpu", "mode": "User", "count": 1, "vmSize": T4},
    ]
    seed_cluster(azure_env, pools=pools)
    r = invoke("nodepool", "scale", "gpu", "-c", "aks1", "-g", RG, "--count", "3", "-y")
    assert r.exit_code == 8, r
    return r.stderr


def test_aks_refuses_a_scale_over_the_family_quota_naming_its_usage_name(azure_env: ArmEmulator) -> None:
    # Scaling runs no preflight of akscli's: AKS's preflight refuses the PUT, in its words
    # (tests/emulators/arm/compute.py quota_message).
    azure_env.quota_limits[("eastus", "standardNCASv3_T4Family")] = 8
    stderr = _scale_t4_pool(azure_env)
    error = next(line for line in stderr.splitlines() if line.startswith("error:"))
    assert "standardNCASv3_T4Family vCPU quota exceeded in eastus: limit 8, in use 4, needs 8 more" in error
    assert "(new limit at least 12)" in error
    assert "'az quota update --resource-name standardNCASv3_T4Family'" in stderr


def test_aks_refuses_a_scale_over_the_regional_quota_as_total_regional_cores(azure_env: ArmEmulator) -> None:
    azure_env.quota_limits[("eastus", "cores")] = 10
    stderr = _scale_t4_pool(azure_env)
    error = next(line for line in stderr.splitlines() if line.startswith("error:"))
    assert "Total Regional vCPU quota exceeded in eastus: limit 10, in use 8, needs 8 more" in error
    assert "'az quota update --resource-name cores'" in stderr


# How Azure's node auto-provisioning provider sorts Compute's OperationNotAllowed by its message, in the
# order it tries them (Azure/karpenter-provider-azure 352646f pkg/providers/instance/offerings/
# resperrorhandlers.go; the terms: Azure/azure-sdk-for-go-extensions 9a81406 pkg/errors/consts.go,
# matched case and all by strings.Contains in pkg/errors/common.go).
_PROVIDER_TERMS = (
    ("LowPriorityQuota", "LowPriorityCores"),
    ("SKUFamilyQuota", "Family Cores quota"),
    ("RegionalQuota", "exceeding approved Total Regional Cores quota"),
)


_POOL = f"/subscriptions/s/resourceGroups/{RG}/providers/Microsoft.ContainerService/managedClusters/c/agentPools/gpu"


def _provider_reads(message: str) -> str | None:
    return next((code for code, term in _PROVIDER_TERMS if term in message), None)


@pytest.mark.parametrize(
    ("quota", "code"),
    [
        ("lowPriorityCores", "LowPriorityQuota"),
        ("standardNCADSA100v4Family", "SKUFamilyQuota"),
        ("cores", "RegionalQuota"),
    ],
)
def test_the_emulators_quota_refusal_is_read_by_the_nap_provider_as_the_quota_it_names(quota: str, code: str) -> None:
    assert _provider_reads(quota_message(_POOL, "eastus", quota, 0, 0, 24)) == code


def test_a_spot_quota_refusal_links_the_quota_as_azure_spells_it() -> None:
    # Compute's "Low Priority Cores quota" names LowPriorityCores only in its request link
    # (pkg/providers/instancetype/suite_test.go LowPriorityCoresQuotaErrorMessage).
    message = quota_message(_POOL, "eastus", "lowPriorityCores", 3, 0, 6)
    assert "exceeding approved Low Priority Cores quota" in message
    assert "%22resourceName%22:%22LowPriorityCores%22" in message


# Compute's two wordings of the spot quota (Azure/karpenter-provider-azure 352646f pkg/fake/aksmachinesapi.go
# and pkg/providers/instancetype/suite_test.go), with the numbers of the former.
_SPOT_DETAILS = (
    "quota. Additional details - Deployment Model: Resource Manager, Location: westus2, Current Limit: 3, "
    "Current Usage: 0, Additional Required: 6, (Minimum) New Limit Required: 6."
)


@pytest.mark.parametrize("words", ["LowPriorityCores", "Low Priority Cores"])
def test_a_spot_quota_refusal_in_either_of_azures_wordings_names_the_spot_quota(words: str) -> None:
    message = f"Operation could not be completed as it results in exceeding approved {words} {_SPOT_DETAILS}"
    err = quota_error("add node pool spot: ", message)
    assert err.message == (
        "add node pool spot: Low Priority vCPU quota exceeded in westus2: limit 3, in use 0, needs 6 more "
        "(new limit at least 6)"
    )
    assert "'az quota update --resource-name lowPriorityCores'" in (err.hint or "")
