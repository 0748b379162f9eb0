"""doctor's line for an AKSNodeClass that is not Ready names the fix its failing condition implies, for
each failure the provider's nodeclass status reconcilers write (upstream: Azure/karpenter-provider-azure
352646f pkg/controllers/nodeclass/status/*.go; akscli.nap.health.class_fix)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.emulators.kube.crds import default_crd_dir
from tests.kube_emulator.test_karpenter_class_failures import DES, PREFERRED


@pytest.fixture
def kube_emulator(kube_emulator_factory: Callable[..., Any]) -> Any:
    return kube_emulator_factory(crd_dirs=[default_crd_dir() / "karpenter"], controller_delay=0.02)


@pytest.fixture
def nap(kube_emulator: Any, kubeconfig: Any) -> Any:
    simulator = install_nap(kube_emulator)
    simulator.emu = kube_emulator
    assert kube_emulator.idle(10.0)
    return simulator


def class_check(nap: Any, spec: dict[str, Any]) -> dict[str, Any]:
    nap.emu.cluster.create(
        {"apiVersion": "karpenter.azure.com/v1beta1", "kind": "AKSNodeClass", "metadata": {"name": "gpu"}, "spec": spec}
    )
    assert nap.emu.idle(10.0)
    result = invoke("doctor", "--for", "gpu", "-o", "json")
    [check] = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "aksnodeclass gpu"]
    return dict(check)


def test_a_fips_class_without_the_image_gallery_says_to_drop_fips_or_use_nap(nap: Any) -> None:
    nap.cloud.use_sig = False
    check = class_check(nap, {"imageFamily": "AzureLinux", "fipsMode": "FIPS"})
    assert check["detail"].startswith("AKSNodeClass gpu is not Ready (False): ImagesReady SIGRequiredForFIPS: FIPS")
    assert check["fix"].startswith(
        "kubectl describe aksnodeclass gpu; FIPS images come only from the image gallery that AKS's node "
        "auto-provisioning reads: remove spec.fipsMode (kubectl edit aksnodeclass gpu)"
    )


def test_an_image_family_without_images_says_to_choose_another(nap: Any) -> None:
    nap.cloud.families_without_images.add("AzureLinux")
    check = class_check(nap, {"imageFamily": "AzureLinux"})
    assert check["detail"] == (
        "AKSNodeClass gpu is not Ready (False): ImagesReady ImagesNotFound: ImageSelectors did not match any Images"
    )
    assert "choose another family (kubectl edit aksnodeclass gpu)" in check["fix"]


def test_a_kubernetes_version_not_read_is_named_first_with_nothing_to_edit(nap: Any) -> None:
    """The images and LocalDNS wait on the version: the version is what doctor names."""
    nap.cloud.version_error = True
    check = class_check(nap, {"localDNS": PREFERRED})
    assert check["detail"] == (
        "AKSNodeClass gpu is not Ready (False): KubernetesVersionReady AwaitingReconciliation: "
        "object is awaiting reconciliation"
    )
    assert "nothing in the class to correct: Karpenter has not read the API server's version" in check["fix"]
    assert "edit" not in check["fix"]


def test_a_disk_encryption_set_karpenter_cannot_read_says_which_role_to_grant_where(nap: Any) -> None:
    nap.cloud.des_forbidden = DES
    check = class_check(nap, {})
    assert check["detail"].startswith(
        "AKSNodeClass gpu is not Ready (False): ValidationSucceeded DiskEncryptionSetRBACMissing: controlling "
        f"identity does not have Reader role on Disk Encryption Set '{DES}'."
    )
    assert "\n" not in check["detail"]  # the Azure error quoted after the first line is left out
    assert f"az role assignment create --role Reader --assignee <its principal id> --scope {DES}" in check["fix"]


def test_localdns_that_cannot_be_checked_says_required_or_disabled_needs_no_check() -> None:
    from akscli.nap import health as nap_health

    failing = {"type": "LocalDNSReady", "status": "False", "reason": "CheckingClusterRequirementsFailed",
               "message": "listing K8s NetworkPolicies: forbidden"}  # fmt: skip
    health = nap_health.ClassHealth("gpu", "False", "", ("default",), failing)
    assert nap_health.class_fix(health) == (
        "kubectl describe aksnodeclass gpu; Karpenter could not check whether LocalDNS can be enabled "
        "(spec.localDNS.mode Preferred): set spec.localDNS.mode to Required or Disabled, which needs no check "
        "(kubectl edit aksnodeclass gpu), or fix what the message names"
    )
