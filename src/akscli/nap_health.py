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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import nap, nap_class

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


def _why(conditions: Mapping[str, Mapping[str, Any]], dependents: tuple[str, ...]) -> str:
    """The first dependent that is not True, "Type Reason: message"; else the root's reason and
    message where the root is not True."""
    for kind in dependents:
        dep = conditions.get(kind) or {}
        if dep and dep.get("status") != "True":
            why = " ".join(str(p) for p in (kind, dep.get("reason")) if p)
            return why + (f": {dep['message']}" if dep.get("message") else "")
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
    return ClassHealth(name, ready, _why(conditions, CLASS_DEPENDENTS), used_by)


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
