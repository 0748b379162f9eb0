"""The AKSNodeClass failures the node auto-provisioning simulator writes besides a missing subnet, as
the provider's nodeclass status reconcilers write them (upstream: Azure/karpenter-provider-azure
352646f pkg/controllers/nodeclass/status/{images,kubernetesversion,validation,localdns}.go; the
simulator is kube/controllers/karpenter_status.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.emulators.kube.crds import default_crd_dir

CLASS = ("karpenter.azure.com/v1beta1", "AKSNodeClass")
DES = "/subscriptions/0000/resourceGroups/keys/providers/Microsoft.Compute/diskEncryptionSets/des"


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    e = kube_emulator_factory(crd_dirs=[default_crd_dir() / "karpenter"], controller_delay=0.02)
    e.nap = install_nap(e)
    assert e.idle(10.0)
    return e


def zone(name: str, to: str) -> dict[str, Any]:
    return {"zone": name, "forwardDestination": to, "forwardPolicy": "Sequential", "maxConcurrent": 1000,
            "protocol": "PreferUDP", "queryLogging": "Error", "serveStale": "Immediate", "cacheDuration": "1h",
            "serveStaleDuration": "1h"}  # fmt: skip


PREFERRED = {
    "mode": "Preferred",
    "kubeDNSOverrides": [zone(".", "ClusterCoreDNS"), zone("cluster.local", "ClusterCoreDNS")],
    "vnetDNSOverrides": [zone(".", "VnetDNS"), zone("cluster.local", "ClusterCoreDNS")],
}


def add_class(emu: KubeEmulator, spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    emu.cluster.create({"apiVersion": CLASS[0], "kind": CLASS[1], "metadata": {"name": "gpu"}, "spec": spec})
    assert emu.idle(10.0)
    obj = emu.cluster.get(*CLASS, None, "gpu")
    return {c["type"]: c for c in obj["status"]["conditions"]}


def said(condition: dict[str, Any]) -> tuple[str, str, str]:
    return condition["status"], condition["reason"], condition["message"]


def test_a_fips_class_without_the_image_gallery_is_not_ready_as_images_go_says(emu: KubeEmulator) -> None:
    emu.nap.cloud.use_sig = False  # a self-hosted Karpenter: UseSIG is only supported in AKS managed NAP
    found = add_class(emu, {"imageFamily": "AzureLinux", "fipsMode": "FIPS"})
    assert said(found["ImagesReady"]) == (
        "False",
        "SIGRequiredForFIPS",
        "FIPS images require UseSIG to be enabled, but UseSIG is false (note: UseSIG is only supported in AKS "
        "managed NAP)",
    )
    assert said(found["Ready"]) == ("False", "UnhealthyDependents", "ImagesReady=False")


def test_an_image_family_without_images_is_images_not_found(emu: KubeEmulator) -> None:
    emu.nap.cloud.families_without_images.add("AzureLinux")
    found = add_class(emu, {"imageFamily": "AzureLinux"})
    assert said(found["ImagesReady"]) == ("False", "ImagesNotFound", "ImageSelectors did not match any Images")


def test_a_kubernetes_version_not_read_leaves_it_and_the_images_unknown(emu: KubeEmulator) -> None:
    """kubernetesversion.go returns the error and leaves its condition; images.go reads the version
    through GetKubernetesVersion, errors too, and leaves ImagesReady as operatorpkg's For set it."""
    emu.nap.cloud.version_error = True
    found = add_class(emu, {})
    awaiting = ("Unknown", "AwaitingReconciliation", "object is awaiting reconciliation")
    assert said(found["KubernetesVersionReady"]) == awaiting
    assert said(found["ImagesReady"]) == awaiting
    assert found["LocalDNSReady"]["status"] == "True"  # no localDNS: Disabled, Ready, no version needed
    assert (found["Ready"]["status"], found["Ready"]["reason"]) == ("Unknown", "ReconcilingDependents")


def test_localdns_preferred_fails_its_check_while_the_kubernetes_version_is_not_ready(emu: KubeEmulator) -> None:
    emu.nap.cloud.version_error = True
    found = add_class(emu, {"localDNS": PREFERRED})
    assert said(found["LocalDNSReady"]) == (
        "False",
        "CheckingClusterRequirementsFailed",
        "getting kubernetes version: NodeClass condition KubernetesVersionReady, is in Ready=Unknown, "
        "object is awaiting reconciliation",
    )
    assert found["Ready"]["reason"] == "UnhealthyDependents"


def test_localdns_preferred_on_a_working_cluster_is_ready(emu: KubeEmulator) -> None:
    assert add_class(emu, {"localDNS": PREFERRED})["LocalDNSReady"]["status"] == "True"


def test_a_disk_encryption_set_the_identity_cannot_read_fails_validation(emu: KubeEmulator) -> None:
    emu.nap.cloud.des_forbidden = DES
    status, reason, message = said(add_class(emu, {})["ValidationSucceeded"])
    assert (status, reason) == ("False", "DiskEncryptionSetRBACMissing")
    assert message.startswith(
        f"controlling identity does not have Reader role on Disk Encryption Set '{DES}'. Grant the Reader role on "
        "the DiskEncryptionSet to the controlling identity. For self-hosted installations, this is the Karpenter "
        "workload identity. For NAP, this is the AKS cluster identity. See "
        "https://learn.microsoft.com/azure/aks/azure-disk-customer-managed-keys for details: "
        f"GET https://management.azure.com{DES}\n"
    )
    assert "RESPONSE 403: 403 Forbidden\nERROR CODE: AuthorizationFailed\n" in message
