"""Is node auto-provisioning (NAP) able to make nodes? What ``akscli doctor`` reads of it.

On AKS, "NAP automatically deploys, configures, and manages Karpenter" (MicrosoftDocs/azure-aks-docs
fb060ab articles/aks/node-auto-provisioning.md); no published source names a pod label or namespace
for it, so akscli reads its API only: the NodePool CRD (served when NAP is enabled) and each
NodePool's conditions. A NodePool's Ready condition depends on ValidationSucceeded and NodeClassReady
(upstream: kubernetes-sigs/karpenter 2266468 pkg/apis/v1/nodepool_status.go StatusConditions),
and NodeClassReady follows its AKSNodeClass's own Ready (ImagesReady, KubernetesVersionReady,
SubnetsReady, ValidationSucceeded...: Azure/karpenter-provider-azure 352646f
pkg/apis/v1beta1/aksnodeclass_status.go), so the NodePools say whether their classes work too.
When a dependent is not True, Ready is False (UnhealthyDependents) or Unknown
(ReconcilingDependents) and names the dependents, "NodeClassReady=False" (awslabs/operatorpkg
7a13865 status/condition_set.go recomputeRootCondition); the dependent carries the why.
The AKSNodeClasses are read too, each on its own: a class no NodePool refers to has no NodePool
to report it, and a class that is not Ready names its own failing dependent (SubnetsReady
SubnetNotFound: "resource not found: <subnet>"), where its NodePools only copy the root's
"SubnetsReady=False" (upstream: kubernetes-sigs/karpenter 2266468
pkg/controllers/nodepool/readiness/controller.go setReadyCondition; the class's conditions are
set by Azure/karpenter-provider-azure 352646f pkg/controllers/nodeclass/status/*.go).
Plain logic: no Typer, no rich.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli.nap import node_class as nap_class
from akscli.nap import nodepool as nap

if TYPE_CHECKING:
    from akscli.kube.client import Kube

CRD = "nodepools.karpenter.sh"
DEPENDENTS = ("ValidationSucceeded", "NodeClassReady")  # nodepool_status.go NewReadyConditions
# aksnodeclass_status.go StatusConditions, in the order the status controller reconciles them.
CLASS_DEPENDENTS = ("KubernetesVersionReady", "ImagesReady", "SubnetsReady", "ValidationSucceeded", "LocalDNSReady")
SAMPLE = 100  # NodePools read: a cluster has a handful; one page answers


@dataclass(frozen=True)
class PoolHealth:
    name: str
    ready: str  # the Ready condition's status: True, False, Unknown, or "" before the first reconcile
    why: str = ""  # the first unhealthy dependent, "NodeClassReady NodeClassNotFound: NodeClass not found"
    node_class: str = ""  # the AKSNodeClass its template refers to

    @property
    def ok(self) -> bool:
        return self.ready == "True"

    def describe(self) -> str:
        if self.ok:
            return f"NodePool {self.name} is Ready"
        if not self.ready:
            return f"NodePool {self.name} has no Ready condition yet: Karpenter has not reconciled it"
        return f"NodePool {self.name} is not Ready ({self.ready})" + (f": {self.why}" if self.why else "")


@dataclass(frozen=True)
class ClassHealth:
    name: str
    ready: str  # as PoolHealth.ready
    why: str = ""  # the first dependent that is not True, "SubnetsReady SubnetNotFound: resource not found: ..."
    used_by: tuple[str, ...] | None = ()  # the NodePools that refer to it; None where not all were read
    failing: Mapping[str, Any] | None = None  # that dependent condition, as the provider wrote it

    @property
    def ok(self) -> bool:
        return self.ready == "True"

    def describe(self) -> str:
        if not self.ready:
            said = f"AKSNodeClass {self.name} has no Ready condition yet: Karpenter has not reconciled it"
        else:
            said = f"AKSNodeClass {self.name} is not Ready ({self.ready})" + (f": {self.why}" if self.why else "")
        if self.used_by:
            said += f"; NodePool(s) {', '.join(self.used_by)} make no node until it is"
        return said


def _failing(conditions: Mapping[str, Mapping[str, Any]], dependents: tuple[str, ...]) -> Mapping[str, Any] | None:
    """The first dependent that is not True, in the order the provider reconciles them (a
    Kubernetes version not read leaves the images and LocalDNS waiting on it, so it comes first)."""
    for kind in dependents:
        dep = conditions.get(kind) or {}
        if dep and dep.get("status") != "True":
            return dep
    return None


def _why(conditions: Mapping[str, Mapping[str, Any]], dependents: tuple[str, ...]) -> str:
    """The first dependent that is not True, "Type Reason: message" (the message's first line: an
    Azure error quoted in it runs over many); else the root's reason and message where the root is
    not True."""
    dep = _failing(conditions, dependents)
    if dep is not None:
        why = " ".join(str(p) for p in (dep.get("type"), dep.get("reason")) if p)
        message = str(dep.get("message") or "").split("\n", 1)[0]
        return why + (f": {message}" if message else "")
    ready = conditions.get("Ready") or {}
    if ready.get("status") not in (None, "True"):
        return ": ".join(str(p) for p in (ready.get("reason"), ready.get("message")) if p)
    return ""


def _conditions(obj: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(c.get("type")): c for c in (obj.get("status") or {}).get("conditions") or [] if isinstance(c, dict)}


def health(pool: Mapping[str, Any]) -> PoolHealth:
    conditions = _conditions(pool)
    ready = conditions.get("Ready") or {}
    ref = (((pool.get("spec") or {}).get("template") or {}).get("spec") or {}).get("nodeClassRef") or {}
    node_class = str(ref.get("name") or "") if ref.get("kind", nap_class.KIND) == nap_class.KIND else ""
    name = str((pool.get("metadata") or {}).get("name", ""))
    return PoolHealth(name, str(ready.get("status") or ""), _why(conditions, DEPENDENTS), node_class)


def class_health(node_class: Mapping[str, Any], used_by: tuple[str, ...] | None = ()) -> ClassHealth:
    conditions = _conditions(node_class)
    ready = str((conditions.get("Ready") or {}).get("status") or "")
    name = str((node_class.get("metadata") or {}).get("name", ""))
    return ClassHealth(name, ready, _why(conditions, CLASS_DEPENDENTS), used_by, _failing(conditions, CLASS_DEPENDENTS))


# The AKSNodeClass field a dependent checks, where correcting it is the fix (upstream:
# Azure/karpenter-provider-azure 352646f pkg/controllers/nodeclass/status/subnet.go vnetSubnetID,
# images.go the image family's images, localdns.go spec.localDNS).
_CLASS_FIELDS = {
    "SubnetsReady": "spec.vnetSubnetID",
    "ImagesReady": "spec.imageFamily",
    "LocalDNSReady": "spec.localDNS",
}


def _by_reason(name: str, kind: str, reason: str, message: str) -> str:
    """The fix the provider's own reason and message imply (upstream: Azure/karpenter-provider-azure
    352646f pkg/controllers/nodeclass/status/*.go, each cited at its reason); "" where none is
    known."""
    edit = f"kubectl edit aksnodeclass {name}"
    if kind == "KubernetesVersionReady":
        # kubernetesversion.go: the condition is set True once the API server's version is read; a
        # read that fails returns an error (retried with backoff) and leaves it Unknown. images.go and
        # localdns.go read the version through GetKubernetesVersion, so they wait on it.
        return (
            "nothing in the class to correct: Karpenter has not read the API server's version yet and retries "
            "(the images and LocalDNS wait on it); if it stays, read the Karpenter controller's logs "
            "(with node auto-provisioning AKS manages Karpenter: open a support request)"
        )
    if reason == "SIGRequiredForFIPS":
        # images.go: "FIPS images require UseSIG ... (note: UseSIG is only supported in AKS managed NAP)".
        return (
            f"FIPS images come only from the image gallery that AKS's node auto-provisioning reads: remove "
            f"spec.fipsMode ({edit}), or make FIPS nodes with node auto-provisioning instead of a self-hosted Karpenter"
        )
    if reason == "ImagesNotFound":
        # images.go: no image of the class's family (and FIPS mode) is published for the region.
        return f"no node image matches spec.imageFamily (and spec.fipsMode): choose another family ({edit})"
    if reason == "KubernetesUpgrade":
        # kubernetesversion.go: set on a Kubernetes upgrade until images.go has found the new images.
        return "the cluster's Kubernetes version went up and Karpenter is fetching its node images: wait"
    if reason == "DiskEncryptionSetRBACMissing":
        # validation.go: "Grant the Reader role on the DiskEncryptionSet to the controlling identity.
        # For self-hosted installations, this is the Karpenter workload identity. For NAP, this is the
        # AKS cluster identity"; checked again every minute (ValidationFailureRequeueInterval).
        scope = re.search(r"Disk Encryption Set '([^']+)'", message)
        des = scope.group(1) if scope else "<disk encryption set id>"
        return (
            "grant the Reader role on the Disk Encryption Set to the identity Karpenter runs as (node auto-"
            "provisioning: the AKS cluster identity; self-hosted: Karpenter's workload identity): az role "
            f"assignment create --role Reader --assignee <its principal id> --scope {des}; Karpenter checks "
            "again every minute"
        )
    if reason == "SubnetIDInvalid":
        return _subnet_invalid(edit, message)
    if reason == "SubnetUnknownError":
        # subnet.go: ARM's GET of the subnet failed other than 404; azcore's error text follows
        # "unknown error getting subnet: ". A 403 is the identity missing subnets/read
        # (MicrosoftDocs/azure-aks-docs fb060ab articles/aks/node-auto-provisioning-networking.md:
        # Network Contributor on the VNet, or a role with subnets/read and subnets/join/action).
        if "AuthorizationFailed" in message:
            scope = re.search(r"over scope '([^']+)'", message)
            subnet = scope.group(1) if scope else "<subnet id>"
            return (
                "the identity Karpenter runs as (node auto-provisioning: the AKS cluster identity) may not read the "
                'subnet: az role assignment create --role "Network Contributor" --assignee <its principal id> '
                f"--scope {subnet} (or a role with subnets/read and subnets/join/action)"
            )
        return _subnet_unknown(message)
    if reason == "CheckingClusterRequirementsFailed":
        # localdns.go: only spec.localDNS.mode Preferred checks the cluster; Required and Disabled do not.
        return (
            "Karpenter could not check whether LocalDNS can be enabled (spec.localDNS.mode Preferred): set "
            f"spec.localDNS.mode to Required or Disabled, which needs no check ({edit}), or fix what the message names"
        )
    return ""


def _subnet_unknown(message: str) -> str:
    """subnet.go SubnetUnknownError other than a refusal, by azcore's "RESPONSE <status>" line
    (sdk/azcore/internal/exported/response_error.go Error). The provider's ARM clients keep the Azure
    SDK's retries (Azure/karpenter-provider-azure 352646f pkg/utils/clientopts/armopts.go
    DefaultRetryOpts: 408, 429, 500, 502, 503, 504, three retries), so such an answer came four
    times; the reconciler returns the error and controller-runtime tries again with backoff. No
    RESPONSE line: no answer (a token the credential could not get, or no route to ARM)."""
    status = re.search(r"^RESPONSE (\d{3}):", message, re.MULTILINE)
    code = re.search(r"^ERROR CODE: (\S+)", message, re.MULTILINE)
    named = f"{status.group(1) if status else ''} {code.group(1) if code else ''}".strip()
    if status and status.group(1) == "429":
        return (
            f"ARM throttled the subscription's reads ({named}) through the Azure SDK's three retries: something in "
            "the subscription reads too much (the x-ms-ratelimit-remaining-subscription-reads header of its answers "
            "counts down); Karpenter tries again with backoff"
        )
    if status and status.group(1) in ("408", "500", "502", "503", "504"):
        return (
            f"Azure failed the read of the subnet ({named}) through the Azure SDK's three retries: Karpenter tries "
            "again with backoff; if it stays, open an Azure support request with the time and the subnet ID"
        )
    if status:
        return (
            f"Azure refused the read of the subnet ({named}): the message's ERROR CODE says why; Karpenter tries again"
        )
    return (
        "Karpenter got no answer from ARM: the message says why (a token its credential could not get, or no "
        "route to management.azure.com: egress rules, DNS); Karpenter tries again with backoff"
    )


def _subnet_invalid(edit: str, message: str) -> str:
    """subnet.go SubnetIDInvalid, by its three messages: an ID that does not parse (the class's, or
    the cluster's own where the class names none), a subnet outside the cluster's VNet, another
    subnet of an AKS-managed VNet (upstream: Azure/karpenter-provider-azure 352646f
    pkg/controllers/nodeclass/status/subnet.go, pkg/utils/utils.go IsAKSManagedVNET)."""
    cluster = "az aks show -g <group> -n <cluster> --query 'agentPoolProfiles[].vnetSubnetId'"
    if message.startswith("custom subnet cannot be in the same VNet as cluster managed VNet"):
        return (
            "the cluster runs on the VNet AKS manages, where nodes may use only the cluster's own subnet: remove "
            f"spec.vnetSubnetID ({edit}), or use a subnet of your own VNet with a cluster made on it (--vnet-subnet-id)"
        )
    if message.startswith("vnetSubnetID does not match the cluster"):
        return (
            "the subnet must be in the cluster's own VNet (same subscription, resource group and VNet name, "
            f"letter case included; {cluster}): set spec.vnetSubnetID to a subnet of it, or remove it ({edit})"
        )
    return (
        "set spec.vnetSubnetID to a whole subnet ID, /subscriptions/<id>/resourceGroups/<group>/providers/"
        f"Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet> ({edit}); where the class sets none, it is "
        "the cluster's own subnet that does not parse (Karpenter's --vnet-subnet-id)"
    )


def class_fix(cls: ClassHealth) -> str:
    """What to do about an AKSNodeClass that is not Ready: the fix its failing condition implies,
    else the field that condition checks, else its conditions to read; and, for a class no NodePool
    uses, deleting it."""
    dep = cls.failing or {}
    kind, reason, message = (str(dep.get(k) or "") for k in ("type", "reason", "message"))
    fix = f"kubectl describe aksnodeclass {cls.name}"
    if said := _by_reason(cls.name, kind, reason, message):
        fix += f"; {said}"
    elif field := _CLASS_FIELDS.get(kind):
        fix += f", then correct {field} (kubectl edit aksnodeclass {cls.name})"
    else:
        fix += " (its conditions say why)"
    if cls.used_by == ():
        fix += f", or delete it if no NodePool is to use it (kubectl delete aksnodeclass {cls.name})"
    return fix


def enabled(kube: Kube) -> bool:
    """Whether the NodePool CRD is installed (a get by name): NAP is enabled."""
    from akscli.errors import NotInstalledError

    try:
        return kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", CRD) is not None
    except NotInstalledError:
        return False


def pools(kube: Kube) -> list[PoolHealth]:
    """The health of the cluster's NodePools (one page of at most SAMPLE)."""
    found: list[PoolHealth] = []
    for pool in kube.list(nap.API_VERSION, nap.KIND, page_size=SAMPLE):
        found.append(health(pool))
        if len(found) >= SAMPLE:
            break
    return found


def classes(kube: Kube, pools: list[PoolHealth]) -> list[ClassHealth]:
    """The health of the cluster's AKSNodeClasses (one page of at most SAMPLE), each with the
    NodePools of ``pools`` that refer to it; which NodePools use it is unknown (None) where
    ``pools`` may be a part of them. None at all where the kind is not served."""
    from akscli.errors import NotInstalledError

    every_pool = len(pools) < SAMPLE
    found: list[ClassHealth] = []
    try:
        for obj in kube.list(nap_class.API_VERSION, nap_class.KIND, page_size=SAMPLE):
            name = str((obj.get("metadata") or {}).get("name", ""))
            users = tuple(p.name for p in pools if p.node_class == name)
            found.append(class_health(obj, users if users or every_pool else None))
            if len(found) >= SAMPLE:
                break
    except NotInstalledError:
        return []
    return found
