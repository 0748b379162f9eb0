"""A PUT built from a GET (nodepool scale and upgrade, cluster upgrade) sends back only what the
spec lets a client send: no read-only property (``readOnly: true`` in Azure/azure-rest-api-specs
.../aks/stable/2026-08-01/managedClusters.json), and no agent pool ``nodeImageVersion``, which since
2026-04-01 asks AKS to roll the pool back to that image (Azure/azure-rest-api-specs#43524). The ARM
emulator ignores read-only properties a PUT sends back with their current values, and refuses one
sent with another value (tests/emulators/arm/schema.py refuse_changed_read_only)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.azure import arm
from akscli.errors import AkscliError
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator

IMAGE = "AKSAzureLinux-V3gen2-202605.01.0"
POOL = {
    "name": "system",
    "mode": "System",
    "count": 1,
    "vmSize": "Standard_D4ds_v5",
    "orchestratorVersion": "1.32.9",
    "currentOrchestratorVersion": "1.32.9",
    "nodeImageVersion": IMAGE,
    "eTag": '"abc"',
}
POOL_READ_ONLY = {"currentOrchestratorVersion", "provisioningState", "eTag"}


def _body(*args: str) -> dict[str, Any]:
    result = invoke(*args, "--dry-run")
    assert result.exit_code == 0, result
    body: dict[str, Any] = json.loads(result.stdout)["body"]
    return body


def test_nodepool_scale_sends_no_node_image_version_and_no_read_only_property(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, version="1.33.5", pools=[POOL])
    body = _body("nodepool", "scale", "system", "-c", "aks1", "-g", RG, "--count", "2")
    assert body["properties"]["count"] == 2
    assert "nodeImageVersion" not in body["properties"]
    assert not POOL_READ_ONLY & set(body["properties"])
    assert not {"id", "name", "type", "systemData"} & set(body)


def test_nodepool_upgrade_sends_no_node_image_version_and_no_read_only_property(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, version="1.33.5", pools=[POOL])
    body = _body("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "-k", "1.33.5")
    assert body["properties"]["orchestratorVersion"] == "1.33.5"
    assert "nodeImageVersion" not in body["properties"]
    assert not POOL_READ_ONLY & set(body["properties"])


def test_cluster_upgrade_sends_no_pool_node_image_version_and_no_read_only_property(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, version="1.33.5", pools=[{**POOL, "orchestratorVersion": "1.33.5"}])
    body = _body("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.34.2")
    props = body["properties"]
    assert props["kubernetesVersion"] == "1.34.2"
    assert not {"currentKubernetesVersion", "fqdn", "provisioningState", "powerState", "maxAgentPools"} & set(props)
    for pool in props["agentPoolProfiles"]:
        assert "nodeImageVersion" not in pool and not POOL_READ_ONLY & set(pool)
        assert pool["orchestratorVersion"] == "1.34.2"


def test_a_scaled_pool_keeps_its_node_image(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, version="1.33.5", pools=[POOL])
    result = invoke("nodepool", "scale", "system", "-c", "aks1", "-g", RG, "--count", "2", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["properties"]["nodeImageVersion"] == IMAGE


def test_the_emulator_ignores_read_only_properties_a_put_sends_back_as_read(azure_env: ArmEmulator) -> None:
    rid = seed_cluster(azure_env)
    cluster = azure_env.get_resource(rid)
    assert cluster is not None
    sent = cluster["properties"]
    assert sent["currentKubernetesVersion"] and sent["fqdn"] and sent["provisioningState"] == "Succeeded"
    client = arm.raw_client(arm.AzureTarget())
    arm.raw_call(client, "PUT", cluster_id("aks1"), "2026-08-01", cluster)
    stored = azure_env.get_resource(rid)
    assert stored is not None and stored["properties"]["currentKubernetesVersion"] == sent["currentKubernetesVersion"]


def test_the_emulator_refuses_a_read_only_property_sent_with_another_value(azure_env: ArmEmulator) -> None:
    # microsoft/api-guidelines azure/Guidelines.md: "MUST fail the request unless the passed-in
    # value matches the resource's current value" (tests/emulators/arm/schema.py).
    rid = seed_cluster(azure_env)
    cluster = azure_env.get_resource(rid)
    assert cluster is not None
    cluster["properties"].update(privateFQDN="sent.by.client")
    client = arm.raw_client(arm.AzureTarget())
    with pytest.raises(AkscliError, match=r"'properties\.privateFQDN' is read-only"):
        arm.raw_call(client, "PUT", cluster_id("aks1"), "2026-08-01", cluster)
    stored = azure_env.get_resource(rid)
    assert stored is not None and "privateFQDN" not in stored["properties"]
