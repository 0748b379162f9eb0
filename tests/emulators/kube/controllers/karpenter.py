"""Node auto-provisioning (NAP: Karpenter with the Azure provider) in the kube emulator: a pending pod
that no node fits and that a NodePool admits gets a NodeClaim and a Ready Node.

Upstream files (kubernetes-sigs/karpenter 2266468, Azure/karpenter-provider-azure 352646f):

- Which pods: the pods the scheduler left Pending (tests/emulators/kube/controllers/rescheduling.py
  keeps them from pod events), less those a node that exists fits (upstream: kubernetes-sigs/karpenter
  2266468 pkg/controllers/provisioning/provisioner.go GetPendingPods; the scheduler tries existing
  nodes first, pkg/controllers/provisioning/scheduling/scheduler.go add: existingNodes, then new
  NodeClaims) or a node made earlier in the same pass has room for (scheduler.go addToInflightNode).
- Which NodePool: the NodePools ordered by weight, larger first, equal weights by the name later in
  the alphabet (upstream: kubernetes-sigs/karpenter 2266468 pkg/utils/nodepool/nodepool.go
  OrderByWeight); the first whose template admits the pod: its taints tolerated (scheduler.go
  addToNewNodeClaim, Taints.ToleratesPod; "NAP skips NodePools with taints not tolerated by a pod",
  MicrosoftDocs/azure-aks-docs fb060abe articles/aks/node-auto-provisioning-node-pools.md), its
  requirements compatible with the pod's nodeSelector and required node affinity, checked here
  on the node it would make (pkg/controllers/provisioning/scheduling/nodeclaim.go CanAdd), and an
  instance type within the pool's remaining limits (scheduler.go filterByRemainingResources,
  "all available instance types exceed limits for nodepool"; a limit on nodes counts 1 a node).
  A NodePool that is not Ready makes nothing: its AKSNodeClass missing or not Ready
  (pkg/controllers/nodepool/readiness/controller.go; the conditions in karpenter_status.py).
- Which instance type: the sizes of akscli's GPU data file (src/akscli/data/gpu_skus.yaml, from
  ../shared/data/azure-gpu-skus.csv) the pool's requirements allow, cheapest first
  (kubernetes-sigs/karpenter pkg/cloudprovider/types.go InstanceTypes.OrderByPrice), less those the
  provider has no instance type of: a GPU size Azure/karpenter-provider-azure pkg/utils/supported-gpus.yaml
  lacks (pkg/providers/instancetype/instancetypes.go isUnsupportedGPU) and, for a class of imageFamily
  AzureLinux, one listed for Ubuntu only (instancetypes.go isInstanceTypeSupportedByImageFamily;
  karpenter_sizes.offered and image_family_supports); other sizes are not modelled.
- The NodeClaim: generateName ``<nodepool>-``, owned by the NodePool, labels karpenter.sh/nodepool and
  karpenter.azure.com/aksnodeclass (pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go
  NewNodeClaimTemplate, ToNodeClaim), spec.nodeClassRef and requirements; status nodeName,
  capacity, allocatable and the Launched, Registered, Initialized and Ready conditions
  (pkg/apis/v1/nodeclaim_status.go).
- The Node: named ``aks-<nodeclaim>`` (upstream: Azure/karpenter-provider-azure 352646f
  pkg/providers/instance/vminstance.go GenerateResourceName); labels node.kubernetes.io/instance-type,
  karpenter.sh/capacity-type, karpenter.sh/nodepool and the SKU labels of
  pkg/providers/instancetype/instancetype.go computeRequirements: karpenter.azure.com/sku-name,
  sku-cpu, sku-memory (MiB), sku-family, sku-series, sku-version, sku-gpu-count, sku-gpu-manufacturer
  and sku-gpu-name as
  karpenter_sizes.instance_type_labels derives them (pkg/utils/supported-gpus.yaml and Azure/skewer vmsize.go's
  parse of the size name), with AKS's kubernetes.azure.com/sku-cpu and sku-memory; the pool's
  template labels and taints; capacity from the size and the AKSNodeClass (upstream:
  Azure/karpenter-provider-azure pkg/providers/instancetype computeCapacity: cpu,
  memory, nvidia.com/gpu; ephemeral-storage and pods:
  karpenter_common.node_resources, the provider's ``network_plugin`` and ``network_plugin_mode``).
- The pod made a NodeClaim for gets a Normal ``Nominated`` event "Pod should schedule on:
  nodeclaim/NAME" (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/
  scheduling/events.go NominatePodEvent) and is not given a second NodeClaim while that one exists.
- Offerings: each size is offered in the zones ``zones`` gives it (default 1-3) of ``region`` and in
  the regional offering "0" (a size offered in no zone, ``zones[size] = ()``, has that one only; a
  size in ``not_offered`` has none); a
  node is made in the first zone the pool's requirements admit, zonal before regional, labelled
  topology.kubernetes.io/zone "<region>-<n>" or "0", topology.kubernetes.io/region and
  karpenter.azure.com/placement-scope zonal or regional, kubernetes.azure.com/scalesetpriority and
  priority regular or spot (cloudprovider.go vmInstanceToNodeClaim; Azure/karpenter-provider-azure 352646f
  pkg/providers/instancetype/instancetypes.go instanceTypeZones, createOfferings;
  pkg/utils/zones/zones.go; allocationstrategy/stages/offering_rank.go).
- The NodeClaim lists every size that fits the pod, cheapest first, as one instance-type In
  requirement, and gets the instance-type, capacity-type and zone labels only once launched
  (nodeclaimtemplate.go ToNodeClaim; launch.go PopulateNodeClaimDetails).
- Azure refusing the VM (``failures``, by size and zone, Azure's error codes of
  karpenter_errors.FAILURES; a size in ``quota_reached`` is SKUFamilyQuota): the provider's handler
  marks offerings unavailable for its TTL and gives the reason and message (karpenter_errors.handle,
  pkg/providers/instance/offerings/commonerrorhandlers.go); which failure answers the create and
  which comes later depends on ``provision_mode`` (karpenter_errors.timing). An answer to the create sets Launched
  Unknown with them and the same NodeClaim is launched again with what is still available
  (pkg/controllers/nodeclaim/lifecycle/launch.go launchNodeClaim; pkg/cloudprovider/cloudprovider.go
  resolveInstanceTypes); the regional quota is an InsufficientCapacityError: the NodeClaim is deleted
  with its event and the pod is tried again 10 s on the clock. A failed operation (the allocation
  failures) deletes the launched NodeClaim with a Warning AsyncProvisioningError "Failed to register:
  ..." (cloudprovider.go handleInstancePromise). A NodeClaim with no size left is deleted with a
  Warning InsufficientCapacityError event "NodeClaim NAME event: insufficient capacity, all requested
  instance types were unavailable during launch" (cloudprovider.go Create; launch.go, events.go
  InsufficientCapacityErrorEvent). A marked offering is available again once its TTL has passed on
  the simulator's clock (``now``, moved by ``advance``); 1 h instead of 10 min for a family quota
  of a size in ``quota_zero`` (pkg/cache/unavailableofferings.go). Not modelled: the registration TTL.
- After a NodeClaim is deleted, the pod is looked at again (karpenter's pod controller requeues a
  pending pod every 10 s: pkg/controllers/provisioning/controller.go). A pod no NodePool makes a
  NodeClaim for gets Karpenter's Warning FailedScheduling "Failed to schedule pod, ERROR", source
  ``karpenter``, once in 5 minutes of the clock (events.go PodFailedToScheduleEvent), ERROR as
  karpenter_scheduling.pod_error gives it (no template left, limits, taints, and the requirement
  and resource texts of karpenter_requirements where it can give them).
- The NodePool's status: resources (the sum of its nodes' capacity, with ``nodes``) and nodes
  (pkg/controllers/nodepool/counter/controller.go), and its conditions; the AKSNodeClass's own
  conditions (karpenter_status.py cites both).
- A deleted NodePool's NodeClaims go, and their nodes with them (the garbage collector deletes the
  NodeClaims it owns; their karpenter.sh/termination finalizer holds each while its node is tainted
  and drained through the eviction API, a PodDisruptionBudget holding it, and its instance
  terminated: karpenter_termination, karpenter_drain); so do a NodeClaim or a Node deleted alone.

- Emptiness: lastPodEventTime, the Consolidatable condition consolidateAfter after the last pod event,
  and an empty Consolidatable node deleted within its pool's budget for Empty after the 15 s
  validation, on the simulator's clock (karpenter_emptiness; drift's disruption is karpenter_disruption).

Not modelled: packing several pending pods of one pass into one new node beyond what the node's
capacity holds (each is checked against the nodes made in the pass), the underutilized consolidation
(kubernetes-sigs/karpenter pkg/controllers/disruption/singlenodeconsolidation.go,
multinodeconsolidation.go: a non-empty node replaced by a cheaper one or its pods moved to others),
startupTaints, topology, spot interruption, NodeOverlay. The daemon overhead: karpenter_daemons; the
NodeClaim's launch and its failures: karpenter_launch (upstream: Azure/karpenter-provider-azure
pkg/providers/instance/vminstance.go).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.base import PassController, PassHeld
from tests.emulators.kube.controllers.karpenter_common import (
    CAPACITY_TYPE,
    DEFAULT_ZONES,
    INSTANCE_TYPE,
    NETWORK_PLUGIN,
    NETWORK_PLUGIN_MODE,
    NODECLAIM,
    NODECLASS,
    NODECLASS_LABEL,
    NODEPOOL,
    NODEPOOL_LABEL,
    PLACEMENT_SCOPE,
    REGION_LABEL,
    ZONE_LABEL,
    _capacity_type,
    _price,
    _requirement_admits,
    _template,
    _unless_deleted,
    instance_labels,
    node_resources,
)
from tests.emulators.kube.controllers.karpenter_daemons import overhead
from tests.emulators.kube.controllers.karpenter_disruption import Disruption
from tests.emulators.kube.controllers.karpenter_drift import DriftMarker
from tests.emulators.kube.controllers.karpenter_emptiness import ConsolidatableMarker
from tests.emulators.kube.controllers.karpenter_errors import REGIONAL
from tests.emulators.kube.controllers.karpenter_launch import NodeClaimLauncher
from tests.emulators.kube.controllers.karpenter_requirements import (
    PRIORITIES,
    PRIORITY,
    SCALE_SET_PRIORITY,
    min_values,
    unmet_min_values,
)
from tests.emulators.kube.controllers.karpenter_scheduling import pod_error
from tests.emulators.kube.controllers.karpenter_status import (
    NodeClassCloud,
    node_class_ready,
    nodeclass_conditions,
    nodepool_conditions,
)
from tests.emulators.kube.controllers.karpenter_termination import CONFLICT_REQUEUE, NodeTermination
from tests.emulators.kube.controllers.node_filters import fit_reasons
from tests.emulators.kube.controllers.rescheduling import unschedulable_pods, waiting_pods
from tests.emulators.kube.controllers.scheduling import Scheduler, pod_requests, quantity
from tests.emulators.kube.status import ApiError


class NodeAutoProvisioner(NodeClaimLauncher, PassController):
    """See the module docstring."""

    # kubernetes-sigs/karpenter pkg/operator/operator.go NewOperator: config.UserAgent =
    # "karpenter/<version>" (AppName); Azure/karpenter-provider-azure pkg/operator/operator.go keeps the
    # core's manager config (its own "karpenter-aks/" user agent is on its extra clients only).
    field_manager: ClassVar[str | None] = "karpenter"

    watches: ClassVar[list[tuple[str, str]]] = [NODEPOOL, NODECLASS]

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.provisioned: list[tuple[str, str, str]] = []  # (nodepool, nodeclaim, vm size), for tests
        # Sizes whose subscription family quota is spent: their NodeClaim does not launch (tests set it).
        self.quota_reached: set[str] = set()
        self._nominated: dict[str, str] = {}  # pod uid -> the NodeClaim it was nominated to
        self._failed_at: dict[str, float] = {}  # pod uid -> clock time of its last FailedScheduling
        # The cluster's region and, by size, the ARM zones it is offered in there (tests set them;
        # every size in zones 1-3 unless told).
        self.region = "eastus"
        self.zones: dict[str, tuple[str, ...]] = {}
        # Sizes the region does not offer at all: no offering (the provider lists only the region's
        # SKUs without a location restriction: instancetypes.go List, skewer HasLocationRestriction).
        self.not_offered: set[str] = set()
        # Sizes whose family quota limit is 0 (tests set it, with quota_reached): marked for an hour.
        self.quota_zero: set[str] = set()
        # Offerings a launch failed on, (size, zone label, capacity type), to the clock time they are
        # available again: no NodeClaim picks them before (the provider's UnavailableOfferings cache,
        # Azure/karpenter-provider-azure 352646f pkg/cache/unavailableofferings.go, a go-cache whose
        # entries expire after the TTL they were marked with).
        self.unavailable: dict[tuple[str, str, str], float] = {}
        # kubernetes-sigs/karpenter controllers read an injected clock (clock.Clock in pkg/operator).
        # The simulator's clock, in seconds: a test moves it (``advance``) instead of sleeping; a
        # pass reads one clock (base.PassHeld: a move during a pass counts from the next).
        self._clock = PassHeld()
        # Azure's answer to a VM create, by (size, zone label) or (size, None) for any zone: a code
        # of karpenter_errors.FAILURES (tests set it; ``quota_reached`` is SKUFamilyQuota).
        self.failures: dict[tuple[str, str | None], str] = {}
        # The provider's PROVISION_MODE: when each failure comes (karpenter_errors.timing) and what
        # the Node's kubelet reserves (karpenter_common.kubelet_status); managed NAP's by default.
        self.provision_mode = "bootstrappingclient"
        # A launched NodeClaim's node joins Ready at once, unless a test holds it NotReady (Initialized
        # Unknown) until it calls ``initialize`` (karpenter_launch; upstream kubernetes-sigs/karpenter
        # pkg/controllers/nodeclaim/lifecycle/initialization.go sets Initialized once the node is Ready).
        self.hold_initialization = False
        self.network_plugin, self.network_plugin_mode = NETWORK_PLUGIN, NETWORK_PLUGIN_MODE  # options.go
        self.spot_unavailable_until = -1.0  # LowPriorityQuota: every spot offering (spotKey)
        self._retry_at = -1.0  # no NodeClaim before (an InsufficientCapacityError that marked nothing)
        # What the provider's nodeclass status reconcilers find outside a class: subnets ARM answers
        # 404 for, UseSIG, image families without images, and more (karpenter_status.NodeClassCloud).
        self.cloud = NodeClassCloud()
        self.missing_subnets = self.cloud.missing_subnets
        self.termination = NodeTermination(self)  # a deleted NodeClaim's or Node's finalize
        # a drifted NodeClaim's disruption (kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption)
        self.disruption = Disruption(self, self.termination)
        # the hash annotations and the NodeClaims' Drifted condition (karpenter_drift)
        self.drift = DriftMarker()
        # lastPodEventTime and the Consolidatable condition (karpenter_emptiness)
        self.consolidatable = ConsolidatableMarker(self)

    def attach(self, manager: Any) -> None:
        unschedulable_pods(manager.api).changed.append(self._on_change)
        # the finalize of a deleted NodeClaim or Node (kubernetes-sigs/karpenter 2266468
        # pkg/controllers/nodeclaim/lifecycle/controller.go, pkg/controllers/node/termination/controller.go)
        manager.api.listeners.append(self.termination.on_event)
        manager.api.listeners.append(self.disruption.on_event)  # karpenter_disruption.Disruption.on_event
        manager.api.listeners.append(self.consolidatable.on_event)  # karpenter_emptiness

    def _on_change(self, what: str, obj: dict[str, Any]) -> None:
        if what == "pending":
            self.queue_pass()

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        # A NodePool or an AKSNodeClass written: the class's own conditions (the provider's nodeclass
        # status controller), the pools' conditions, then the pods waiting.
        if obj.get("kind") == "AKSNodeClass" and not obj["metadata"].get("deletionTimestamp"):
            conditions = nodeclass_conditions(obj, self.cloud, now_iso())
            _unless_deleted(lambda: self._conditions_locked(cluster, obj, conditions))
        if obj.get("kind") in ("NodePool", "AKSNodeClass"):  # the hash controllers, then drift.go
            _unless_deleted(lambda: self.drift.on_write(cluster, obj))
        for pool in cluster.list(*NODEPOOL):
            _unless_deleted(lambda p=pool: self._status(cluster, p))
        self.queue_pass()

    def run_pass(self, cluster: ClusterState) -> None:
        _unless_deleted(lambda: self._run_pass(cluster))

    def on_delete(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        if obj.get("kind") == "AKSNodeClass":  # its NodePools' NodeClassReady: NodeClassNotFound
            for pool in cluster.list(*NODEPOOL):
                _unless_deleted(lambda p=pool: self._status(cluster, p))
        # A NodePool's NodeClaims: the garbage collector deletes them (their owner reference,
        # kubernetes-sigs/karpenter 2266468 nodeclaimtemplate.go ToNodeClaim); karpenter_termination
        # finalizes each.

    def _class(self, cluster: ClusterState, pool: dict[str, Any]) -> dict[str, Any] | None:
        ref = _template(pool)[1].get("nodeClassRef") or {}
        return cluster.get(*NODECLASS, None, str(ref.get("name") or ""))

    def _ready_class(self, cluster: ClusterState, pool: dict[str, Any]) -> bool:
        """The provisioner skips a NodePool that is not Ready (upstream: kubernetes-sigs/karpenter
        2266468 pkg/controllers/provisioning/provisioner.go NewScheduler, "ignoring nodepool, not
        ready"): its NodeClassReady follows its AKSNodeClass (karpenter_status.node_class_ready)."""
        return node_class_ready(self._class(cluster, pool))["status"] == "True"

    def _nodes(self, cluster: ClusterState, name: str) -> list[dict[str, Any]]:
        return list(cluster.list("v1", "Node", label_selector=f"{NODEPOOL_LABEL}={name}"))

    def _used(self, cluster: ClusterState, name: str) -> Counter[str]:
        used: Counter[str] = Counter()
        for node in self._nodes(cluster, name):
            for key, value in ((node.get("status") or {}).get("capacity") or {}).items():
                used[key] += quantity(value)
            used["nodes"] += 1
        return used

    def _status(self, cluster: ClusterState, pool: dict[str, Any]) -> None:
        """The NodePool's readiness controller (its conditions, as ``_conditions_locked`` writes them),
        then its counter controller: resources and nodes as a plain Status().Patch with
        client.MergeFrom(stored), only what changed and no resourceVersion, so it never conflicts and
        never carries the condition list (upstream: kubernetes-sigs/karpenter 2266468
        pkg/controllers/nodepool/counter/controller.go Reconcile)."""
        name = pool["metadata"]["name"]
        used = self._used(cluster, name)
        conditions = nodepool_conditions(pool, self._class(cluster, pool), now_iso())
        if not self._conditions_locked(cluster, pool, conditions):
            return
        resources = {k: str(int(v)) for k, v in sorted(used.items()) if k != "nodes"}
        resources["nodes"] = str(int(used["nodes"]))
        cluster.patch_status_from(
            pool, {**(pool.get("status") or {}), "resources": resources, "nodes": int(used["nodes"])}, lock=False
        )

    def _conditions_locked(self, cluster: ClusterState, obj: dict[str, Any], conditions: list[dict[str, Any]]) -> bool:
        """A NodePool's readiness controller or an AKSNodeClass's status controller: the conditions set
        on the object as read (other writers' condition types kept: karpenter_status.with_root), sent as
        Status().Patch with client.MergeFromWithOptimisticLock, which is 409 where another writer came
        between (a merge patch replaces the list whole). On a 409 nothing more is written and the object
        is requeued, read again and its conditions computed again: False; True once written or where
        nothing changed. ``obj`` takes the answer, as the client fills the object it was given.
        Upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/nodepool/readiness/controller.go
        Reconcile (Requeue: true on IsConflict), Azure/karpenter-provider-azure 352646f
        pkg/controllers/nodeclass/status/controller.go Reconcile (the error returned: requeued by the
        rate limiter)."""
        try:
            written = cluster.patch_status_from(obj, {**(obj.get("status") or {}), "conditions": conditions}, lock=True)
        except ApiError as exc:
            if exc.reason != "Conflict":
                raise
            self.requeue(obj, CONFLICT_REQUEUE)
            return False
        if written is not None:
            obj.clear()
            obj.update(written)
        return True

    def _pools(self, cluster: ClusterState) -> list[dict[str, Any]]:
        pools = [p for p in cluster.list(*NODEPOOL) if not p["metadata"].get("deletionTimestamp")]
        pools.sort(key=lambda p: p["metadata"]["name"], reverse=True)
        pools.sort(key=lambda p: int((p.get("spec") or {}).get("weight") or 0), reverse=True)
        return pools

    @property
    def _network(self) -> tuple[str, str]:
        return self.network_plugin, self.network_plugin_mode

    @property
    def now(self) -> float:
        return self._clock.read()

    @now.setter
    def now(self, seconds: float) -> None:
        self._clock.value = seconds

    def clocks(self) -> tuple[PassHeld, ...]:
        """Every Karpenter pass (provisioning, disruption, termination, their queues) runs as this
        controller's, so the runner's one hold (Controller.held) makes each read the clock as it was
        when the pass started (emulator structure, no upstream behaviour; kubernetes-sigs/karpenter's
        controllers read the injected clock.Clock, pkg/operator/operator.go)."""
        return (*super().clocks(), self._clock)

    def advance(self, seconds: float) -> None:
        """Move the simulator's clock on, then run a pass: an offering whose TTL has passed is
        available again (go-cache evicts it; its OnEvicted bumps the cache's seqNum, so the provider
        lists the instance type's offering as available, pkg/cache/unavailableofferings.go), and
        Karpenter's provisioner, which batches pending pods again and again, tries the pods
        still waiting."""
        self._clock.value += seconds
        self.queue_pass()
        self.consolidatable.recheck()  # consolidateAfter's requeues (karpenter_emptiness)
        self.disruption.queue(0.0)  # a validation waiting on the clock (karpenter_emptiness)

    def is_unavailable(self, offering: tuple[str, str, str]) -> bool:
        """The offering is marked and its TTL has not passed (go-cache Get misses an expired item)."""
        until = self.unavailable.get(offering)
        if offering[2] == "spot" and self.now < self.spot_unavailable_until:
            return True  # pkg/cache/unavailableofferings.go IsUnavailable: spotKey first
        return until is not None and self.now < until

    def offering_zones(self, size: str) -> list[str]:
        """The zone labels of the size's offerings in the region, zonal first (upstream:
        Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetypes.go
        instanceTypeZones and createOfferings: "<region>-<zone>" for each zone the size is offered
        in (pkg/utils/zones/zones.go), and the regional offering "0" for every size, the only one
        of a size offered in no zone (``zones[size] = ()``); pkg/providers/allocationstrategy/stages/
        offering_rank.go prefers zonal over regional at an equal price)."""
        if size in self.not_offered:
            return []
        return [f"{self.region}-{z}" for z in sorted(self.zones.get(size, DEFAULT_ZONES))] + [REGIONAL]

    def _candidates(
        self,
        cluster: ClusterState,
        pool: dict[str, Any],
        capacity_type: str,
        sizes: list[str] | None = None,
        within_limits: bool = True,
    ) -> list[dict[str, Any]]:
        """The template nodes the pool may make, cheapest first, within its limits: one per size, in
        the first zone whose offering is available and admitted by the pool's requirements
        (upstream: createOfferings sets Available from the UnavailableOfferings cache; karpenter-
        provider-azure picks a zone among the admitted ones at random, pkg/providers/instance/
        vminstance.go createVirtualMachine; the simulator takes the first, to be repeatable)."""
        from akscli.model import skus  # Azure's GPU SKU catalogue: data (karpenter_sizes' docstring)
        from tests.emulators.kube.controllers.karpenter_sizes import image_family_supports, offered

        meta, spec = _template(pool)
        limits = (pool.get("spec") or {}).get("limits") or {}
        used = self._used(cluster, pool["metadata"]["name"])
        ref = spec.get("nodeClassRef") or {}
        out = []
        # The provider's instance types: no size it drops (offered: a GPU size
        # Azure/karpenter-provider-azure pkg/utils/supported-gpus.yaml lacks,
        # pkg/providers/instancetype/instancetypes.go isUnsupportedGPU) and none the class's
        # imageFamily does not support (isInstanceTypeSupportedByImageFamily); karpenter_sizes cites both.
        family = str(((self._class(cluster, pool) or {}).get("spec") or {}).get("imageFamily") or "Ubuntu")
        every = sorted(
            {s.vm_size for s in skus.all_skus() if offered(s.vm_size) and image_family_supports(s.vm_size, family)},
            key=lambda s: (_price(s), s),
        )
        for size in [s for s in every if sizes is None or s in sizes]:
            labels: dict[str, str] = {}
            for zone in self.offering_zones(size):
                if self.is_unavailable((size, zone, capacity_type)):
                    continue
                offered = {
                    **instance_labels(size),
                    **{str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
                    CAPACITY_TYPE: capacity_type,
                    NODEPOOL_LABEL: pool["metadata"]["name"],
                    NODECLASS_LABEL: str(ref.get("name") or ""),
                    REGION_LABEL: self.region,
                    ZONE_LABEL: zone,
                    # pkg/utils/zones/zones.go PlacementScopeForZone, on the node: vminstance.go
                    # getLaunchTemplate, cloudprovider.go vmInstanceToNodeClaim.
                    PLACEMENT_SCOPE: "regional" if zone == REGIONAL else "zonal",
                    # cloudprovider.go vmInstanceToNodeClaim: the capacity type in AKS's words.
                    SCALE_SET_PRIORITY: PRIORITIES[capacity_type],
                    PRIORITY: PRIORITIES[capacity_type],
                }
                if all(_requirement_admits(r, offered) for r in spec.get("requirements") or []):
                    labels = offered
                    break
            if not labels:
                continue
            # Karpenter's capacity and allocatable of the size (karpenter_common.node_resources).
            capacity, allocatable = node_resources(size, self._class(cluster, pool), *self._network)
            exceeds = any(
                used[key] + (1 if key == "nodes" else quantity(capacity.get(key, "0"))) > quantity(limit)
                for key, limit in limits.items()
            )
            if exceeds and within_limits:
                continue
            taints = [dict(t) for t in spec.get("taints") or []]
            out.append(
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {"name": "", "labels": labels},
                    "spec": {"taints": taints} if taints else {},
                    "status": {"capacity": capacity, "allocatable": allocatable},
                }
            )
        return out

    def _run_pass(self, cluster: ClusterState) -> None:
        waiting = waiting_pods(cluster)
        if not waiting:
            return
        scheduler = Scheduler(cluster)
        made: list[tuple[dict[str, Any], Counter[str]]] = []
        for pod in sorted(waiting, key=lambda p: -int((p.get("spec") or {}).get("priority") or 0)):
            spec = pod.get("spec") or {}
            owner = next((r.get("uid", "") for r in pod["metadata"].get("ownerReferences") or []), "")
            if scheduler.place(spec, owner).node is not None:
                continue
            need = pod_requests(spec)
            room = next((used for node, used in made if not fit_reasons(spec, need, node, lambda u=used: u)[0]), None)
            if room is not None:
                room.update(need)  # a node made in this pass takes it (addToInflightNode)
                room["pods"] += 1
                continue
            uid = str(pod["metadata"].get("uid", ""))
            nominated = cluster.get(*NODECLAIM, None, self._nominated.get(uid, ""))
            if nominated is not None and not nominated["metadata"].get("deletionTimestamp"):
                # nominated to a NodeClaim still in flight (not launched yet); one being deleted is
                # no capacity (kubernetes-sigs/karpenter 2266468 provisioner.go Schedule: nodes.Active())
                continue
            if self.now < self._retry_at:
                continue
            made_node, claim = self._provision(cluster, spec, need)
            said = pod_error(self, cluster, spec, need) if claim is None else None
            if said:
                self._failed_to_schedule(cluster, pod, said)
            if claim:
                # upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/
                # scheduling/events.go NominatePodEvent (reason events.Nominated, Normal).
                self._nominated[uid] = claim
                cluster.add_event(pod, "Nominated", f"Pod should schedule on: nodeclaim/{claim}", component="karpenter")
            if made_node is not None:
                made.append((made_node, Counter({**need, "pods": 1}) + overhead(cluster, made_node)))

    def _failed_to_schedule(self, cluster: ClusterState, pod: dict[str, Any], error: str) -> None:
        """Karpenter's own Warning FailedScheduling on the pod, once in 5 minutes of the simulator's
        clock a pod (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/
        scheduling/events.go PodFailedToScheduleEvent, DedupeTimeout 5 min, DedupeValues the pod's
        UID; published by Results.Record, scheduler.go; recorder "karpenter",
        pkg/operator/operator.go)."""
        uid = str(pod["metadata"].get("uid", ""))
        if uid in self._failed_at and self.now - self._failed_at[uid] < 5 * 60:
            return
        self._failed_at[uid] = self.now
        message = f"Failed to schedule pod, {error}"  # karpenter_scheduling.pod_error
        cluster.add_event(pod, "FailedScheduling", message, type="Warning", component="karpenter")

    def _provision(
        self, cluster: ClusterState, spec: dict[str, Any], need: Counter[str]
    ) -> tuple[dict[str, Any] | None, str | None]:
        """(the node made, the NodeClaim's name); (None, name) where its launch failed."""
        found = self.fitting(cluster, spec, need)
        return self._create_claim(cluster, *found) if found else (None, None)

    def fitting(
        self, cluster: ClusterState, spec: dict[str, Any], need: Counter[str]
    ) -> tuple[dict[str, Any], list[dict[str, Any]], str] | None:
        """The first NodePool that can make a node for the pod: (the pool, the template nodes that
        fit, the capacity type); the provisioner's choice, and the disruption simulation's
        (karpenter_disruption.simulate)."""
        for pool in self._pools(cluster):
            if not self._ready_class(cluster, pool):
                continue
            capacity_type = _capacity_type(pool)
            # The pod's requests with the daemon overhead, within allocatable (karpenter_daemons).
            templates = self._candidates(cluster, pool, capacity_type)
            fitting = [t for t in templates if not fit_reasons(spec, need, t, lambda t=t: overhead(cluster, t))[0]]
            sizes = [t["metadata"]["labels"][INSTANCE_TYPE] for t in fitting]
            if fitting and not unmet_min_values(self, sizes, min_values(pool)):  # Strict minValues
                return pool, fitting, capacity_type
        return None
