"""The api-versions the ARM emulator answers, and ARM's refusal of any other (audit 34).

ARM sends a request to a provider only at an api-version the provider registered for the type; at
any other it answers 400 NoRegisteredProviderFound, "No registered resource provider found for
location 'L' and API version 'V' for type 'managedClusters'. The supported api-versions are '...'.
The supported locations are '...'." (ARM's words as quoted in Azure/azure-cli#28368 and #28499;
tests/emulators/arm/apiversions.py cites each version it serves). Before audit 34 the emulator
answered any api-version with the 2026-08-01 shapes, so a wrong version in akscli passed every test.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from pathlib import Path

import pytest

from akscli.azure import capacity, clusters
from akscli.baremetal import clusters as baremetal_clusters
from akscli.baremetal import provision
from akscli.doctor import keda_role as doctor_keda_role
from akscli.fleet import armclient
from akscli.fleet.member_clusters import SHOWN
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.emulators.arm import ArmEmulator, apiversions, routes
from tests.emulators.arm.server import ArmError


def sdk_default(package: str) -> str:
    """The api-version an installed SDK sends unless told otherwise (its generated configuration)."""
    source = inspect.getsource(importlib.import_module(f"azure.mgmt.{package}._configuration"))
    found = set(re.findall(r'kwargs\.pop\("api_version", "([^"]+)"\)', source))
    assert len(found) == 1, found
    return found.pop()


# (namespace/type, the api-version akscli sends there): the SDKs' defaults, the version akscli names on
# its AKS client (the SDK's default must be the same: tests/azure/test_arm_sdk_pin.py), then akscli's
# raw calls.
SENT = [
    ("Microsoft.ContainerService/managedClusters", sdk_default("containerservice")),
    ("Microsoft.ContainerService/managedClusters", clusters.API_VERSION),
    ("Microsoft.ContainerService/fleets", sdk_default("containerservicefleet")),
    ("Microsoft.ContainerService/managedClusters", armclient._AKS_API),
    ("Microsoft.Kubernetes/connectedClusters", armclient._ARC_API),
    ("Microsoft.Kubernetes/connectedClusters", baremetal_clusters.CONNECTED_API),
    ("Microsoft.HybridContainerService/provisionedClusterInstances", baremetal_clusters.HYBRID_API),
    ("Microsoft.AzureStackHCI/logicalNetworks", baremetal_clusters.LNET_API),
    ("Microsoft.AzureStackHCI/devicePools", provision.STACK_HCI_API),
    ("Microsoft.AzureStackHCI/edgeMachines", provision.STACK_HCI_API),
    ("Microsoft.Authorization/roleAssignments", provision.ROLE_API),
    ("Microsoft.KubernetesConfiguration/extensions", provision.EXTENSION_API),
    ("Microsoft.Authorization/roleAssignments", doctor_keda_role.ROLES_API),
    ("Microsoft.ManagedIdentity/userAssignedIdentities", doctor_keda_role.IDENTITIES_API),
    ("Microsoft.Monitor/accounts", doctor_keda_role.ACCOUNTS_API),
    ("Microsoft.Compute/skus", capacity.SKUS_API),
    ("Microsoft.Compute/locations", capacity.USAGES_API),
]


@pytest.mark.parametrize(("kind", "version"), SENT, ids=[f"{k}@{v}" for k, v in SENT])
def test_every_api_version_akscli_sends_is_one_the_emulator_answers(kind: str, version: str) -> None:
    assert version in apiversions.SERVED[kind.lower()]


def _get(emu: ArmEmulator, path: str, version: str) -> tuple[int, object]:
    status, _, body = routes._arm(emu, "GET", path, {"api-version": [version]}, b"", {})
    return status, body


def test_a_cluster_read_at_an_unregistered_api_version_is_refused_as_arm_refuses_it(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    with pytest.raises(ArmError) as refused:
        _get(azure_env, cluster_id("aks1"), "2019-01-01")
    assert (refused.value.status, refused.value.code) == (400, "NoRegisteredProviderFound")
    message = str(refused.value.body()["error"]["message"])
    assert message.startswith(
        "No registered resource provider found for location 'eastus' and API version '2019-01-01' "
        "for type 'managedClusters'. The supported api-versions are '2023-11-01, "
    )
    assert "2026-08-01'. The supported locations are '" in message


def test_a_put_names_the_location_of_its_body_in_the_refusal(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    body = json.dumps({"location": "westus3", "properties": {}}).encode()
    with pytest.raises(ArmError, match="for location 'westus3' and API version '2026-13-01'"):
        routes._arm(azure_env, "PUT", cluster_id("aks2"), {"api-version": ["2026-13-01"]}, body, {})
    assert azure_env.get_resource(cluster_id("aks2")) is None


def test_a_child_resource_is_refused_at_its_parent_types_versions(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    with pytest.raises(ArmError, match="for type 'managedClusters'"):
        _get(azure_env, cluster_id("aks1") + "/agentPools/system", "2026-06-01")


def test_a_fleet_at_the_aks_api_version_is_refused(azure_env: ArmEmulator) -> None:
    path = f"/subscriptions/{azure_env.subscription}/resourceGroups/{RG}/providers/Microsoft.ContainerService/fleets/f1"
    with pytest.raises(ArmError, match=r"for type 'fleets'\. The supported api-versions are '2026-06-01'"):
        _get(azure_env, path, "2026-08-01")


def test_a_cluster_read_at_2026_01_01_has_the_fields_of_that_versions_example(
    azure_env: ArmEmulator, shared_dir: Path
) -> None:
    """akscli's fleet member list reads a member's cluster at 2026-01-01 (fleet/armclient.py): the
    fields it shows that the 2026-01-01 example has are in the emulator's answer at that version
    (../shared/data/arm-examples/containerservice-2026-01-01/ManagedClustersListByResourceGroup.json)."""
    examples = shared_dir / "data" / "arm-examples" / "containerservice-2026-01-01"
    example = json.loads((examples / "ManagedClustersListByResourceGroup.json").read_text())
    assert example["parameters"]["api-version"] == "2026-01-01"
    in_example = set(example["responses"]["200"]["body"]["value"][0]["properties"])
    seed_cluster(azure_env)
    status, cluster = _get(azure_env, cluster_id("aks1"), "2026-01-01")
    assert status == 200 and isinstance(cluster, dict)
    wanted = {key for key in SHOWN if key in in_example}
    assert wanted == {"currentKubernetesVersion", "kubernetesVersion", "provisioningState"}
    assert wanted <= set(cluster["properties"])


def test_a_path_another_emulator_module_answers_is_checked_first(azure_env: ArmEmulator) -> None:
    """Compute's SKU list is answered by a route of compute.py, not by the resource store."""
    path = f"/subscriptions/{azure_env.subscription}/providers/Microsoft.Compute/skus"
    with pytest.raises(ArmError, match=r"for type 'skus'\. The supported api-versions are '2021-07-01'") as refused:
        routes._subscription_request(azure_env, "GET", path, {"api-version": ["2019-04-01"]}, {}, b"")
    assert (refused.value.status, refused.value.code) == (400, "NoRegisteredProviderFound")
