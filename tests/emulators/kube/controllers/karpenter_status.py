"""The status conditions of node auto-provisioning's objects, for the simulator of karpenter.py: an
AKSNodeClass's own (the provider's nodeclass status controller) and a NodePool's NodeClassReady
and Ready (karpenter's nodepool readiness controller), with the root condition computed as
operatorpkg computes it. Moved out of karpenter.py, which neared 600 lines.

Upstream files:

- awslabs/operatorpkg 7a13865 status/condition_set.go: ``For`` sets every dependent it does not find
  Unknown; ``Set`` keeps lastTransitionTime while the status holds and stamps observedGeneration;
  ``recomputeRootCondition`` sets Ready True (reason "Ready", message "") once every dependent is True,
  else False "UnhealthyDependents" where a dependent is False at the current generation, Unknown
  "ReconcilingDependents" otherwise, the message the unhealthy dependents as "Type=Status" joined by
  ", ", the latest transition first (``findUnhealthyDependents``). The root goes last.
- Azure/karpenter-provider-azure 352646f pkg/apis/v1beta1/aksnodeclass_status.go (the dependents:
  ImagesReady, KubernetesVersionReady, SubnetsReady, ValidationSucceeded, LocalDNSReady;
  GetKubernetesVersion errors "NodeClass condition KubernetesVersionReady, is in Ready=<status>,
  <message>" while that condition is not True) and Azure/karpenter-provider-azure
  pkg/controllers/nodeclass/status/controller.go
  (the reconcilers in order: kubernetesversion, images, subnet, validation, localdns; one that
  returns an error leaves its condition as it was, and the others still run). Each sets its
  condition True on a cluster that works; the failures modelled (``NodeClassCloud``):
  kubernetesversion.go: KubeServerVersion fails, the condition is left (Unknown on a new class);
  images.go: fipsMode FIPS without UseSIG, False "SIGRequiredForFIPS"; no image found, False
  "ImagesNotFound" "ImageSelectors did not match any Images"; the version not ready, List errors and
  the condition is left; subnet.go (with utils/subnet_parser.go and utils/utils.go IsAKSManagedVNET):
  an ID that does not parse, a subnet outside the cluster's VNet, or another subnet of an AKS-managed
  VNet, False "SubnetIDInvalid"; ARM answers 404, False "SubnetNotFound" "resource not found:
  <vnetSubnetID>"; any other ARM error, False "SubnetUnknownError" "unknown error getting subnet:
  <azcore's text>" (modelled: a 403, and a 429 or 500 the Azure SDK's retries did not get past:
  ``subnet_errors``); validation.go: the Disk Encryption Set answers 403, False
  "DiskEncryptionSetRBACMissing" with validateDiskEncryptionSetRBAC's message wrapping the azcore
  ResponseError text (Azure/azure-sdk-for-go sdk/azcore/internal/exported/response_error.go Error,
  read through the code index); localdns.go: mode Preferred while the version is not ready, False
  "CheckingClusterRequirementsFailed" "getting kubernetes version: <GetKubernetesVersion's error>".
  Preferred on a version below localDNSPreferredK8sVersionThreshold (1.99.0) resolves Disabled, True,
  before any cluster read, so the cluster gates' errors are not modelled.
- kubernetes-sigs/karpenter 2266468 pkg/controllers/nodepool/readiness/controller.go: NodeClassReady
  False NodeClassNotFound "NodeClass not found on cluster", NodeClassTerminating "NodeClass is
  Terminating", NodeClassReadinessUnknown "Node Class Readiness Unknown" where the class's Ready is
  Unknown, the class's own Ready reason and message where it is False, True otherwise;
  pkg/apis/v1/nodepool_status.go (NodePool dependents: ValidationSucceeded, NodeClassReady);
  pkg/controllers/nodepool/validation/controller.go (ValidationSucceeded True).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

CLASS_DEPENDENTS = ("KubernetesVersionReady", "ImagesReady", "SubnetsReady", "ValidationSucceeded", "LocalDNSReady")
POOL_DEPENDENTS = ("ValidationSucceeded", "NodeClassReady")


def _condition(type_: str, status: str, reason: str = "", message: str = "") -> dict[str, Any]:
    return {"type": type_, "status": status, "reason": reason or type_, "message": message}


# operatorpkg status/condition_set.go SetUnknown: what For writes for a dependent not set yet.
AWAITING = ("AwaitingReconciliation", "object is awaiting reconciliation")
DES_READ = "Microsoft.Compute/diskEncryptionSets/read"
NET = "/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network"
SUBNET_READ = "Microsoft.Network/virtualNetworks/subnets/read"


@dataclass
class NodeClassCloud:
    """What the provider's status reconcilers find outside the AKSNodeClass (tests set it)."""

    missing_subnets: set[str] = field(default_factory=set)  # subnet IDs ARM answers 404 for
    forbidden_subnets: set[str] = field(default_factory=set)  # subnet IDs ARM answers 403 for (no subnets/read)
    # Subnet IDs ARM answers 429 or 500 for, on every try: the provider's clients keep the Azure SDK's
    # default retries (Azure/karpenter-provider-azure 352646f pkg/utils/clientopts/armopts.go
    # DefaultRetryOpts: 408, 429, 500, 502, 503, 504, three retries), so the error is the last answer's.
    subnet_errors: dict[str, int] = field(default_factory=dict)
    # The provider's --vnet-subnet-id (options.SubnetID, the cluster's own subnet) and
    # --node-resource-group. The default is a cluster on its own VNet (BYO), in the VNet the tests'
    # custom subnets live in; an AKS-managed VNet is aks-vnet-<8 digits>/aks-subnet in the node
    # resource group (utils.go IsAKSManagedVNET).
    cluster_subnet: str = (
        "/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes"
    )
    node_resource_group: str = "MC_rg_cluster_eastus"
    use_sig: bool = True  # the provider's UseSIG option: "only supported in AKS managed NAP" (images.go)
    families_without_images: set[str] = field(default_factory=set)  # spec.imageFamily values no image matches
    version_error: bool = False  # the API server's version cannot be read (KubeServerVersion fails)
    # The operator's Disk Encryption Set (--node-osdisk-diskencryptionset-id) where the controlling
    # identity may not read it (ARM answers 403), and that identity's object id.
    des_forbidden: str = ""
    identity: str = "00000000-0000-0000-0000-00000000c1a5"


def with_root(obj: dict[str, Any], dependents: list[dict[str, Any]], now: str) -> list[dict[str, Any]]:
    """The dependents and the root Ready condition as operatorpkg's ConditionSet writes them, each
    keeping its lastTransitionTime where its status did not change (and its observedGeneration where
    no reconciler set it this time). A condition type of another writer stays, ahead of them: Set
    replaces only its own type in the list it reads and the root is computed over the dependents
    alone (upstream: awslabs/operatorpkg 7a13865 status/condition_set.go Set, recomputeRootCondition; Set
    then orders by lastTransitionTime, the root last, which is not modelled)."""
    generation = int(obj["metadata"].get("generation") or 1)
    old = {str(c.get("type")): c for c in (obj.get("status") or {}).get("conditions") or []}

    def stamped(c: dict[str, Any]) -> dict[str, Any]:
        before = old.get(c["type"]) or {}
        at = before.get("lastTransitionTime") if before.get("status") == c["status"] else None
        return {**c, "observedGeneration": c.get("observedGeneration", generation), "lastTransitionTime": at or now}

    out = [stamped(c) for c in dependents]
    own = {c["type"] for c in dependents} | {"Ready"}
    others = [c for c in old.values() if c["type"] not in own]
    unhealthy = [c for c in out if c["status"] != "True"]
    if not unhealthy:
        root = _condition("Ready", "True", "Ready")
    else:
        unhealthy.sort(key=lambda c: str(c["lastTransitionTime"]), reverse=True)
        status = "False" if any(c["status"] == "False" for c in unhealthy) else "Unknown"
        reason = "UnhealthyDependents" if status == "False" else "ReconcilingDependents"
        root = _condition("Ready", status, reason, ", ".join(f"{c['type']}={c['status']}" for c in unhealthy))
    return [*others, *out, stamped(root)]


def _left(nodeclass: dict[str, Any], kind: str) -> dict[str, Any]:
    """A condition a reconciler that returned an error left as it was: Unknown where none was set."""
    for c in (nodeclass.get("status") or {}).get("conditions") or []:
        if c.get("type") == kind:
            return dict(c)
    return _condition(kind, "Unknown", *AWAITING)


def _response_403(scope: str, action: str, identity: str) -> str:
    """azcore's ResponseError text for ARM's 403 on a GET of ``scope`` (the body as ARM writes
    AuthorizationFailed: MicrosoftDocs/azure-aks-docs fb060ab
    articles/kubernetes-fleet/howto-configure-use-cross-cluster-networking.md)."""
    message = (
        f"The client '{identity}' with object id '{identity}' does not have authorization to perform action "
        f"'{action}' over scope '{scope}' or the scope is invalid."
    )
    return _response_error(scope, 403, "AuthorizationFailed", message)


# The error bodies of the other answers modelled: ARM's subscription throttling (as
# tests/emulators/arm/throttle.py writes it, from the reports it cites) and the 500 of the provider's
# own test (Azure/karpenter-provider-azure 352646f pkg/controllers/nodeclass/status/subnet_test.go
# "should mark nodeclass as not ready when subnet hits unknown error").
_ARM_ERRORS = {
    429: (
        "SubscriptionRequestsThrottled",
        "Number of 'read' requests for subscription '{subscription}' exceeded the limit. Please try again after "
        "'6' seconds.",
    ),
    500: (
        "InternalServerError",
        "An unexpected internal server error occurred while processing the request. The service encountered an "
        "unrecoverable condition and was unable to complete the operation. Please retry the request after some time. "
        "If the problem persists, contact Azure support with the correlation ID and timestamp for further "
        "investigation.",
    ),
}
_STATUS_TEXT = {403: "403 Forbidden", 429: "429 Too Many Requests", 500: "500 Internal Server Error"}


def _response_error(scope: str, status: int, code: str, message: str) -> str:
    """azcore's ResponseError text (Azure/azure-sdk-for-go sdk/azcore/internal/exported/
    response_error.go Error, read through the code index): the method and URL without its query
    (URL.Path: no api-version), RESPONSE with net/http's status text, ERROR CODE, the body
    indented, each part between rules of 80 dashes."""
    rule = "-" * 80
    body = json.dumps({"error": {"code": code, "message": message}}, indent=2)
    return (
        f"GET https://management.azure.com{scope}\n{rule}\nRESPONSE {status}: {_STATUS_TEXT[status]}\n"
        f"ERROR CODE: {code}\n{rule}\n{body}\n{rule}\n"
    )


def _forbidden(des: str, identity: str) -> str:
    """validation.go validateDiskEncryptionSetRBAC's message around azcore's ResponseError text for
    ARM's 403."""
    response = _response_403(des, DES_READ, identity)
    return (
        f"controlling identity does not have Reader role on Disk Encryption Set '{des}'. Grant the Reader role on "
        "the DiskEncryptionSet to the controlling identity. For self-hosted installations, this is the Karpenter "
        "workload identity. For NAP, this is the AKS cluster identity. See "
        f"https://learn.microsoft.com/azure/aks/azure-disk-customer-managed-keys for details: {response}"
    )


def _subnet_parts(subnet_id: str) -> tuple[str, str, str, str] | None:
    """utils/subnet_parser.go GetVnetSubnetIDComponents: exactly 11 "/" segments that rebuild the
    ID, letter case aside; (subscription, resource group, VNet, subnet), None where it does not parse."""
    parts = subnet_id.split("/")
    if len(parts) != 11:
        return None
    sub, group, vnet, name = parts[2], parts[4], parts[8], parts[10]
    mirror = (
        f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{name}"
    )
    return (sub, group, vnet, name) if mirror.lower() == subnet_id.lower() else None


def _managed_vnet(node_resource_group: str, subnet: tuple[str, str, str, str]) -> bool:
    """utils/utils.go IsAKSManagedVNET: aks-vnet-<8 digits>/aks-subnet in the node resource group."""
    _, group, vnet, name = subnet
    return (
        re.fullmatch(r"(?i)aks-vnet-\d{8}", vnet) is not None
        and group.lower() == node_resource_group.lower()
        and name.lower() == "aks-subnet"
    )


def _subnet(nodeclass: dict[str, Any], cloud: NodeClassCloud) -> dict[str, Any]:
    """subnet.go validateVNETSubnetID: the class's vnetSubnetID, else the cluster's subnet, parsed;
    one that is not the cluster's subnet must be in the cluster's VNet, and not in an AKS-managed
    one; then ARM's GET of the subnet (404 SubnetNotFound, any other error SubnetUnknownError with
    the azcore error text)."""
    spec = nodeclass.get("spec") or {}
    subnet_id = str(spec["vnetSubnetID"]) if spec.get("vnetSubnetID") is not None else cloud.cluster_subnet
    parts = _subnet_parts(subnet_id)
    if parts is None:
        return _condition("SubnetsReady", "False", "SubnetIDInvalid", f"Failed to parse vnetSubnetID {subnet_id}")
    if subnet_id != cloud.cluster_subnet:
        cluster = _subnet_parts(cloud.cluster_subnet)
        if cluster is None:  # logged, and the reconciler returns without setting the condition
            return _left(nodeclass, "SubnetsReady")
        same_vnet = cluster[:3] == parts[:3]  # IsSameVNET: case-sensitive
        if same_vnet and _managed_vnet(cloud.node_resource_group, cluster):
            return _condition(
                "SubnetsReady",
                "False",
                "SubnetIDInvalid",
                f"custom subnet cannot be in the same VNet as cluster managed VNet: {subnet_id}",
            )
        if not same_vnet:
            return _condition(
                "SubnetsReady",
                "False",
                "SubnetIDInvalid",
                "vnetSubnetID does not match the cluster subscription, resource group, or virtual network: "
                f"{subnet_id}",
            )
    if subnet_id in cloud.missing_subnets:
        return _condition("SubnetsReady", "False", "SubnetNotFound", f"resource not found: {subnet_id}")
    if subnet_id in cloud.forbidden_subnets:
        error = _response_403(subnet_id, SUBNET_READ, cloud.identity)
        return _condition("SubnetsReady", "False", "SubnetUnknownError", f"unknown error getting subnet: {error}")
    if (status := cloud.subnet_errors.get(subnet_id)) is not None:
        code, message = _ARM_ERRORS[status]
        error = _response_error(subnet_id, status, code, message.format(subscription=parts[0]))
        return _condition("SubnetsReady", "False", "SubnetUnknownError", f"unknown error getting subnet: {error}")
    return _condition("SubnetsReady", "True")


def nodeclass_conditions(nodeclass: dict[str, Any], cloud: NodeClassCloud, now: str) -> list[dict[str, Any]]:
    """What the provider's nodeclass status controller writes, reconciler by reconciler (see the
    module docstring)."""
    spec = nodeclass.get("spec") or {}
    version = (
        _left(nodeclass, "KubernetesVersionReady")
        if cloud.version_error
        else _condition("KubernetesVersionReady", "True")
    )
    version_ok = version["status"] == "True"
    family = str(spec.get("imageFamily") or "Ubuntu")  # the CRD's default
    if spec.get("fipsMode") == "FIPS" and not cloud.use_sig:
        images = _condition(
            "ImagesReady",
            "False",
            "SIGRequiredForFIPS",
            "FIPS images require UseSIG to be enabled, but UseSIG is false (note: UseSIG is only supported in AKS "
            "managed NAP)",
        )
    elif not version_ok:
        images = _left(nodeclass, "ImagesReady")
    elif family in cloud.families_without_images:
        images = _condition("ImagesReady", "False", "ImagesNotFound", "ImageSelectors did not match any Images")
    else:
        images = _condition("ImagesReady", "True")
    subnet = _subnet(nodeclass, cloud)
    if cloud.des_forbidden:
        valid = _condition(
            "ValidationSucceeded",
            "False",
            "DiskEncryptionSetRBACMissing",
            _forbidden(cloud.des_forbidden, cloud.identity),
        )
    else:
        valid = _condition("ValidationSucceeded", "True")
    if (spec.get("localDNS") or {}).get("mode") == "Preferred" and not version_ok:
        why = (
            f"NodeClass condition KubernetesVersionReady, is in Ready={version['status']}, {version.get('message', '')}"
        )
        dns = _condition(
            "LocalDNSReady", "False", "CheckingClusterRequirementsFailed", f"getting kubernetes version: {why}"
        )
    else:
        dns = _condition("LocalDNSReady", "True")
    return with_root(nodeclass, [version, images, subnet, valid, dns], now)


def class_ready(nodeclass: dict[str, Any] | None) -> dict[str, Any]:
    """The class's Ready condition, Unknown where it has none yet (operatorpkg For)."""
    for c in ((nodeclass or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return dict(c)
    return {"type": "Ready", "status": "Unknown"}


def node_class_ready(nodeclass: dict[str, Any] | None) -> dict[str, Any]:
    """The NodePool's NodeClassReady condition for its class (readiness/controller.go)."""
    if nodeclass is None:
        return _condition("NodeClassReady", "False", "NodeClassNotFound", "NodeClass not found on cluster")
    if nodeclass["metadata"].get("deletionTimestamp"):
        return _condition("NodeClassReady", "False", "NodeClassTerminating", "NodeClass is Terminating")
    ready = class_ready(nodeclass)
    if ready.get("status") == "Unknown":
        return _condition("NodeClassReady", "False", "NodeClassReadinessUnknown", "Node Class Readiness Unknown")
    if ready.get("status") == "False":
        return _condition("NodeClassReady", "False", str(ready.get("reason") or ""), str(ready.get("message") or ""))
    return _condition("NodeClassReady", "True")


def nodepool_conditions(pool: dict[str, Any], nodeclass: dict[str, Any] | None, now: str) -> list[dict[str, Any]]:
    """ValidationSucceeded, NodeClassReady and the root Ready of a NodePool."""
    return with_root(pool, [_condition("ValidationSucceeded", "True"), node_class_ready(nodeclass)], now)
