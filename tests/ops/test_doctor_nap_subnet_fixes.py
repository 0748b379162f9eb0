"""doctor's fix for an AKSNodeClass whose subnet is not the cluster's to use (SubnetIDInvalid, by its
three messages) or cannot be read (SubnetUnknownError) (upstream: Azure/karpenter-provider-azure
352646f pkg/controllers/nodeclass/status/subnet.go; akscli.nap.health.class_fix)."""

from __future__ import annotations

from typing import Any

from akscli.nap import health as nap_health
from tests.kube_emulator.test_karpenter_subnet_failures import MANAGED, VNET
from tests.ops import test_doctor_nap_class_fixes as class_fixes
from tests.ops.test_doctor_nap_class_fixes import class_check

# The AKSNodeClass set-up (a karpenter emulator with NAP installed) is the class-fixes tests' own.
kube_emulator, nap = class_fixes.kube_emulator, class_fixes.nap


def fix_for(reason: str, message: str) -> str:
    failing = {"type": "SubnetsReady", "status": "False", "reason": reason, "message": message}
    return nap_health.class_fix(nap_health.ClassHealth("gpu", "False", "", ("default",), failing))


def test_a_subnet_outside_the_clusters_vnet_says_to_choose_one_of_the_clusters_vnet(nap: Any) -> None:
    other = "/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/other/subnets/gpu"
    check = class_check(nap, {"vnetSubnetID": other})
    assert check["detail"] == (
        "AKSNodeClass gpu is not Ready (False): SubnetsReady SubnetIDInvalid: vnetSubnetID does not match the "
        f"cluster subscription, resource group, or virtual network: {other}"
    )
    assert check["fix"].startswith(
        "kubectl describe aksnodeclass gpu; the subnet must be in the cluster's own VNet (same subscription, "
        "resource group and VNet name, letter case included; az aks show -g <group> -n <cluster> --query "
        "'agentPoolProfiles[].vnetSubnetId'): set spec.vnetSubnetID to a subnet of it, or remove it"
    )


def test_a_subnet_arm_refuses_to_read_says_which_role_to_grant_on_it(nap: Any) -> None:
    nap.cloud.forbidden_subnets.add(f"{VNET}/subnets/gpu")
    check = class_check(nap, {"vnetSubnetID": f"{VNET}/subnets/gpu"})
    assert check["detail"] == (
        "AKSNodeClass gpu is not Ready (False): SubnetsReady SubnetUnknownError: unknown error getting subnet: "
        f"GET https://management.azure.com{VNET}/subnets/gpu"
    )
    assert (
        'az role assignment create --role "Network Contributor" --assignee <its principal id> '
        f"--scope {VNET}/subnets/gpu" in check["fix"]
    )


def test_another_subnet_of_the_managed_vnet_says_to_remove_it_or_bring_a_vnet() -> None:
    fix = fix_for(
        "SubnetIDInvalid", f"custom subnet cannot be in the same VNet as cluster managed VNet: {MANAGED}/subnets/gpu"
    )
    assert "remove spec.vnetSubnetID (kubectl edit aksnodeclass gpu)" in fix
    assert "(--vnet-subnet-id)" in fix


def test_a_subnet_id_that_does_not_parse_shows_the_whole_form() -> None:
    fix = fix_for("SubnetIDInvalid", f"Failed to parse vnetSubnetID {VNET}/subnets")
    assert "set spec.vnetSubnetID to a whole subnet ID, /subscriptions/<id>/resourceGroups/<group>/providers/" in fix


def test_an_arm_error_without_a_known_status_says_the_error_code_tells_why() -> None:
    fix = fix_for("SubnetUnknownError", "unknown error getting subnet: GET https://...\nRESPONSE 409: 409 Conflict")
    assert fix.startswith("kubectl describe aksnodeclass gpu; Azure refused the read of the subnet (409)")


def test_a_throttled_subnet_read_says_the_subscription_reads_too_much(nap: Any) -> None:
    nap.cloud.subnet_errors[f"{VNET}/subnets/gpu"] = 429
    check = class_check(nap, {"vnetSubnetID": f"{VNET}/subnets/gpu"})
    assert check["fix"].startswith(
        "kubectl describe aksnodeclass gpu; ARM throttled the subscription's reads (429 SubscriptionRequestsThrottled) "
        "through the Azure SDK's three retries"
    )
    assert "x-ms-ratelimit-remaining-subscription-reads" in check["fix"]


def test_a_server_error_on_the_subnet_read_says_karpenter_retries_and_when_to_ask_azure(nap: Any) -> None:
    nap.cloud.subnet_errors[f"{VNET}/subnets/gpu"] = 500
    check = class_check(nap, {"vnetSubnetID": f"{VNET}/subnets/gpu"})
    assert check["fix"].startswith(
        "kubectl describe aksnodeclass gpu; Azure failed the read of the subnet (500 InternalServerError) through the "
        "Azure SDK's three retries: Karpenter tries again with backoff"
    )


def test_no_answer_from_arm_says_the_token_or_the_route_to_arm() -> None:
    """No RESPONSE line: net/url's Error text (Op "URL": err), as Go's http.Client returns it."""
    message = (
        'unknown error getting subnet: Get "https://management.azure.com/subscriptions/0000/resourceGroups/net/'
        'providers/Microsoft.Network/virtualNetworks/vnet/subnets/gpu": dial tcp: lookup management.azure.com: '
        "no such host"
    )
    fix = fix_for("SubnetUnknownError", message)
    assert fix.startswith("kubectl describe aksnodeclass gpu; Karpenter got no answer from ARM")
    assert "egress rules, DNS" in fix
