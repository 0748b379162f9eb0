"""AKS's cluster autoscaler in the lab: it links the ARM emulator's agent pools to the Kubernetes
emulator's nodes.

On AKS an agent pool with ``enableAutoScaling``, ``minCount`` and ``maxCount`` is grown by the
cluster autoscaler when a pod is unschedulable and a node of that pool would fit it. Here, on a
pod the scheduler leaves Pending (tests/emulators/kube/controllers/rescheduling.py keeps those
from pod events) or a pool written through ARM, one pass:

1. drops the pods that fit a node that exists now or an upcoming one (a pool's ARM ``count``
   less its registered nodes: a node still booting), packed in priority order, as
   cluster-autoscaler does (upstream: kubernetes/autoscaler cluster-autoscaler-release-1.34,
   d63eaf8b, cluster-autoscaler/core/static_autoscaler.go addUpcomingNodesToClusterSnapshot,
   core/podlistprocessor/filter_out_schedulable.go; every path below is in that repository;
   filter_out_schedulable.go was read on master, read 2026-12);
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
3. runs one scale-up as core/scaleup/orchestrator/orchestrator.go ScaleUp does: a group at its
   max size is skipped ("max node group size reached", skippedreasons.go) before any pod is
   checked against it; each other group's template is checked with the scheduler's own
   filters (SchedulablePodGroups) and the pods that fit are packed into new nodes, no more than
   the group's room (estimator/binpacking_estimator.go, sng_capacity_threshold.go); the
   expander picks one option at random, seeded (AKS's default expander, see ``seed``);
4. raises the chosen ARM pool's ``count`` (and the cluster's agentPoolProfiles entry) and
   creates the new nodes Ready ``boot`` seconds later, named as AKS names VMSS instances:
   ``aks-<pool>-<8 digits>-vmss`` and the instance id in 6 base-36 digits (the scale set is
   the node group; its name is the group id);
5. records cluster-autoscaler's events on the pods (upstream:
   cluster-autoscaler/processors/status/eventing_scale_up_processor.go): ``TriggeredScaleUp``
   "pod triggered scale-up: [{<group> <current>-><new> (max: <max>)}]" (nodegroupset
   ScaleUpInfo.String) on the chosen option's pods, and only in a loop without a scale-up,
   ``NotTriggerScaleUp`` "pod didn't trigger scale-up: <count> <reason>, ..." on the pods no
   group fits (ReasonsMessage: each group's reasons counted, no group named; upstream's map
   order is random, here sorted), once per pod and message (the recorder folds repeats).

A pass runs when a pod starts waiting, an autoscaling pool is written through ARM, and when a
node joins or changes while pods wait (upstream loops every 10 s). With ``unneeded`` set, an
empty node of an autoscaling pool above its minCount is removed that many seconds after its last
pod left (see ``_scale_down``). The new nodes' events wake the Rescheduler, which binds the pods.
Not modelled: scale-down of a node whose pods would have to move, node group balancing,
``max-nodes-total``, ResourceQuota on cores, backoff after a failed scale-up, several ARM
clusters (the lab's kubeconfig points every ARM cluster at the one Kubernetes emulator, so every
autoscaling pool of every lab cluster is a candidate, and a pool's registered nodes are the nodes
with its ``kubernetes.azure.com/agentpool`` label). KAITO's nodes (kube/controllers/
kaito_gpu_provisioner.py) are gpu-provisioner's: they carry their agent pool's labels, but that pool
is not in the ARM emulator, so they are in no node group and count as existing nodes only.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.base import PassController
from tests.emulators.kube.controllers.node_filters import fit_reasons
from tests.emulators.kube.controllers.rescheduling import unschedulable_pods, waiting_pods
from tests.emulators.kube.controllers.scheduling import Scheduler, pod_requests

if TYPE_CHECKING:
    from tests.emulators.kube.controllers.runner import ControllerManager

AP_TYPE = "Microsoft.ContainerService/managedClusters/agentPools"
AP_REGEX = r"Microsoft\.ContainerService/managedClusters/agentPools"
SPOT_LABEL = ("kubernetes.azure.com/scalesetpriority", "spot")
SPOT_TAINT = {"key": "kubernetes.azure.com/scalesetpriority", "value": "spot", "effect": "NoSchedule"}
MAX_REACHED = "max node group size reached"
# upstream: kubernetes/autoscaler cluster-autoscaler-release-1.34 cluster-autoscaler/utils/taints/taints.go
TO_BE_DELETED = "ToBeDeletedByClusterAutoscaler"
TERMINAL = ("Succeeded", "Failed")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_TAINT = re.compile(r"^([^=]+)=(.*):(NoSchedule|NoExecute|PreferNoSchedule)$")


def size_capacity(vm_size: str) -> dict[str, str]:
    """cpu, memory and nvidia.com/gpu of a VM size (GetInstanceTypeStatically's facts): GPU sizes
    from akscli's data file (src/akscli/data/gpu_skus.yaml, from ../shared/data/azure-gpu-skus.csv);
    other sizes' vCPUs from the name and 4 GiB a vCPU, the D-series' ratio (upstream:
    MicrosoftDocs/azure-compute-docs articles/virtual-machines/sizes/general-purpose/ddsv5-series.md,
    Standard_D4ds_v5: 4 vCPUs, 16 GiB)."""
    # data: Azure's SKU facts (tests/foundation/test_emulator_imports); no upstream reading
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
    """One autoscaling agent pool of an ARM cluster: its target size (the ARM ``count``), its
    limits, and how many of its nodes are upcoming (the target less the nodes registered)."""

    def __init__(self, cluster: dict[str, Any], pool: dict[str, Any], registered: int = 0) -> None:
        self.cluster = cluster
        self.pool = pool
        props = pool.get("properties") or {}
        self.count = int(props.get("count") or 0)
        self.min = int(props.get("minCount") or 0)
        self.max = int(props.get("maxCount") or 0)
        self.id = scale_set_name(str(cluster["id"]), str(pool["name"]))
        self.template = template_node(cluster, pool, f"{self.id}-template")
        # upstream: kubernetes/autoscaler cluster-autoscaler-release-1.34
        # cluster-autoscaler/clusterstate/clusterstate.go GetUpcomingNodes: a group's target size
        # less its registered nodes are nodes on their way (a VMSS instance still booting).
        self.upcoming = max(self.count - registered, 0)


def _pack(spec: dict[str, Any], need: Counter[str], template: dict[str, Any], used: Counter[str]) -> bool:
    """Put the pod on a simulated node (an upcoming or a new one, ``used`` its requests so far)
    when the scheduler's filters pass; whether it did."""
    if fit_reasons(spec, need, template, used.copy)[0]:
        return False
    used.update(need)
    used["pods"] += Decimal(1)
    return True


def estimate(group: NodeGroup, pods: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """How many new nodes of the group the pods need, and the pods they take: each pod on the
    first new node it fits, else on another new node, never past the group's room (upstream:
    kubernetes/autoscaler cluster-autoscaler-release-1.34 cluster-autoscaler/estimator/
    binpacking_estimator.go Estimate; sng_capacity_threshold.go NodeLimit: max size less target
    size). A pod past the room is left out: neither event this loop."""
    room = group.max - group.count
    nodes: list[Counter[str]] = []
    taken = []
    for pod in pods:
        spec = pod.get("spec") or {}
        need = pod_requests(spec)
        if any(_pack(spec, need, group.template, used) for used in nodes):
            taken.append(pod)
        elif len(nodes) < room:
            nodes.append(Counter())
            if _pack(spec, need, group.template, nodes[-1]):
                taken.append(pod)
            else:
                nodes.pop()
    return len(nodes), taken


@dataclass
class Plan:
    """One loop's scale-up: ``option`` (group, new nodes, the pods they take) or None, and the
    pods told NotTriggerScaleUp with their messages."""

    option: tuple[NodeGroup, int, list[dict[str, Any]]] | None
    blocked: list[tuple[dict[str, Any], str]]


class ClusterAutoscaler(PassController):
    """See the module docstring. ``arm``: the lab's ArmEmulator."""

    # upstream: kubernetes/autoscaler cluster-autoscaler/main.go createKubeClient: kube_client.NewForConfigOrDie
    # with no UserAgent, so client-go's default, the binary's name (its image runs /cluster-autoscaler).
    field_manager: ClassVar[str | None] = "cluster-autoscaler"

    watches: ClassVar[list[tuple[str, str]]] = []

    def __init__(
        self, arm: Any, delay: float = 0.05, boot: float = 0.0, seed: int = 0, unneeded: float | None = None
    ) -> None:
        super().__init__(delay)
        self.arm = arm
        # Seconds between the scale-up (the pool's count raised, TriggeredScaleUp recorded) and its
        # nodes joining the cluster; 0: at once. On AKS a VMSS instance boots and its kubelet
        # registers minutes after the target size grows; the pod waits meanwhile.
        self.boot = boot
        # AKS's default expander is random (upstream: Azure/azure-rest-api-specs
        # specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/
        # 2025-07-01/managedClusters.json ManagedClusterPropertiesAutoScalerProfile.expander "If
        # not specified, the default is 'random'"; kubernetes/autoscaler cluster-autoscaler-
        # release-1.34 cluster-autoscaler/expander/random/random.go BestOption: rand.Int31n over
        # the options). Seeded, so a test's pick is repeatable.
        self.rng = random.Random(seed)
        # Seconds an empty node of an autoscaling pool waits before it is removed (upstream's
        # --scale-down-unneeded-time, 10 min on AKS); None: no scale-down.
        self.unneeded = unneeded
        self._told: set[tuple[str, str]] = set()
        self._index: Any = None
        self.scale_ups: list[tuple[str, int, int]] = []  # (group, from, to), for tests
        self.scale_downs: list[tuple[str, str]] = []  # (group, node), for tests
        self._busy: dict[str, float] = {}

    def attach(self, manager: ControllerManager) -> None:
        self._index = unschedulable_pods(manager.api)
        self._index.changed.append(self._on_change)
        # A pool written through ARM (autoscaling enabled, maxCount raised) is looked at too.
        self.arm.add_hooks(
            AP_REGEX,
            on_put_done=lambda emu, rid, obj: self.queue_pass(),
            on_deleted=lambda emu, rid, obj: manager.call_later(self, lambda c: self._drop_nodes(c, rid), 0),
        )
        if self.unneeded is not None:
            manager.api.listeners.append(self._on_pod_gone)

    def _on_change(self, what: str, obj: dict[str, Any]) -> None:
        # Upstream loops every scan interval (10 s); here a pass runs when a pod starts waiting,
        # and when a node joins or changes while pods wait (the loop after a scale-up sees the
        # group at its new size: a pod left out of it is told why now).
        if what == "pending" or (what == "node" and self._index is not None and self._index.pending):
            self.queue_pass()

    def run_pass(self, cluster: ClusterState) -> None:
        self.run_once(cluster)

    def node_groups(self, cluster: ClusterState | None = None) -> list[NodeGroup]:
        groups = []
        for mc in sorted(self.arm.list_resources("Microsoft.ContainerService/managedClusters"), key=lambda c: c["id"]):
            for pool in sorted(self.arm.list_resources(AP_TYPE, mc["id"]), key=lambda p: p["name"]):
                props = pool.get("properties") or {}
                if props.get("enableAutoScaling") and props.get("provisioningState") == "Succeeded":
                    registered = len(self._pool_nodes(cluster, str(pool["name"]))) if cluster is not None else 0
                    groups.append(NodeGroup(mc, pool, registered))
        return groups

    @staticmethod
    def _pool_nodes(cluster: ClusterState | None, pool: str) -> list[dict[str, Any]]:
        if cluster is None:
            return []
        return list(cluster.list("v1", "Node", label_selector=f"kubernetes.azure.com/agentpool={pool}"))

    def run_once(self, cluster: ClusterState) -> None:
        """One scale-up loop (upstream: kubernetes/autoscaler cluster-autoscaler-release-1.34
        cluster-autoscaler/core/static_autoscaler.go RunOnce, core/scaleup/orchestrator/
        orchestrator.go ScaleUp)."""
        waiting = waiting_pods(cluster)
        groups = self.node_groups(cluster)
        if not waiting or not groups:
            return  # AKS runs no autoscaler for a cluster without an autoscaling pool
        to_help = self._filter_out_schedulable(cluster, waiting, groups)
        if not to_help:
            return
        plan = self.plan(cluster, to_help, groups)
        for pod, message in plan.blocked:
            self._tell(cluster, pod, "NotTriggerScaleUp", message)
        if plan.option is None:
            return
        group, count, taken = plan.option
        new = group.count + count
        self._grow(cluster, group, new)
        message = f"pod triggered scale-up: [{{{group.id} {group.count}->{new} (max: {group.max})}}]"
        for pod in taken:
            self._tell(cluster, pod, "TriggeredScaleUp", message)

    def plan(self, cluster: ClusterState, to_help: list[dict[str, Any]], groups: list[NodeGroup] | None = None) -> Plan:
        """The scale-up for the pods no node fits (ScaleUp): the option the expander picks, or, when
        no group can take any pod, each pod no group fits with its NotTriggerScaleUp message."""
        groups = self.node_groups(cluster) if groups is None else groups
        # filterValidScaleUpNodeGroups: a group at its max size is skipped before any pod is
        # checked against it, so its reason is counted for every pod, fitting or not.
        skipped = Counter(MAX_REACHED for g in groups if g.count >= g.max)
        rejected: dict[str, Counter[str]] = {}
        fits_some: set[str] = set()
        options: list[tuple[NodeGroup, int, list[dict[str, Any]]]] = []
        for group in (g for g in groups if g.count < g.max):
            fitting = []
            for pod in to_help:  # SchedulablePodGroups: the scheduler's filters on the template
                spec = pod.get("spec") or {}
                uid = str(pod["metadata"].get("uid"))
                failed, _ = fit_reasons(spec, pod_requests(spec), group.template, Counter)
                if failed:
                    rejected.setdefault(uid, Counter()).update(set(failed))
                else:
                    fits_some.add(uid)
                    fitting.append(pod)
            count, taken = estimate(group, fitting)
            if count and taken:
                options.append((group, count, taken))
        if options:
            # A loop with a scale-up records no NotTriggerScaleUp (EventingScaleUpStatusProcessor).
            return Plan(options[self.rng.randrange(len(options))], [])
        # ScaleUpNoOptionsAvailable: GetRemainingPods (the pods no valid group fits) get
        # NotTriggerScaleUp with ReasonsMessage; upstream's map order is random, here sorted.
        blocked = []
        for pod in to_help:
            uid = str(pod["metadata"].get("uid"))
            if uid not in fits_some:
                reasons = rejected.get(uid, Counter()) + skipped
                text = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
                blocked.append((pod, f"pod didn't trigger scale-up: {text}"))
        return Plan(None, blocked)

    def _filter_out_schedulable(
        self, cluster: ClusterState, waiting: list[dict[str, Any]], groups: list[NodeGroup]
    ) -> list[dict[str, Any]]:
        """The waiting pods that fit no node, packed in priority order onto the existing nodes and
        the upcoming nodes (one template node per upcoming node), so a pod a booting node will
        take triggers nothing (upstream: kubernetes/autoscaler cluster-autoscaler-release-1.34
        cluster-autoscaler/core/static_autoscaler.go addUpcomingNodesToClusterSnapshot;
        core/podlistprocessor/filter_out_schedulable.go filterOutSchedulableByPacking)."""
        scheduler = Scheduler(cluster)
        upcoming = [(g.template, Counter[str]()) for g in groups for _ in range(g.upcoming)]
        out = []
        for pod in sorted(waiting, key=lambda p: -int((p.get("spec") or {}).get("priority") or 0)):
            spec = pod.get("spec") or {}
            owner = next((r.get("uid", "") for r in pod["metadata"].get("ownerReferences") or []), "")
            if scheduler.place(spec, owner).node is not None:
                continue  # fits a node that exists: the scheduler's to bind
            need = pod_requests(spec)
            if any(_pack(spec, need, template, used) for template, used in upcoming):
                continue  # an upcoming node will take it
            out.append(pod)
        return out

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

    def _set_count(self, group: NodeGroup, new: int) -> None:
        """The scale set's capacity: the ARM pool's count and the cluster's agentPoolProfiles entry."""
        pool_id, cluster_id, name = str(group.pool["id"]), str(group.cluster["id"]), str(group.pool["name"])
        self.arm.update_resource(pool_id, lambda o: o["properties"].update(count=new))

        def profile(c: dict[str, Any]) -> None:
            for p in c["properties"].get("agentPoolProfiles") or []:
                if str(p.get("name", "")).lower() == name.lower():
                    p["count"] = new

        self.arm.update_resource(cluster_id, profile)

    def _grow(self, cluster: ClusterState, group: NodeGroup, new: int) -> None:
        self._set_count(group, new)
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
            self._watch(node_name)

    # Scale-down of empty nodes (upstream: kubernetes/autoscaler cluster-autoscaler-release-1.34
    # cluster-autoscaler/core/scaledown/...). A node is unneeded when its utilization is under
    # --scale-down-utilization-threshold (0.5) and its pods fit elsewhere, for
    # --scale-down-unneeded-time (config/flags/flags.go; 10 min, AKS's default too:
    # MicrosoftDocs/azure-aks-docs articles/aks/cluster-autoscaler.md). Only the empty node is
    # modelled (no pod but DaemonSets' to move): not the drain of a half-used one, nor
    # --scale-down-delay-after-add.

    def _on_pod_gone(self, typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
        if typ == "DELETED" and rt.group == "" and rt.kind == "Pod" and (obj.get("spec") or {}).get("nodeName"):
            self._watch(str(obj["spec"]["nodeName"]))

    def _watch(self, node: str) -> None:
        """Look at the node again ``unneeded`` seconds from its last pod leaving (or joining)."""
        if self.unneeded is None or self._manager is None:
            return
        self._busy[node] = time.monotonic()
        self._manager.call_later(self, lambda c: self._scale_down(c, node), self.unneeded)

    def _scale_down(self, cluster: ClusterState, name: str) -> None:
        assert self.unneeded is not None
        if time.monotonic() - self._busy.get(name, 0.0) < self.unneeded * 0.99:
            return  # a pod left it later: that departure's look decides
        node = cluster.get("v1", "Node", None, name)
        if node is None:
            return
        pool = (node["metadata"].get("labels") or {}).get("kubernetes.azure.com/agentpool", "")
        group = next((g for g in self.node_groups(cluster) if g.pool["name"] == pool and name.startswith(g.id)), None)
        # eligibility.go: a node of a group at its min size is not removed; nor one not in a group.
        if group is None or group.count <= group.min:
            return
        for pod in cluster.list("v1", "Pod"):
            spec, status = pod.get("spec") or {}, pod.get("status") or {}
            owners = {r.get("kind") for r in pod["metadata"].get("ownerReferences") or []}
            if spec.get("nodeName") == name and status.get("phase") not in TERMINAL and "DaemonSet" not in owners:
                return  # not empty
        # actuation/actuator.go: the node is tainted ToBeDeletedByClusterAutoscaler (utils/taints)
        # and told; delete_in_batch.go: the scale set's instance is deleted (the group's target
        # size drops) and the node is told "nodes removed by cluster autoscaler".
        taints = [*((node.get("spec") or {}).get("taints") or []), {"key": TO_BE_DELETED, "effect": "NoSchedule"}]
        cluster.patch("v1", "Node", None, name, {"spec": {"taints": taints}})
        cluster.add_event(node, "ScaleDown", "marked the node as toBeDeleted/unschedulable")
        self._set_count(group, group.count - 1)
        cluster.add_event(node, "ScaleDown", "nodes removed by cluster autoscaler")
        cluster.delete("v1", "Node", None, name)
        self.scale_downs.append((group.id, name))
