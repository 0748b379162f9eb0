"""The ARM emulator checks an AKS body by the api-version the request names (audit 33).

AKS refuses a property its API does not have from api-version 2024-01-01 (and 2024-01-02-preview) on;
older api-versions silently ignore it (upstream: Azure/AKS issue #4060, "AKS will start rejecting
requests with unknown fields in the 2024-01-01 API version"; Azure/AKS PR #4078 CHANGELOG.md, Release
2024-01-23). Plain calls of the emulator's router, as test_arm_accepted_answers.py makes them.
"""

from __future__ import annotations

import json

import pytest

from tests.azure.helpers import cluster_id, seed_cluster
from tests.emulators.arm import ArmEmulator, routes
from tests.emulators.arm.server import ArmError

POOL = {"properties": {"count": 1, "vmSize": "Standard_D4ds_v5", "mode": "User", "osType": "Linux"}}


def _put_pool(emu: ArmEmulator, api_version: str, extra: dict[str, object]) -> tuple[int, dict[str, object]]:
    seed_cluster(emu)
    emu.lro_polls = 0
    body = json.loads(json.dumps(POOL))
    body["properties"].update(extra)
    pool = cluster_id("aks1") + "/agentPools/batch"
    status, _, answer = routes._arm(emu, "PUT", pool, {"api-version": [api_version]}, json.dumps(body).encode(), {})
    return status, answer


@pytest.mark.parametrize("api_version", ["2024-01-01", "2024-01-02-preview", "2026-08-01"])
def test_an_unknown_property_is_refused_from_api_version_2024_01_01_on(
    azure_env: ArmEmulator, api_version: str
) -> None:
    with pytest.raises(ArmError, match=r"'properties\.scaleToZero' is not defined") as refused:
        _put_pool(azure_env, api_version, {"scaleToZero": True})
    assert (refused.value.status, refused.value.code) == (400, "InvalidRequestContent")


@pytest.mark.parametrize("api_version", ["2023-11-01", "2023-11-02-preview"])
def test_an_unknown_property_is_ignored_before_api_version_2024_01_01(azure_env: ArmEmulator, api_version: str) -> None:
    status, pool = _put_pool(azure_env, api_version, {"scaleToZero": True})
    assert status == 201
    assert "scaleToZero" not in pool["properties"]
    assert pool["properties"]["count"] == 1


def test_an_unknown_property_below_a_known_one_is_ignored_before_2024_01_01(azure_env: ArmEmulator) -> None:
    status, pool = _put_pool(azure_env, "2023-11-01", {"upgradeSettings": {"maxSurge": "1", "surgeNodes": 2}})
    assert status == 201
    assert pool["properties"]["upgradeSettings"] == {"maxSurge": "1"}


def test_a_tags_patch_with_another_property_is_ignored_before_2024_01_01(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 0
    body = b'{"tags": {"team": "ml"}, "properties": {"kubernetesVersion": "1.34.1"}}'
    status, _, cluster = routes._arm(azure_env, "PATCH", cluster_id("aks1"), {"api-version": ["2023-11-01"]}, body, {})
    assert status == 200
    assert cluster["tags"] == {"team": "ml"}
    assert cluster["properties"]["kubernetesVersion"] == "1.33.5"
