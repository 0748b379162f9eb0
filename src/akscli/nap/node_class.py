"""The AKSNodeClass (karpenter.azure.com/v1beta1) of a node auto-provisioning GPU pool: NAP's
``default``, one named by --node-class, or one made for the pool where --os-disk-size asks for a
bigger OS disk than the default class gives. Plain logic: no Typer, no rich.

upstream: Azure/karpenter-provider-azure 352646f pkg/apis/crds/karpenter.azure.com_aksnodeclasses.yaml
(v1beta1 spec.osDiskSizeGB: int32, minimum 30, maximum 2048, default 128) and MicrosoftDocs/azure-aks-docs
fb060abe articles/aks/node-auto-provisioning-aksnodeclass.md (OS disk size configuration: "Consider
larger OS disk sizes for workloads that ... Require extra space for container images"; every
NodePool references an AKSNodeClass, several may share one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from akscli import validate
from akscli.errors import UsageError

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget
    from akscli.kube.client import Kube

API_VERSION = "karpenter.azure.com/v1beta1"
KIND = "AKSNodeClass"
NODE_CLASS = "default"
OS_DISK_MIN, OS_DISK_MAX = 30, 2048


def resolve(pool: str, node_class: str | None, os_disk_size: int | None) -> tuple[str, int | None]:
    """(the class the NodePool refers to, the OS disk of the class made for it or None).
    --os-disk-size makes a class named after the pool; --node-class names one that exists."""
    if os_disk_size is not None:
        if node_class is not None:
            raise UsageError(
                "--os-disk-size makes an AKSNodeClass for the pool; --node-class names an existing one",
                hint="drop one: set osDiskSizeGB on the class --node-class names, or drop --node-class",
            )
        return pool, validate.integer(os_disk_size, "--os-disk-size", OS_DISK_MIN, OS_DISK_MAX)
    if node_class is None:
        return NODE_CLASS, None
    return validate.subdomain(node_class, "--node-class"), None


def made_for(pool: Mapping[str, Any], stack: str, kube: Kube) -> str | None:
    """The AKSNodeClass `nodepool add --os-disk-size` made for this NodePool (its stack label),
    which `nodepool delete` deletes with it; None for a class it only refers to."""
    from akscli.errors import AkscliError
    from akscli.render import STACK_LABEL

    template = ((pool.get("spec") or {}).get("template") or {}).get("spec") or {}
    name = str((template.get("nodeClassRef") or {}).get("name") or "")
    if not name or name == NODE_CLASS:
        return None
    try:
        found = kube.get(API_VERSION, KIND, name)
    except AkscliError:
        return None
    labels = ((found or {}).get("metadata") or {}).get("labels") or {}
    return name if labels.get(STACK_LABEL) == stack else None


def missing(kube: Kube, name: str = NODE_CLASS) -> str | None:
    """A warning where the AKSNodeClass the pool refers to is not on the cluster: the NodePool then
    stays not Ready and makes no node (upstream: kubernetes-sigs/karpenter 2266468
    pkg/controllers/nodepool/readiness/controller.go, NodeClassReady False "NodeClassNotFound")."""
    from akscli.errors import AkscliError

    try:
        found = kube.get(API_VERSION, KIND, name)
    except AkscliError:
        return None  # not served or not readable: the apply says what it finds
    if found is not None:
        return None
    return (
        f"AKSNodeClass {name} is not on the cluster: the NodePool stays not Ready (NodeClassNotFound) "
        "and makes no node until it exists"
    )


def cluster_network(target: AzureTarget, resource_group: str, cluster: str) -> tuple[str, str]:
    """The cluster's networkProfile networkPlugin and networkPluginMode ("" where unset), one GET of
    the managed cluster: what the Karpenter provider is configured with (upstream:
    Azure/karpenter-provider-azure 352646f hack/deploy/configure-values.sh, NETWORK_PLUGIN and
    NETWORK_PLUGIN_MODE from networkProfile; pkg/operator/options/options.go), and so the default
    maxPods of a class that sets none (akscli.nap.fit.default_max_pods)."""
    from akscli.azure import clusters

    found = clusters.get(clusters.client(target), resource_group, cluster)
    profile = (found.get("properties") or {}).get("networkProfile") or {}
    return str(profile.get("networkPlugin") or ""), str(profile.get("networkPluginMode") or "")
