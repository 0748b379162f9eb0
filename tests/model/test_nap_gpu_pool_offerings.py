"""NAP GPU pools against what Azure and Karpenter say: the regional zone "0", Azure's refusals other
than the family quota, and Karpenter's own FailedScheduling, as a wait and `--zones` meet them."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.model.test_nap_gpu_pool import H100, Start, nap_lab, region_lab, text


def test_zone_0_is_naps_regional_offering_and_needs_no_region_check(model_emulator: Start) -> None:
    # upstream: karpenter-provider-azure zones.go Regional ("0"), instancetypes.go instanceTypeZones
    emu = region_lab(model_emulator)
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--zones", "1,0", "-y")
    assert result.exit_code == 0, text(result)
    pool = emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu")
    zones = [r for r in pool["spec"]["template"]["spec"]["requirements"] if r["key"] == "topology.kubernetes.io/zone"]
    assert zones == [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eastus-1", "0"]}]


def test_a_size_offered_in_no_zone_runs_on_a_regional_node_of_a_pool_that_allows_zone_0(model_emulator: Start) -> None:
    emu = region_lab(model_emulator)
    emu.nap.zones[H100] = ()
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--zones", "1,0", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "--wait", "-y")
    assert result.exit_code == 0, text(result)
    [node] = [n for n in emu.cluster.list("v1", "Node") if n["metadata"]["name"].startswith("aks-gpu-")]
    assert node["metadata"]["labels"]["topology.kubernetes.io/zone"] == "0"


def wait_out(model_emulator: Start, setup: Any, *pool_flags: str, gpu: str = "h100") -> str:
    emu = nap_lab(model_emulator)
    setup(emu)
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", gpu, *pool_flags, "-y")
    assert added.exit_code == 0, text(added)
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "--wait", "--timeout", "3s", "-y"
    )
    assert result.exit_code != 0 and "Traceback" not in text(result)
    return text(result)


def test_a_wait_on_a_pool_at_its_gpu_limit_quotes_karpenter_and_says_to_raise_the_limit(model_emulator: Start) -> None:
    # upstream: karpenter scheduler.go addToNewNodeClaim, events.go PodFailedToScheduleEvent
    out = wait_out(model_emulator, lambda emu: None, "--max-gpus", "0")
    assert (
        "node auto-provisioning: Failed to schedule pod, all available instance types exceed limits for nodepool "
        "(NodePool=gpu)"
    ) in out
    assert "NodePool gpu is at its limits (spec.limits): raise them, e.g. akscli nodepool add gpu" in out


def test_a_wait_on_a_spent_regional_quota_says_another_size_does_not_help(model_emulator: Start) -> None:
    # upstream: commonerrorhandlers.go handleRegionalQuotaError (an InsufficientCapacityError)
    out = wait_out(model_emulator, lambda emu: emu.nap.failures.update({(H100, None): "RegionalQuota"}))
    assert "made for it, is gone: InsufficientCapacityError: NodeClaim gpu-" in out
    assert "regional on-demand vCPU quota limit for subscription has been reached" in out
    assert (
        "regional vCPU quota (Total Regional vCPUs) in the cluster's region is spent: another size does not help"
        in (out)
    )


def test_a_wait_on_a_size_the_nodepool_does_not_allow_names_the_sizes_it_allows(model_emulator: Start) -> None:
    # upstream: karpenter nodeclaim.go InstanceTypeFilterError ("no instance type met all requirements,
    # requirements=..."), events.go PodFailedToScheduleEvent
    out = wait_out(model_emulator, lambda emu: None, gpu="a100")
    assert "node auto-provisioning: Failed to schedule pod, no instance type met all requirements, requirements=" in out
    assert (
        "hint: NodePool gpu allows Standard_NC24ads_A100_v4, Standard_NC48ads_A100_v4, Standard_NC96ads_A100_v4, "
        "Standard_ND96amsr_A100_v4, Standard_ND96asr_v4, not Standard_NC40ads_H100_v5, which the pods ask for "
        "(nodeSelector node.kubernetes.io/instance-type): deploy with --vm-size of a size it allows, or add a NodePool "
        "for Standard_NC40ads_H100_v5 (akscli nodepool add NAME --auto-provision --vm-size Standard_NC40ads_H100_v5)"
    ) in out


def test_a_wait_on_a_regional_quota_the_aks_machine_api_reports_late_gives_the_same_fix(model_emulator: Start) -> None:
    # upstream: aksmachineinstance.go handleMachineProvisioningError (after the PUT was accepted);
    # cloudprovider.go handleInstancePromise (AsyncProvisioningError, the claim deleted)
    def setup(emu: Any) -> None:
        emu.nap.provision_mode = "aksmachineapi"
        emu.nap.failures[(H100, None)] = "RegionalQuota"

    out = wait_out(model_emulator, setup)
    assert "made for it, is gone: AsyncProvisioningError: Failed to register: failed to create AKS machine" in out
    assert (
        "regional vCPU quota (Total Regional vCPUs) in the cluster's region is spent: another size does not help" in out
    )


def zoned_deploy(model_emulator: Start, azure_env: Any, *subscription: str) -> str:
    """A pool of H100 sizes in zone 1 of eastus, while the region offers the pinned H100 in zone 3 only."""
    emu = region_lab(model_emulator)
    emu.nap.zones[H100] = ("3",)
    azure_env.sku_availability[H100] = {"eastus": ["3"]}
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--zones", "1", "-y").exit_code == 0
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "--region", "eastus", *subscription,
        "--dry-run=server",
    )  # fmt: skip
    assert result.exit_code == 0, text(result)
    return text(result)


def test_with_a_subscription_the_fit_check_reads_which_zones_offer_the_size(
    model_emulator: Start, azure_env: Any
) -> None:
    # upstream: karpenter-provider-azure instancetypes.go instanceTypeZones (the SKU's zones, then "0"),
    # karpenter scheduler.go NewScheduler (a pool with no offering its requirements admit makes nothing)
    out = zoned_deploy(model_emulator, azure_env, "--subscription", azure_env.subscription)
    assert "node auto-provisioning makes a" not in out
    assert f"no node in the cluster has VM size {H100}: the pods stay Pending" in out


def test_without_a_subscription_a_zone_requirement_is_still_taken_as_met(model_emulator: Start, azure_env: Any) -> None:
    out = zoned_deploy(model_emulator, azure_env)
    assert f"node auto-provisioning makes a {H100} node for them (NodePool gpu)" in out
