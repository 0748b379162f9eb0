"""The AKSNodeClass's SubnetsReady as the provider's subnet reconciler writes it beside
SubnetNotFound: SubnetIDInvalid for a subnet that is not the cluster's to use, SubnetUnknownError for
an ARM error other than 404 (upstream: Azure/karpenter-provider-azure 352646f
pkg/controllers/nodeclass/status/subnet.go, pkg/utils/subnet_parser.go, pkg/utils/utils.go
IsAKSManagedVNET; the simulator is kube/controllers/karpenter_status.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.emulators.kube.crds import default_crd_dir

CLASS = ("karpenter.azure.com/v1beta1", "AKSNodeClass")
VNET = "/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet"
MANAGED = (
    "/subscriptions/0000/resourceGroups/MC_rg_cluster_eastus/providers/Microsoft.Network/virtualNetworks/"
    "aks-vnet-12345678"
)


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    e = kube_emulator_factory(crd_dirs=[default_crd_dir() / "karpenter"], controller_delay=0.02)
    e.nap = install_nap(e)
    assert e.idle(10.0)
    return e


def subnets_ready(emu: KubeEmulator, spec: dict[str, Any]) -> tuple[str, str, str]:
    emu.cluster.create({"apiVersion": CLASS[0], "kind": CLASS[1], "metadata": {"name": "gpu"}, "spec": spec})
    assert emu.idle(10.0)
    obj = emu.cluster.get(*CLASS, None, "gpu")
    found = {c["type"]: c for c in obj["status"]["conditions"]}["SubnetsReady"]
    return found["status"], found["reason"], found["message"]


def test_a_subnet_outside_the_clusters_vnet_is_an_invalid_id(emu: KubeEmulator) -> None:
    other = "/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/other/subnets/gpu"
    assert subnets_ready(emu, {"vnetSubnetID": other}) == (
        "False",
        "SubnetIDInvalid",
        f"vnetSubnetID does not match the cluster subscription, resource group, or virtual network: {other}",
    )


def test_another_subnet_of_an_aks_managed_vnet_is_an_invalid_id(emu: KubeEmulator) -> None:
    emu.nap.cloud.cluster_subnet = f"{MANAGED}/subnets/aks-subnet"
    assert subnets_ready(emu, {"vnetSubnetID": f"{MANAGED}/subnets/gpu"}) == (
        "False",
        "SubnetIDInvalid",
        f"custom subnet cannot be in the same VNet as cluster managed VNet: {MANAGED}/subnets/gpu",
    )


def test_the_clusters_own_subnet_of_an_aks_managed_vnet_is_ready(emu: KubeEmulator) -> None:
    emu.nap.cloud.cluster_subnet = f"{MANAGED}/subnets/aks-subnet"
    assert subnets_ready(emu, {"vnetSubnetID": f"{MANAGED}/subnets/aks-subnet"})[0] == "True"


def test_a_class_without_a_subnet_reads_the_clusters_and_one_that_does_not_parse_is_invalid(emu: KubeEmulator) -> None:
    emu.nap.cloud.cluster_subnet = f"{VNET}/subnets"  # ten segments: the provider's --vnet-subnet-id is wrong
    assert subnets_ready(emu, {}) == ("False", "SubnetIDInvalid", f"Failed to parse vnetSubnetID {VNET}/subnets")


def test_a_subnet_arm_refuses_to_read_is_an_unknown_error_with_azures_text(emu: KubeEmulator) -> None:
    emu.nap.cloud.forbidden_subnets.add(f"{VNET}/subnets/gpu")
    status, reason, message = subnets_ready(emu, {"vnetSubnetID": f"{VNET}/subnets/gpu"})
    assert (status, reason) == ("False", "SubnetUnknownError")
    assert message.startswith(f"unknown error getting subnet: GET https://management.azure.com{VNET}/subnets/gpu\n")
    assert "RESPONSE 403: 403 Forbidden\nERROR CODE: AuthorizationFailed\n" in message
    assert "perform action 'Microsoft.Network/virtualNetworks/subnets/read'" in message


def test_a_read_arm_throttles_past_the_sdks_retries_is_an_unknown_error_with_the_429(emu: KubeEmulator) -> None:
    emu.nap.cloud.subnet_errors[f"{VNET}/subnets/gpu"] = 429
    status, reason, message = subnets_ready(emu, {"vnetSubnetID": f"{VNET}/subnets/gpu"})
    assert (status, reason) == ("False", "SubnetUnknownError")
    assert "RESPONSE 429: 429 Too Many Requests\nERROR CODE: SubscriptionRequestsThrottled\n" in message


def test_a_read_arm_fails_with_a_500_is_an_unknown_error_with_the_providers_own_test_message(emu: KubeEmulator) -> None:
    emu.nap.cloud.subnet_errors[f"{VNET}/subnets/gpu"] = 500
    status, reason, message = subnets_ready(emu, {"vnetSubnetID": f"{VNET}/subnets/gpu"})
    assert (status, reason) == ("False", "SubnetUnknownError")
    assert "RESPONSE 500: 500 Internal Server Error\nERROR CODE: InternalServerError\n" in message
    assert "An unexpected internal server error occurred while processing the request." in message
