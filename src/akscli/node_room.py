"""What a GPU node of a VM size gives pods: the smaller of AKS's allocatable (node pools AKS
makes, and NAP nodes AKS bootstraps) and Karpenter's (the count node auto-provisioning schedules
on), less a margin for the DaemonSets AKS runs on every node. akscli sizes its own pods to this
(model.runtime_values.pod_share). Plain logic: no Typer, no rich.

upstream: MicrosoftDocs/azure-aks-docs fb060ab articles/aks/node-resource-reservations.md (AKS
1.29 and later): kube-reserved cpu by the vCPU table (60m for the first core, 40m the second, 20m
each to 4, 10m each after: the same brackets as Karpenter's); kube-reserved memory the lesser of
20 MB per max pod plus 50 MB and 25% of the memory; eviction memory.available 100Mi. Before 1.29
AKS used the tax brackets and 750Mi that Karpenter still uses (akscli.nap.fit.allocatable).
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
Karpenter schedules on its own count either way, so the pod must fit both: kubelet_shortfall says
where a pod Karpenter makes a node for does not fit what the node's kubelet leaves it.

AKS's Node Hardening (preview, a cluster's opt-in: learn.microsoft.com/azure/aks/node-hardening) is
not counted. With it AKS reserves kube-reserved memory min(35 x maxPods + max(250, 2% of the memory),
25%) MiB, system-reserved 100m CPU and 200 MiB plus 100 MiB each whole 32 GiB (and 100 MiB on Azure
CNI), and a hard eviction threshold of 250Mi up to 8 GiB, 375Mi below 32 GiB, 512Mi from 32 GiB
(Azure/karpenter-provider-azure PR #1818, merged after 352646f, pkg/providers/instancetype/
nodehardening.go, "keep the formulas below in sync with the AKS RP"). Karpenter's option
EnableNodeHardening is off by default and, in later upstream tests, skipped in the bootstrappingclient
mode. No source says which ManagedCluster property turns it on, so akscli cannot read it; a hardened
Standard_NC4as_T4_v3 with 250 pods leaves about 18.2Gi, less than pod_room's 19Gi.

The capacity is the SKU's memory less 7.5% (Karpenter's vm-memory-overhead-percent): AKS
publishes no per-size figure for what the kernel reports, and that is the only published estimate.
MB in AKS's formula is read as MiB (the larger reservation).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.nap.fit import LivePod, Network

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
# given (akscli.nap.fit.daemon_overhead).
DAEMONSET_MARGIN = {"cpu": 500, "memory": 1 * _GIB}


def _capacity_memory(memory_gib: float) -> int:
    """nap_fit's capacity: whole GiB less 7.5%, rounded up (CalculateMemoryWithoutOverhead)."""
    from akscli.nap.fit import VM_MEMORY_OVERHEAD_PERCENT

    memory = int(memory_gib) * _GIB
    return memory - math.ceil(memory * VM_MEMORY_OVERHEAD_PERCENT)


def aks_allocatable(vm_size: str, max_pods: int = MAX_PODS) -> dict[str, int] | None:
    """cpu (millicores) and memory (bytes) AKS 1.29+ leaves pods on a node of the size with
    ``max_pods``, or None for a size akscli's GPU data does not know."""
    from akscli.model import skus
    from akscli.nap.fit import reserved_cpu

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
    from akscli.nap.fit import allocatable

    aks, karpenter = aks_allocatable(vm_size), allocatable(vm_size)
    if aks is None or karpenter is None:
        return None
    return {name: min(aks[name], karpenter[name]) - margin for name, margin in DAEMONSET_MARGIN.items()}


def kubelet_shortfall(
    pool: Mapping[str, Any],
    vm_size: str,
    requests: Mapping[str, int],
    daemonsets: Iterable[Mapping[str, Any]],
    node_class: Mapping[str, Any] | None = None,
    live_pod: LivePod | None = None,
    network: Network | None = None,
) -> str | None:
    """None where the kubelet of a node that node auto-provisioning makes of the size leaves room for
    the pod and the DaemonSets that would join it, else what it lacks. Karpenter decides to make the
    node on its own count (akscli.nap.fit.shortfall); the node's kubelet then reserves what AKS gives
    it, cpu and memory by AKS's 1.29+ formula for the node's max pods (aks_allocatable; managed NAP's
    provision modes send AKS no reservations: Azure/karpenter-provider-azure 352646f
    customscriptsbootstrap/provisionclientbootstrap.go, instance/aksmachineinstancehelpers.go).
    Where that is less than the pods ask, the kube-scheduler refuses the node Karpenter made
    (Insufficient memory) and the pods stay Pending on it. The capacity is Karpenter's estimate
    (_capacity_memory): a node's kernel may report up to a few percent more (see the module's
    docstring), so the refusal holds unless it does. GPUs and pods are not counted here: AKS
    gives the node the GPUs and max pods Karpenter counts. ephemeral-storage is left to Karpenter's
    count: what the kubelet reports for an OS disk is published for 128 GB alone."""
    from akscli.nap.fit import amount, asks, class_room, daemon_overhead

    pods = class_room(node_class, network)["pods"]
    room = aks_allocatable(vm_size, pods)
    if room is None:
        return None
    overhead, daemons = daemon_overhead(pool, vm_size, daemonsets, live_pod)
    for name, have in room.items():
        own, extra = requests.get(name, 0), overhead.get(name, 0)
        if own + extra > have:
            why = (
                f"AKS's kube-reserved memory for {pods} pods and its {AKS_EVICTION_MEMORY >> 20}Mi eviction threshold, "
                "from the VM's memory less 7.5% as Karpenter estimates it"
                if name == "memory"
                else f"AKS's kube-reserved {name}"
            )
            return (
                f"its kubelet leaves pods {amount(name, have)} of {name} ({why}) and {asks(name, own, extra, daemons)}"
            )
    return None
