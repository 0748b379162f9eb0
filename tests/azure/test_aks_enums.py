"""The enum values akscli sends or reads in AKS bodies, against the 2026-08-01 spec read by hand.

SWAGGER holds each enum as Azure/azure-rest-api-specs 10c88683 lists it in
specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/
managedClusters.json (definitions OSSKU, GPUDriver, GPUInstanceProfile, NetworkPlugin,
NetworkPluginMode, NetworkPolicy, NetworkDataplane, NodeProvisioningMode), in its order. The ARM
emulator's schema check reads the same enums from azure-mgmt-containerservice (tests/emulators/arm/
schema.py): the first test holds the two sources together, the others akscli's values within them.
"""

from __future__ import annotations

import pytest

SWAGGER = {
    "OSSKU": [
        "Ubuntu",
        "AzureLinux",
        "AzureLinux3",
        "CBLMariner",
        "Windows2019",
        "Windows2022",
        "Ubuntu2204",
        "Windows2025",
        "Ubuntu2404",
        "AzureContainerLinux",
    ],
    "GPUDriver": ["Install", "None"],
    "GPUInstanceProfile": ["MIG1g", "MIG2g", "MIG3g", "MIG4g", "MIG7g"],
    "NetworkPlugin": ["azure", "kubenet", "none"],
    "NetworkPluginMode": ["overlay"],
    "NetworkPolicy": ["none", "calico", "azure", "cilium"],
    "NetworkDataplane": ["azure", "cilium"],
    "NodeProvisioningMode": ["Manual", "Auto"],
}


@pytest.mark.parametrize("name", list(SWAGGER))
def test_the_sdk_the_emulator_checks_against_lists_the_swaggers_values(name: str) -> None:
    from azure.mgmt.containerservice import models

    assert [v.value for v in getattr(models, name)] == SWAGGER[name]


def test_every_os_sku_akscli_accepts_is_a_linux_sku_of_the_spec() -> None:
    # akscli's pools are osType Linux; the spec's Windows SKUs need osType Windows, and CBLMariner is
    # "Deprecated OSSKU. Microsoft recommends that new deployments choose 'AzureLinux' instead."
    from akscli.azure import clusters, nodepools

    linux = [v for v in SWAGGER["OSSKU"] if not v.startswith("Windows") and v != "CBLMariner"]
    assert sorted(nodepools.OS_SKUS) == sorted(clusters.OS_SKUS) == sorted(linux)


def test_the_gpu_driver_and_mig_values_akscli_sends_are_the_specs() -> None:
    from akscli.azure import nodepools, poolchecks

    assert [v.capitalize() for v in nodepools.GPU_DRIVERS] == SWAGGER["GPUDriver"]
    assert list(poolchecks.MIG_PROFILES) == SWAGGER["GPUInstanceProfile"]


def test_node_auto_provisionings_network_is_of_the_specs_values() -> None:
    # networkPolicy cilium "requires networkDataplane to be 'cilium'" and networkPluginMode overlay is
    # "Used with networkPlugin=azure" (the same definitions).
    from akscli.azure import clusters

    net = clusters.NAP_NETWORK_PROFILE
    assert net["networkPlugin"] in SWAGGER["NetworkPlugin"] and net["networkPlugin"] == "azure"
    assert net["networkPluginMode"] in SWAGGER["NetworkPluginMode"]
    assert net["networkPolicy"] == net["networkDataplane"] == "cilium"
    assert sorted(m.capitalize() for m in clusters.NODE_PROVISIONING) == sorted(SWAGGER["NodeProvisioningMode"])
