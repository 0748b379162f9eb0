"""What a GPU node of a VM size gives pods: the smaller of AKS's allocatable (node pools AKS
makes, and NAP nodes AKS bootstraps) and Karpenter's (the count node auto-provisioning schedules
on), less a margin for the DaemonSets AKS runs on every node. akscli sizes its own pods to this
(model.runtime_values.pod_share). Plain logic: no Typer, no rich.

upstream: MicrosoftDocs/azure-aks-docs fb060ab articles/aks/node-resource-reservations.md (AKS
1.29 and later): kube-reserved cpu by the vCPU table (60m for the first core, 40m the second, 20m
each to 4, 10m each after: the same brackets as Karpenter's); kube-reserved memory the lesser of
20 MB per max pod plus 50 MB and 25% of the memory; eviction memory.available 100Mi. Before 1.29
AKS used the tax brackets and 750Mi that Karpenter still uses (akscli.nap_fit.allocatable).
articles/aks/concepts-network-ip-address-planning.md: default max pods 250 (Azure CNI Overlay),
110 (pod subnet, kubenet), 30 (legacy Azure CNI); 250 is the most and reserves the most.
upstream: Azure/karpenter-provider-azure 352646f: in its default provision mode (aksscriptless,
pkg/operator/options/options.go) the kubelet gets Karpenter's own reservations
(imagefamily/resolver.go prepareKubeletConfiguration); in the bootstrappingclient mode
(customscriptsbootstrap/provisionclientbootstrap.go) and the AKS machine API modes
(instance/aksmachineinstancehelpers.go) it sends AKS the SKU's cpu and memory, or the node class's
max pods, and no kube-reserved, so AKS's formula sets them. Managed NAP runs those two, not
aksscriptless: the provider's E2E suite says so (test/suites/integration/linuxosconfig_test.go,
"NAP E2E ... runs via CCP (InClusterController=false), which uses bootstrappingclient";
test/pkg/environment/azure/expectations.go, environment.go: NAP's machines pool "aksmanagedap").
Karpenter schedules on its own count either way, so the pod must fit both.

The capacity is the SKU's memory less 7.5% (Karpenter's vm-memory-overhead-percent): AKS
publishes no per-size figure for what the kernel reports, and that is the only published estimate.
MB in AKS's formula is read as MiB (the larger reservation).
"""

from __future__ import annotations

import math

_MIB, _GIB = 1 << 20, 1 << 30
MAX_PODS = 250  # the largest default max pods AKS sets (Azure CNI Overlay)
AKS_EVICTION_MEMORY = 100 * _MIB  # memory.available<100Mi, AKS 1.29 and later
# The DaemonSets AKS runs on every node. AKS publishes no list of their requests; those with a
# published manifest: cloud-node-manager 50m/50Mi (kubernetes-sigs/cloud-provider-azure
# helm/cloud-provider-azure/values.yaml b65c47c, cloudNodeManager.containerResourceManagement),
# csi-azuredisk-node 3 x 10m/20Mi (kubernetes-sigs/azuredisk-csi-driver deploy/
# csi-azuredisk-node.yaml 02e6381); a node's describe (Azure/AKS#1558) shows azure-ip-masq-agent
# 100m/50Mi and kube-proxy 100m. That is 280m and 160Mi with kube-proxy's memory and the optional
# agents (monitoring, network policy, the file CSI driver) unknown: the margin is about twice the
# cpu and a whole GiB of memory. A live cluster's DaemonSets are counted where a kube context is
# given (akscli.nap_fit.daemon_overhead).
DAEMONSET_MARGIN = {"cpu": 500, "memory": 1 * _GIB}


def _capacity_memory(memory_gib: float) -> int:
    """nap_fit's capacity: whole GiB less 7.5%, rounded up (CalculateMemoryWithoutOverhead)."""
    from akscli.nap_fit import VM_MEMORY_OVERHEAD_PERCENT

    memory = int(memory_gib) * _GIB
    return memory - math.ceil(memory * VM_MEMORY_OVERHEAD_PERCENT)


def aks_allocatable(vm_size: str, max_pods: int = MAX_PODS) -> dict[str, int] | None:
    """cpu (millicores) and memory (bytes) AKS 1.29+ leaves pods on a node of the size with
    ``max_pods``, or None for a size akscli's GPU data does not know."""
    from akscli.model import skus
    from akscli.nap_fit import reserved_cpu

    sku = skus.get(vm_size)
    if sku is None:
        return None
    reserved_memory = min((20 * max_pods + 50) * _MIB, int(0.25 * sku.memory_gib * _GIB))
    return {
        "cpu": sku.vcpus * 1000 - reserved_cpu(sku.vcpus),
        "memory": _capacity_memory(sku.memory_gib) - reserved_memory - AKS_EVICTION_MEMORY,
    }


def pod_room(vm_size: str) -> dict[str, int] | None:
    """cpu (millicores) and memory (bytes) a node of the size has for akscli's pods: the smaller
    of AKS's and Karpenter's allocatable, less DAEMONSET_MARGIN; None for an unknown size."""
    from akscli.nap_fit import allocatable

    aks, karpenter = aks_allocatable(vm_size), allocatable(vm_size)
    if aks is None or karpenter is None:
        return None
    return {name: min(aks[name], karpenter[name]) - margin for name, margin in DAEMONSET_MARGIN.items()}
