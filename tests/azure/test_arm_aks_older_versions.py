"""AKS api-versions 2023-11-01 to 2024-01-02-preview are answered in their own shapes (audit 36).

The emulator's AKS model is 2026-08-01. At an older version it serves, the answer lacks what that
version's swagger lacks, and a request carrying it is refused from 2024-01-01 on and ignored before
(AKS's unknown-field rule: Azure/AKS issue #4060). The sets are tests/emulators/arm/aksolder.py's,
from azure-mgmt-containerservice 30.0.0's v2023_11_01, v2023_11_02_preview, v2024_01_01 and
v2024_01_02_preview models (generated from Azure/azure-rest-api-specs specification/containerservice/
resource-manager/Microsoft.ContainerService/aks/{stable,preview}/<version>/managedClusters.json).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.azure.helpers import cluster_id, seed_cluster
from tests.emulators.arm import ArmEmulator, routes
from tests.emulators.arm.server import ArmError


def _get(emu: ArmEmulator, path: str, version: str) -> dict[str, Any]:
    status, _, answer = routes._arm(emu, "GET", path, {"api-version": [version]}, b"", {})
    assert status == 200
    return dict(answer["properties"])


def _put(emu: ArmEmulator, version: str, **properties: Any) -> None:
    props = {"dnsPrefix": "aks2", "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 1}]}
    body = json.dumps({"location": "eastus", "properties": {**props, **properties}}).encode()
    emu.lro_polls = 0
    routes._arm(emu, "PUT", cluster_id("aks2"), {"api-version": [version]}, body, {})


def test_a_cluster_read_at_2024_01_01_lacks_the_kaito_add_on_that_came_later(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, aiToolchainOperatorProfile={"enabled": True})
    props = _get(azure_env, cluster_id("aks1"), "2024-01-01")
    assert "aiToolchainOperatorProfile" not in props
    assert props["kubernetesVersion"] == "1.33.5"


def test_a_cluster_read_at_2024_01_02_preview_keeps_the_kaito_add_on_it_has(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, aiToolchainOperatorProfile={"enabled": True})
    assert _get(azure_env, cluster_id("aks1"), "2024-01-02-preview")["aiToolchainOperatorProfile"] == {"enabled": True}


def test_a_cluster_read_at_2023_11_01_has_no_ingress_profile(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, ingressProfile={"webAppRouting": {"enabled": True}})
    assert "ingressProfile" not in _get(azure_env, cluster_id("aks1"), "2023-11-01")
    assert _get(azure_env, cluster_id("aks1"), "2024-01-01")["ingressProfile"] == {"webAppRouting": {"enabled": True}}


def test_a_pool_read_at_2024_01_01_lacks_its_gpu_profile(azure_env: ArmEmulator) -> None:
    pool = {"name": "gpu", "mode": "User", "count": 1, "gpuProfile": {"driver": "None"}}
    seed_cluster(azure_env, pools=[{"name": "system", "mode": "System", "count": 1}, pool])
    path = cluster_id("aks1") + "/agentPools/gpu"
    assert "gpuProfile" not in _get(azure_env, path, "2024-01-01")
    assert _get(azure_env, path, "2026-08-01")["gpuProfile"] == {"driver": "None"}


def test_a_cluster_put_at_2024_01_01_with_a_later_property_is_refused(azure_env: ArmEmulator) -> None:
    with pytest.raises(ArmError) as refused:
        _put(azure_env, "2024-01-01", aiToolchainOperatorProfile={"enabled": True})
    assert (refused.value.status, refused.value.code) == (400, "InvalidRequestContent")
    assert "'aiToolchainOperatorProfile' is not defined for ManagedClusterProperties in api-version 2024-01-01" in (
        refused.value.message
    )
    assert azure_env.get_resource(cluster_id("aks2")) is None


def test_a_cluster_put_at_2023_11_01_ignores_a_later_property(azure_env: ArmEmulator) -> None:
    _put(azure_env, "2023-11-01", aiToolchainOperatorProfile={"enabled": True})
    stored = azure_env.get_resource(cluster_id("aks2"))
    assert stored is not None
    assert "aiToolchainOperatorProfile" not in stored["properties"]


def test_a_cluster_put_at_2024_01_01_with_a_later_enum_value_is_refused(azure_env: ArmEmulator) -> None:
    pools = [{"name": "system", "mode": "System", "count": 1, "osSKU": "Ubuntu2404"}]
    with pytest.raises(ArmError, match="'Ubuntu2404', which api-version 2024-01-01 does not have"):
        _put(azure_env, "2024-01-01", agentPoolProfiles=pools)
