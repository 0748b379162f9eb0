"""AKS's cluster autoscaler in the lab: it links the ARM emulator's agent pools to the Kubernetes
emulator's nodes.

On AKS an agent pool with ``enableAutoScaling``, ``minCount`` and ``maxCount`` is grown by the
cluster autoscaler when a pod is unschedulable and a node of that pool would fit it. Here, on a
pod the scheduler leaves Pending (tests/emulators/kube/controllers/rescheduling.py keeps those
from pod events) or a pool written through ARM, one pass:

1. drops the pods that fit a node that exists now (the scheduler will bind them), as
   cluster-autoscaler's filter-out-schedulable processor does (upstream: kubernetes/autoscaler
   master, read 2026-12, cluster-autoscaler/core/podlistprocessor/filter_out_schedulable.go;
   every path below is in that repository);
2. builds each autoscaling pool's template node as the Azure provider does (upstream:
   kubernetes/autoscaler cluster-autoscaler/cloudprovider/azure/azure_template.go
   buildNodeFromTemplate, processVMSSTemplate, buildGenericLabels, extractTaintsFromSpecString):
   capacity cpu/memory/nvidia.com/gpu from the VM size and pods 110, allocatable = capacity,
   the generic labels (arch, os, instance type, region, zone "0" without zones, hostname), the
   ``agentpool`` and ``kubernetes.azure.com/agentpool`` labels, ``kubernetes.azure.com/
   accelerator=nvidia`` and legacy ``accelerator=nvidia`` on an NVIDIA size (GPULabel,
   legacyGPULabel in azure_cloud_provider.go), the pool's
   nodeLabels, and taints from the pool's ``nodeTaints`` (``key=value:Effect`` only); a Spot
   pool's ``kubernetes.azure.com/scalesetpriority=spot`` label and ``...=spot:NoSchedule`` taint
   are AKS's (upstream: MicrosoftDocs/azure-aks-docs articles/aks/spot-node-pool.md; the ARM
   emulator's aksrules.py SPOT_LABEL / SPOT_TAINT adds them to the pool);
3. fits each pod to the template nodes with the scheduler's own filters, packing pods into the
   nodes this pass adds (cluster-autoscaler/core/scaleup/orchestrator/orchestrator.go
   ScaleUp, estimator/binpacking_estimator.go), pools in name order (AKS's default expander is
   ``random``; a fixed order keeps tests repeatable), never past ``maxCount``
   (core/scaleup/orchestrator/skippedreasons.go MaxLimitReachedReason "max node group size
   reached");
4. raises the ARM pool's ``count`` (and the cluster's agentPoolProfiles entry) and creates the
   new nodes Ready, named as AKS names VMSS instances: ``aks-<pool>-<8 digits>-vmss`` and the
   instance id in 6 base-36 digits (the scale set is the node group; its name is the group id);
5. records cluster-autoscaler's events on the pods (upstream:
   cluster-autoscaler/processors/status/eventing_scale_up_processor.go): ``TriggeredScaleUp``
   "pod triggered scale-up: [{<group> <current>-><new> (max: <max>)}]" (nodegroupset
   ScaleUpInfo.String), and ``NotTriggerScaleUp`` "pod didn't trigger scale-up: <count> <reason>,
   ..." (ReasonsMessage: each pool's reasons counted; upstream's map order is random, here
   sorted), once per pod and message (the event recorder folds repeats into a count).

The new nodes' events wake the Rescheduler, which binds the pods. Not modelled: scale-down (a
pool never shrinks by itself), the scan interval (a node's boot delay is ``boot``), node group balancing,
ResourceQuota on cores (the ARM emulator's quota), several ARM clusters (the lab's kubeconfig
points every ARM cluster at the one Kubernetes emulator, so every autoscaling pool of every
lab cluster is a candidate).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.base import PassController
from tests.emulators.kube.controllers.rescheduling import is_unschedulable, unschedulable_pods
from tests.emulators.kube.controllers.scheduling import Scheduler, fit_reasons, pod_requests

if TYPE_CHECKING:
    from tests.emulators.kube.controllers.runner import ControllerManager

AP_TYPE = "Microsoft.ContainerService/managedClusters/agentPools"
AP_REGEX = r"Microsoft\.ContainerService/managedClusters/agentPools"
SPOT_LABEL = ("kubernetes.azure.com/scalesetpriority", "spot")
SPOT_TAINT = {"key": "kubernetes.azure.com/scalesetpriority", "value": "spot", "effect": "NoSchedule"}
MAX_REACHED = "max node group size reached"
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_TAINT = re.compile(r"^([^=]+)=(.*):(NoSchedule|NoExecute|PreferNoSchedule)$")


def size_capacity(vm_size: str) -> dict[str, str]:
    """cpu, memory and nvidia.com/gpu of a VM size (GetInstanceTypeStatically's facts): GPU sizes
    from akscli's data file (src/akscli/data/gpu_skus.yaml, from ../shared/data/azure-gpu-skus.csv);
    other sizes' vCPUs from the name and 4 GiB a vCPU, the D-series' ratio (upstream:
    MicrosoftDocs/azure-compute-docs articles/virtual-machines/sizes/general-purpose/ddsv5-series.md,
    Standard_D4ds_v5: 4 vCPUs, 16 GiB)."""
    from akscli.model import skus
    from tests.emulators.arm.compute import vcpus_of

    sku = skus.get(vm_size)
    if sku is not None:
        return {"cpu": str(sku.vcpus), "memory": f"{int(sku.memory_gib)}Gi", "nvidia.com/gpu": str(sku.gpus)}
    vcpus = vcpus_of(vm_size)
    return {"cpu": str(vcpus), "memory": f"{vcpus * 4}Gi", "nvidia.com/gpu": "0"}


def parse_taints(strings: list[str]) -> list[dict[str, str]]:
    """extractTaintsFromSpecString: ``key=value:Effect``; anything else is dropped; deduplicated."""
    out: list[dict[str, str]] = []
    for text in strings:
        m = _TAINT.match(text)
        if m is None or ":" in m.group(2):
            continue
        taint = {"key": m.group(1), "value": m.group(2), "effect": m.group(3)}
        if taint not in out:
            out.append(taint)
    return out


def scale_set_name(cluster_id: str, pool: str) -> str:
    """aks-<pool>-<8 digits>-vmss: AKS's scale set name (the digits are a hash of the cluster)."""
    digits = int(hashlib.sha256(cluster_id.lower().encode()).hexdigest(), 16) % 10**8
    return f"aks-{pool}-{digits:08d}-vmss"


def instance_suffix(index: int) -> str:
    """A VMSS instance's computer-name suffix: the instance id in 6 base-36 digits."""
    out = ""
    for _ in range(6):
        out = _BASE36[index % 36] + out
        index //= 36
    return out


def template_node(cluster: dict[str, Any], pool: dict[str, Any], name: str) -> dict[str, Any]:
    """buildNodeFromTemplate for an AKS pool (see the module docstring)."""
    props = pool.get("properties") or {}
    pool_name = str(pool["name"])
    size = str(props.get("vmSize") or "")
    location = str(cluster.get("location") or "").lower()
    zones = [str(z) for z in props.get("availabilityZones") or []]
    zone = f"{location}-{zones[0]}" if zones else "0"
    os_name = str(props.get("osType") or "Linux").lower()
    labels = {
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/arch": "amd64",
        "kubernetes.io/os": os_name,
        "beta.kubernetes.io/os": os_name,
        "node.kubernetes.io/instance-type": size,
        "beta.kubernetes.io/instance-type": size,
        "topology.kubernetes.io/region": location,
        "failure-domain.beta.kubernetes.io/region": location,
        "topology.kubernetes.io/zone": zone,
        "failure-domain.beta.kubernetes.io/zone": zone,
        "topology.disk.csi.azure.com/zone": zone if zones else "",
        "kubernetes.io/hostname": name,
        "agentpool": pool_name,
        "kubernetes.azure.com/agentpool": pool_name,
        **{str(k): str(v) for k, v in (props.get("nodeLabels") or {}).items()},
    }
    capacity = {**size_capacity(size), "pods": "110"}
    if capacity["nvidia.com/gpu"] != "0":
        labels["kubernetes.azure.com/accelerator"] = "nvidia"
        labels["accelerator"] = "nvidia"
    taints = parse_taints([str(t) for t in props.get("nodeTaints") or []])
    if props.get("scaleSetPriority") == "Spot":
        labels[SPOT_LABEL[0]] = SPOT_LABEL[1]
        if SPOT_TAINT not in taints:
            taints.append(dict(SPOT_TAINT))
    t = now_iso()
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"taints": taints} if taints else {},
        "status": {
            "capacity": capacity,
            "allocatable": dict(capacity),
            # cloudprovider.BuildReadyConditions
            "conditions": [
                {"type": "Ready", "status": "True", "reason": "KubeletReady", "lastTransitionTime": t},
                {"type": "MemoryPressure", "status": "False", "lastTransitionTime": t},
                {"type": "DiskPressure", "status": "False", "lastTransitionTime": t},
                {"type": "PIDPressure", "status": "False", "lastTransitionTime": t},
                {"type": "NetworkUnavailable", "status": "False", "lastTransitionTime": t},
            ],
        },
    }


class NodeGroup:
    """One autoscaling agent pool of an ARM cluster."""

    def __init__(self, cluster: dict[str, Any], pool: dict[str, Any]) -> None:
        self.cluster = cluster
        self.pool = pool
        props = pool.get("properties") or {}
        self.count = int(props.get("count") or 0)
        self.min = int(props.get("minCount") or 0)
        self.max = int(props.get("maxCount") or 0)
        self.id = scale_set_name(str(cluster["id"]), str(pool["name"]))
        self.template = template_node(cluster, pool, f"{self.id}-template")
        self.adding: list[Counter[str]] = []  # what this pass's pods request on each node it adds

    def fits_new(self, need: Counter[str]) -> bool:
        allocatable = self.template["status"]["allocatable"]
        for used in self.adding:
            if not fit_reasons({}, need, {"status": {"allocatable": allocatable}}, used.copy)[0]:
                used.update(need)
                used["pods"] += Decimal(1)
                return True
        return False


class ClusterAutoscaler(PassController):
    """See the module docstring. ``arm``: the lab's ArmEmulator."""

    watches: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, arm: Any, delay: float = 0.05, boot: float = 0.0) -> None:
        super().__init__(delay)
        self.arm = arm
        # Seconds between the scale-up (the pool's count raised, TriggeredScaleUp recorded) and its
        # nodes joining the cluster; 0: at once. On AKS a VMSS instance boots and its kubelet
        # registers minutes after the target size grows; the pod waits meanwhile.
        self.boot = boot
        self._told: set[tuple[str, str]] = set()
        self.scale_ups: list[tuple[str, int, int]] = []  # (group, from, to), for tests

    def attach(self, manager: ControllerManager) -> None:
        unschedulable_pods(manager.api).changed.append(self._on_change)
        # A pool written through ARM (autoscaling enabled, maxCount raised) is looked at too.
        self.arm.add_hooks(
            AP_REGEX,
            on_put_done=lambda emu, rid, obj: self.queue_pass(),
            on_deleted=lambda emu, rid, obj: manager.call_later(self, lambda c: self._drop_nodes(c, rid), 0),
        )

    def _on_change(self, what: str, obj: dict[str, Any]) -> None:
        if what == "pending":
            self.queue_pass()

    def run_pass(self, cluster: ClusterState) -> None:
        self.run_once(cluster)

    def node_groups(self) -> list[NodeGroup]:
        groups = []
        for mc in sorted(self.arm.list_resources("Microsoft.ContainerService/managedClusters"), key=lambda c: c["id"]):
            for pool in sorted(self.arm.list_resources(AP_TYPE, mc["id"]), key=lambda p: p["name"]):
                props = pool.get("properties") or {}
                if props.get("enableAutoScaling") and props.get("provisioningState") == "Succeeded":
                    groups.append(NodeGroup(mc, pool))
        return groups

    def run_once(self, cluster: ClusterState) -> None:
        waiting = []
        for key in sorted(unschedulable_pods(cluster.api).snapshot()):
            ns, _, name = key.partition("/")
            pod = cluster.get("v1", "Pod", ns, name)
            if pod is not None and is_unschedulable(pod):
                waiting.append(pod)
        groups = self.node_groups()
        if not waiting or not groups:
            return  # AKS runs no autoscaler for a cluster without an autoscaling pool
        scheduler = Scheduler(cluster)
        triggered: list[dict[str, Any]] = []
        for pod in waiting:
            spec = pod.get("spec") or {}
            owner = next((r.get("uid", "") for r in pod["metadata"].get("ownerReferences") or []), "")
            if scheduler.place(spec, owner).node is not None:
                continue  # fits a node that exists: the scheduler's to bind
            need = pod_requests(spec)
            reasons: Counter[str] = Counter()
            for group in groups:
                failed, _ = fit_reasons(spec, need, group.template, Counter)
                if failed:
                    reasons.update(failed)
                    continue
                if group.fits_new(need):
                    break
                if group.count + len(group.adding) >= group.max:
                    reasons[MAX_REACHED] += 1
                    continue
                group.adding.append(Counter())
                group.fits_new(need)
                break
            else:
                message = "pod didn't trigger scale-up: " + ", ".join(
                    f"{count} {reason}" for reason, count in sorted(reasons.items())
                )
                self._tell(cluster, pod, "NotTriggerScaleUp", message)
                continue
            triggered.append(pod)
        grown = [g for g in groups if g.adding]
        if not grown:
            return
        infos = []
        for group in grown:
            new = group.count + len(group.adding)
            infos.append(f"{{{group.id} {group.count}->{new} (max: {group.max})}}")
            self._grow(cluster, group, new)
        message = f"pod triggered scale-up: [{' '.join(infos)}]"
        for pod in triggered:
            self._tell(cluster, pod, "TriggeredScaleUp", message)

    def _drop_nodes(self, cluster: ClusterState, pool_id: str) -> None:
        """A deleted pool's scale set goes with its VMs, so the nodes this autoscaler made leave
        the cluster (upstream: MicrosoftDocs/azure-aks-docs articles/aks/manage-node-pools.md,
        Delete a node pool)."""
        cluster_id, name = re.split(r"/agentpools/", pool_id, maxsplit=1, flags=re.I)
        prefix = scale_set_name(cluster_id, name)
        for node in cluster.list("v1", "Node", label_selector=f"kubernetes.azure.com/agentpool={name}"):
            if node["metadata"]["name"].startswith(prefix):
                cluster.delete("v1", "Node", None, node["metadata"]["name"])

    def _tell(self, cluster: ClusterState, pod: dict[str, Any], reason: str, message: str) -> None:
        key = (str(pod["metadata"].get("uid")), message)
        if key in self._told:
            return
        self._told.add(key)
        cluster.add_event(pod, reason, message)

    def _grow(self, cluster: ClusterState, group: NodeGroup, new: int) -> None:
        pool_id, cluster_id, name = str(group.pool["id"]), str(group.cluster["id"]), str(group.pool["name"])
        self.arm.update_resource(pool_id, lambda o: o["properties"].update(count=new))

        def profile(c: dict[str, Any]) -> None:
            for p in c["properties"].get("agentPoolProfiles") or []:
                if str(p.get("name", "")).lower() == name.lower():
                    p["count"] = new

        self.arm.update_resource(cluster_id, profile)
        self.scale_ups.append((group.id, group.count, new))
        if self.boot > 0 and self._manager is not None:
            self._manager.call_later(self, lambda c: self._add_nodes(c, group, new), self.boot)
        else:
            self._add_nodes(cluster, group, new)

    def _add_nodes(self, cluster: ClusterState, group: NodeGroup, new: int) -> None:
        name = str(group.pool["name"])
        taken = {
            n["metadata"]["name"]
            for n in cluster.list("v1", "Node", label_selector=f"kubernetes.azure.com/agentpool={name}")
        }
        index = 0
        for _ in range(new - group.count):
            while f"{group.id}{instance_suffix(index)}" in taken:
                index += 1
            node_name = f"{group.id}{instance_suffix(index)}"
            taken.add(node_name)
            cluster.create(template_node(group.cluster, group.pool, node_name))
