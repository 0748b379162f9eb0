"""A node pool's name as AKS checks it: the spec's pattern for the agentPoolName path parameter and
ManagedClusterAgentPoolProfile.name (Azure/azure-rest-api-specs specification/containerservice/
resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/managedClusters.json,
"^[a-z][a-z0-9]{0,11}$"), refused with AKS's own words (Azure/AKS issue #3300). akscli refuses such a
name before sending anything (akscli/azure/names.py); the emulator refuses it too, so a request that
got past akscli's check would fail a test as it fails on Azure."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from akscli.azure import names
from akscli.errors import AkscliError, UsageError
from tests.azure.helpers import cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import aksrules
from tests.emulators.arm.server import ArmEmulator

AKS_API = "2026-08-01"
REFUSAL = "The value of parameter agentPoolProfile.name is invalid. Please see https://aka.ms/aks-naming-rules"
# The spec's pattern for a managed cluster's name (the resourceName path parameter, same file).
SPEC_CLUSTER_NAME = re.compile(r"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$")


def _put(path: str, body: dict[str, Any]) -> None:
    from akscli.azure import arm
    from akscli.azure.arm import AzureTarget

    client = arm.raw_client(AzureTarget())
    arm.wait_lro(arm.raw_begin(client, "PUT", path, AKS_API, body), "put")


POOL = {"properties": {"vmSize": "Standard_D4ds_v5", "count": 1, "mode": "User"}}


@pytest.mark.parametrize("name", ["GPU1", "gpu-a100", "1gpu", "abcdefghijklm"])
def test_a_pool_put_with_a_name_outside_the_spec_pattern_is_refused(azure_env: ArmEmulator, name: str) -> None:
    seed_cluster(azure_env)
    with pytest.raises(AkscliError, match=re.escape(REFUSAL)):
        _put(cluster_id("aks1") + f"/agentPools/{name}", POOL)
    assert azure_env.get_resource(cluster_id("aks1") + f"/agentPools/{name}") is None


def test_a_pool_put_with_a_twelve_character_name_is_answered(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    _put(cluster_id("aks1") + "/agentPools/abcdefghijkl", POOL)
    assert azure_env.get_resource(cluster_id("aks1") + "/agentPools/abcdefghijkl") is not None


def test_a_cluster_put_whose_pool_profile_name_is_outside_the_pattern_is_refused(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)  # the resource group
    body = {
        "location": "eastus",
        "sku": {"name": "Base", "tier": "Free"},
        "properties": {
            "dnsPrefix": "new1-dns",
            "agentPoolProfiles": [{"name": "System", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"}],
        },
    }
    with pytest.raises(AkscliError, match=re.escape(REFUSAL)):
        _put(cluster_id("new1"), body)


def _takes(check: Callable[[str], str], name: str) -> bool:
    """Whether akscli's name check takes ``name`` (it raises UsageError for one it refuses)."""
    try:
        check(name)
    except UsageError:
        return False
    return True


NAMES = ["a", "gpu", "gpua100", "abcdefghijkl", "abcdefghijklm", "GPU", "gPU", "gpu-1", "gpu_1", "1gpu", "", "g.1"]


@pytest.mark.parametrize("name", NAMES)
def test_akscli_takes_exactly_the_pool_names_the_spec_takes(name: str) -> None:
    assert _takes(names.nodepool_name, name) == bool(aksrules.POOL_NAME.match(name))


CLUSTERS = ["a", "A", "aks-gpu-1", "aks_gpu", "-aks", "aks-", "_aks", "aks.1", "a" * 63, "a" * 64, "1", ""]


@pytest.mark.parametrize("name", CLUSTERS)
def test_akscli_takes_exactly_the_cluster_names_the_spec_takes(name: str) -> None:
    assert _takes(names.cluster_name, name) == bool(SPEC_CLUSTER_NAME.match(name))


def test_nodepool_add_refuses_an_upper_case_name_before_sending(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    result = invoke("nodepool", "add", "GPU1", "-c", "aks1", "-g", "rg-ml", "--vm-size", "Standard_D8ds_v5", "-y")
    assert result.exit_code == 2
    assert azure_env.get_resource(cluster_id("aks1") + "/agentPools/GPU1") is None
