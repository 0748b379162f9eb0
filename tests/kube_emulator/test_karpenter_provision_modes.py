"""When Azure's refusal reaches the NAP simulator, by the provider's provision mode
(tests/emulators/kube/controllers/karpenter_errors.py timing): a VM create answers most errors at
once, the AKS machine API accepts the PUT and reports CRP's errors on the machine afterwards."""

from __future__ import annotations

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator import test_karpenter
from tests.kube_emulator.test_karpenter import CLAIMS, H100, NC80, gpu_app, gpu_pool, running_on
from tests.kube_emulator.test_karpenter_offerings import node_labels, warnings

emu = test_karpenter.emu  # the fixture: a NAP cluster with one system node


def test_a_vm_create_answers_an_allocation_failure_and_the_same_claim_launches_regionally(emu: KubeEmulator) -> None:
    # upstream: karpenter-provider-azure vminstance.go beginLaunchInstance (errorHandling.Handle of the
    # BeginCreateOrUpdate error), instancetype/suite_test.go (AllocationFailed as BeginError);
    # karpenter launch.go (a CreateError: Launched Unknown, retried on the same NodeClaim)
    emu.nap.failures[(H100, "eastus-1")] = "AllocationFailed"
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    assert node_labels(emu, "llm")["topology.kubernetes.io/zone"] == "0"
    assert warnings(emu, "AsyncProvisioningError") == []
    assert len(emu.nap.provisioned) == 1 and len(emu.cluster.list(*CLAIMS)) == 1


def test_the_aks_machine_api_reports_a_family_quota_after_the_put_and_the_claim_is_deleted(emu: KubeEmulator) -> None:
    # upstream: aksmachineinstance.go beginCreateMachineNonBatch (the poller's error, then the machine's
    # provisioningError: handleMachineProvisioningError "failed to create AKS machine %q during LRO, handled
    # provisioning error: %w"); cloudprovider.go handleInstancePromise; events.go NodeClaimFailedToRegister
    emu.nap.provision_mode = "aksmachineapi"
    emu.nap.quota_reached.add(H100)
    emu.cluster.create(gpu_pool("gpu", [H100, NC80]))
    emu.cluster.create(gpu_app("llm"))
    running_on(emu, "llm")
    [event] = warnings(emu, "AsyncProvisioningError")
    claim = event["involvedObject"]["name"]
    assert event["message"] == (
        f'Failed to register: failed to create AKS machine "{claim}" during LRO, handled provisioning error: '
        f"creating nodeclaim, subscription level on-demand vCPU quota for {H100} has been reached (may try "
        "provision an alternative instance type)"
    )
    assert emu.cluster.get(*CLAIMS, None, claim) is None
    [(_, made, size)] = emu.nap.provisioned
    assert made != claim and size == NC80


def test_the_aks_machine_api_answers_vm_size_not_supported_at_once(emu: KubeEmulator) -> None:
    # upstream: aksmachinebegincreateerrorhandlers.go (VMSizeNotSupported, handleSKUNotAvailableForSubscriptionError:
    # every placement, both capacity types, SKUNotAvailableOnDemandTTL); cloudprovider.go toCreateError
    emu.nap.provision_mode = "aksmachineapi"
    emu.nap.failures[(H100, None)] = "VMSizeNotSupported"
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))

    def launched() -> dict[str, str] | None:
        claims = emu.cluster.list(*CLAIMS)
        conditions = (claims[0].get("status") or {}).get("conditions") or [] if claims else []
        return next((c for c in conditions if c["type"] == "Launched" and c.get("reason")), None)

    assert wait_until(launched, timeout=5)
    condition = launched()
    assert condition is not None and (condition["status"], condition["reason"]) == ("Unknown", "SKUNotAvailable")
    assert condition["message"] == (
        f"VM size {H100} is not supported for this subscription in this location, for more details please visit: "
        "https://aka.ms/aks/vm-size-selector"
    )
    assert set(emu.nap.unavailable.values()) == {23 * 3600.0} and len(emu.nap.unavailable) == 8


def test_the_aks_machine_api_reports_the_regional_quota_on_the_machine_as_insufficient_capacity(
    emu: KubeEmulator,
) -> None:
    # upstream: handleRegionalQuotaError (an InsufficientCapacityError), wrapped by handleMachineProvisioningError
    emu.nap.provision_mode = "aksmachineapi"
    emu.nap.failures[(H100, None)] = "RegionalQuota"
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    assert wait_until(lambda: warnings(emu, "AsyncProvisioningError"), timeout=5)
    [event] = warnings(emu, "AsyncProvisioningError")
    assert "handled provisioning error: insufficient capacity, regional on-demand vCPU quota limit" in event["message"]
    assert wait_until(lambda: not emu.cluster.list(*CLAIMS))  # its finalizer removed (karpenter_termination)
    assert not wait_until(lambda: emu.cluster.list(*CLAIMS), timeout=0.5)  # nothing marked: the pod's next look
