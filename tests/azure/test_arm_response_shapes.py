"""What the ARM emulator answers for AKS, read against the published API: every property of every
resource it returns (a cluster, its pools, their upgrade profiles, a list, the credentials) is one the
2026-08-01 spec defines for that response, and every enum value is one of the spec's. The models are
the official SDK's, generated from Azure/azure-rest-api-specs aks/stable/2026-08-01 managedClusters.json
(azure-mgmt-containerservice 41.8.0; tests/emulators/arm/schema.py). An emulator that returned a
property AKS does not have would let akscli read a field no real cluster has."""

from __future__ import annotations

from typing import Any

import pytest

from tests.azure.helpers import RG, cluster_id
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator, schema

AKS_API = "2026-08-01"
CLUSTER = cluster_id("aks2")
# (what, the request's path under the cluster, the spec's model of the response, a list of them)
RESPONSES = [
    ("cluster", "", "ManagedCluster", False),
    ("clusters of the group", "/..", "ManagedCluster", True),
    ("pool", "/agentPools/gpu", "AgentPool", False),
    ("pools", "/agentPools", "AgentPool", True),
    ("cluster upgrade profile", "/upgradeProfiles/default", "ManagedClusterUpgradeProfile", False),
    ("pool upgrade profile", "/agentPools/gpu/upgradeProfiles/default", "AgentPoolUpgradeProfile", False),
    ("user credentials", "/listClusterUserCredential?format=exec", "CredentialResults", False),
]


@pytest.fixture
def built(azure_env: ArmEmulator) -> ArmEmulator:
    """A cluster made, given a GPU pool, scaled and upgraded by akscli's own commands."""
    for line in (
        f"cluster create aks2 -g {RG} -l eastus --sku base -k 1.32 -y",
        f"nodepool add gpu -c aks2 -g {RG} --gpu a100 --min 0 --max 2 --gpu-instance-profile MIG3g -y",
        f"nodepool scale gpu -c aks2 -g {RG} --count 1 --disable-autoscaler -y",
        f"cluster upgrade aks2 -g {RG} -k 1.33 -y",
    ):
        r = invoke(*line.split())
        assert r.exit_code == 0, (line, r)
    return azure_env


def _read(path: str) -> dict[str, Any]:
    from akscli.azure import arm

    client = arm.raw_client(arm.AzureTarget())
    method = "POST" if path.rsplit("/", 1)[-1].startswith("list") else "GET"
    if path.endswith("/.."):
        path = CLUSTER.rsplit("/", 1)[0]
    sep = "&" if "?" in path else "?"
    answer = arm.raw_call(client, method, f"{path}{sep}api-version={AKS_API}", AKS_API)
    assert answer is not None
    return answer


@pytest.mark.parametrize(("what", "sub", "model", "many"), RESPONSES, ids=[r[0] for r in RESPONSES])
def test_the_emulator_answers_only_what_the_published_api_defines(
    built: ArmEmulator, what: str, sub: str, model: str, many: bool
) -> None:
    answer = _read(CLUSTER + sub)
    items = answer["value"] if many else [answer]
    assert items, f"{what}: nothing to check"
    problems = [p for item in items for p in schema.problems(schema.aks_models(), model, item, strict=True)]
    assert problems == []
