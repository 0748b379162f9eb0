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
Plain logic: no Typer, no rich.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import nap

if TYPE_CHECKING:
    from akscli.kube.client import Kube

CRD = "nodepools.karpenter.sh"
DEPENDENTS = ("ValidationSucceeded", "NodeClassReady")  # nodepool_status.go NewReadyConditions
SAMPLE = 100  # NodePools read: a cluster has a handful; one page answers


@dataclass(frozen=True)
class PoolHealth:
    name: str
    ready: str  # the Ready condition's status: True, False, Unknown, or "" before the first reconcile
    why: str = ""  # the first unhealthy dependent, "NodeClassReady NodeClassNotFound: NodeClass not found"

    @property
    def ok(self) -> bool:
        return self.ready == "True"

    def describe(self) -> str:
        if self.ok:
            return f"NodePool {self.name} is Ready"
        if not self.ready:
            return f"NodePool {self.name} has no Ready condition yet: Karpenter has not reconciled it"
        return f"NodePool {self.name} is not Ready ({self.ready})" + (f": {self.why}" if self.why else "")


def health(pool: Mapping[str, Any]) -> PoolHealth:
    conditions = {
        str(c.get("type")): c for c in (pool.get("status") or {}).get("conditions") or [] if isinstance(c, dict)
    }
    ready = conditions.get("Ready") or {}
    why = ""
    for kind in DEPENDENTS:
        dep = conditions.get(kind) or {}
        if dep and dep.get("status") != "True":
            why = " ".join(str(p) for p in (kind, dep.get("reason")) if p)
            why += f": {dep['message']}" if dep.get("message") else ""
            break
    if not why and ready.get("status") not in (None, "True"):
        why = ": ".join(str(p) for p in (ready.get("reason"), ready.get("message")) if p)
    return PoolHealth(str((pool.get("metadata") or {}).get("name", "")), str(ready.get("status") or ""), why)


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
