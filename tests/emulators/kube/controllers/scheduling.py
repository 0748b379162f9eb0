"""Where the emulator's workload controllers put a new pod: the kube-scheduler's default filters,
so a pod that a real cluster would leave Pending stays Pending here too (a GPU pod without the
toleration for AKS's `sku=gpu:NoSchedule`, a nodeSelector no node has, more GPUs than are free).

Filters, in the order of the default profile (upstream: kubernetes/kubernetes v1.34
pkg/scheduler/apis/config/v1/default_plugins.go), each node stopping at the first that fails
(pkg/scheduler/framework/runtime/framework.go RunFilterPlugins):
- NodeUnschedulable (plugins/nodeunschedulable/node_unschedulable.go): `spec.unschedulable`
  unless the pod tolerates `node.kubernetes.io/unschedulable:NoSchedule`;
  "node(s) were unschedulable".
- TaintToleration (plugins/tainttoleration/taint_toleration.go): every NoSchedule/NoExecute taint
  tolerated (component-helpers scheduling/corev1 FindMatchingUntoleratedTaint), with the
  toleration AKS's ExtendedResourceToleration admission adds per extended resource requested;
  "node(s) had untolerated taint {key: value}".
- NodeAffinity (plugins/nodeaffinity/node_affinity.go): `nodeSelector` and the required node
  affinity terms (ORed terms, ANDed expressions; In, NotIn, Exists, DoesNotExist, Gt, Lt);
  "node(s) didn't match Pod's node affinity/selector".
- NodeResourcesFit (plugins/noderesources/fit.go fitsRequest): the pod's requests against the
  node's allocatable less what bound, non-terminal pods request; "Too many pods",
  "Insufficient <resource>" (one reason per resource short). A pod's requests are
  component-helpers resource/helpers.go PodRequests: containers summed, each init container's
  need (with the restartable sidecars started before it) as a floor, sidecars added, pod-level
  cpu/memory requests in their place where set, overhead added; a limit without a request is
  the request (pkg/apis/core/v1/defaults.go SetDefaults_Pod).
  These four read one pod and one node: they are node_filters.py.

The message is FitError.Error (pkg/scheduler/framework/types.go): "0/N nodes are available:"
then "count reason" sorted, then the preemption PostFilter's words
(pkg/scheduler/framework/preemption/preemption.go): nodes failed as UnschedulableAndUnresolvable
(taints, affinity, unschedulable) are "Preemption is not helpful for scheduling"; nodes short of
resources with no victim to evict are "No preemption victims found for incoming pod".

- NodeVolumeLimits (plugins/nodevolumelimits/csi.go Filter, mirror 113b12c6): the pod's
  persistentVolumeClaim and generic ephemeral volumes (claim `<pod>-<volume>`) and inline
  azureDisk volumes, each counted once by driver/volumeHandle: a bound claim through its PV's
  spec.csi (in-tree azureDisk as disk.csi.azure.com, csi-translation-lib plugins/azure_disk.go),
  an unbound one through its StorageClass's provisioner (getCSIDriverInfoFromSC); against the
  node's CSINode spec.drivers[].allocatable.count, with the volumes of the pods bound to the
  node; "node(s) exceed max volume count". A node without CSINode, a bound pod's claim or a class
  not found: not counted. The new pod's ephemeral claims are its templates (the emulator places a
  pod as it makes it, before its ephemeral volume controller, volume_prebind.py, makes them).

- VolumeBinding (plugins/volumebinding; controllers/volume_binding.py): the new pod's bound
  claims' PVs reach the node (node affinity); its ephemeral claims of a WaitForFirstConsumer class
  bind an Available PV or are provisioned for the node (allowedTopologies, CSIStorageCapacity).
- InterPodAffinity (plugins/interpodaffinity/filtering.go; controllers/pod_affinity.py): the new
  pod's required pod affinity and anti-affinity, and the placed pods' required anti-affinity.

Not modelled: scoring (the emulator spreads a workload's pods over the feasible nodes by how many
of that owner's pods each has, as default PodTopologySpread would by hostname), host ports,
other volume filters, topology spread constraints. On a cluster with no Node objects the
ReplicaSet, StatefulSet and Job controllers' pods and the KubeRay simulator's stay Pending with
NO_NODES (Placement below), as kube-scheduler leaves them (upstream: kubernetes/kubernetes
pkg/scheduler/schedule_one.go schedulePod, ErrNoNodesAvailable).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.daemon_pods import daemon_pod_spec as daemon_pod_spec  # re-exported
from tests.emulators.kube.controllers.node_filters import fit_reasons, node_names
from tests.emulators.kube.controllers.nominator import Nominated
from tests.emulators.kube.controllers.pod_affinity import InterPodAffinity, required_terms
from tests.emulators.kube.controllers.pod_resources import _QUANTITY as _QUANTITY  # re-exported
from tests.emulators.kube.controllers.pod_resources import pod_requests, quantity
from tests.emulators.kube.controllers.volume_binding import (
    assumed,
    binding_reasons,
    prebind_claims,
    prefilter,
    zone_rejects,
)

PAGE = 500


class FilterError(Exception):
    """A filter returned an error status (not Unschedulable): the scheduling attempt ends."""


def _controlled_by(claim: dict[str, Any], uid: str) -> bool:
    """apimachinery metav1 IsControlledBy: the controller ownerReference's uid is ``uid``."""
    for ref in (claim.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return bool(uid) and ref.get("uid") == uid
    return False


# kube-scheduler's answer on a cluster with no Node at all: schedulePod returns ErrNoNodesAvailable
# before any filter runs; schedulingCycle makes it UnschedulableAndUnresolvable (no PostFilter, so no
# preemption) and handleSchedulingFailure writes PodScheduled False, reason Unschedulable, with this
# message, and the FailedScheduling event (upstream: kubernetes/kubernetes pkg/scheduler/schedule_one.go).
NO_NODES = "no nodes available to schedule pods"


@dataclass
class Placement:
    """``node`` None with a ``message``: Pending, FailedScheduling. Both empty: the cluster has
    no Node objects; the pods of the ReplicaSet, StatefulSet and Job controllers
    (pods.PodOwner._make_pod) and of the KubeRay simulator (kuberay/cluster.py) then stay Pending
    with NO_NODES (upstream: kubernetes/kubernetes pkg/scheduler/schedule_one.go,
    ErrNoNodesAvailable)."""

    node: str | None
    message: str = ""
    # The claims VolumeBinding's PreBind waits on before the pod is bound to ``node`` (kubernetes/kubernetes
    # pkg/scheduler/framework/plugins/volumebinding/volume_binding.go PreBind; volume_binding.prebind_claims,
    # and controllers/volume_prebind.py binds it once they are).
    claims: tuple[str, ...] = ()
    # The scheduling cycle the attempt started at (Scheduler.cycle): a pod left Pending is tried again
    # where an event came since (rescheduling.py UnschedulablePods.attempt_failed).
    cycle: int = -1


@dataclass
class Scheduler:
    """One reconcile's view: pods placed during it count against their nodes at once. What is
    bound where is read from the store's index (each pod's nodeName and phase are kept beside
    it), and only the pods of the nodes actually checked are parsed: a 200,000-pod cluster is
    not decoded to place one pod."""

    cluster: ClusterState
    _bound: dict[str, list[Any]] | None = None
    _used: dict[str, Counter[str]] = field(default_factory=dict)
    _owned: Counter[str] = field(default_factory=Counter)
    # Pods placed during this reconcile (not yet in the index read), with their node's name.
    _placed: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    # Of those, the ones with required anti-affinity; and the bound ones read once per Scheduler
    # (a DaemonSet's 1,000 pods are placed in one reconcile: no rescan per pod).
    _placed_anti: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    _bound_anti: list[tuple[dict[str, Any], str]] | None = None
    _namespaces: dict[str, dict[str, str]] | None = None
    _node_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # nominator.py: the room of the pods that preempted (upstream: kubernetes/kubernetes
    # pkg/scheduler/framework/runtime/framework.go addGENominatedPods).
    _nominated: Nominated | None = None
    # The events seen before this view read anything (rescheduling.py UnschedulablePods.moves): the
    # podSchedulingCycle a failed attempt hands back (upstream: kubernetes/kubernetes 003b4460
    # pkg/scheduler/backend/queue/scheduling_queue.go AddUnschedulableIfNotPresent).
    cycle: int = field(init=False, default=-1)

    def __post_init__(self) -> None:
        from tests.emulators.kube.controllers.rescheduling import unschedulable_pods  # it imports this module

        self.cycle = unschedulable_pods(self.cluster.api).moves

    def _pods_by_node(self) -> dict[str, list[Any]]:
        if self._bound is None:
            bound: dict[str, list[Any]] = {}
            after: str | None = None
            while True:
                entries, after, _ = self.cluster.api.store.page("/pods", "", after, 5000, None)
                for entry in entries:
                    node, phase = entry.fields or ("", "")
                    if node and phase not in ("Succeeded", "Failed"):
                        bound.setdefault(node, []).append(entry)
                if after is None:
                    break
            self._bound = bound
        return self._bound

    def _usage_of(self, node: str) -> Counter[str]:
        if node not in self._used:
            used: Counter[str] = Counter()
            for entry in self._pods_by_node().get(node, []):
                need = pod_requests(json.loads(entry.raw).get("spec") or {})
                need["pods"] = Decimal(1)
                used.update(need)
                for uid in entry.owners:
                    self._owned[f"{uid}/{node}"] += 1
            for key, held in list(assumed(self.cluster.api).items()):
                # the pods VolumeBinding's PreBind holds for this node (kubernetes/kubernetes
                # pkg/scheduler/schedule_one.go assume: an assumed pod counts on its node's cache), the
                # same pod by uid (kubernetes/kubernetes pkg/scheduler/framework/types.go GetPodKey: the
                # cache keys a pod by its UID, so a pod made again under the name is another pod)
                pod = self.cluster.get("v1", "Pod", *key.split("/", 1)) if held.node == node else None
                if pod is not None and pod["metadata"].get("uid") == held.uid:
                    need = pod_requests(pod.get("spec") or {})
                    need["pods"] = Decimal(1)
                    used.update(need)
                    for ref in pod["metadata"].get("ownerReferences") or []:
                        self._owned[f"{ref.get('uid')}/{node}"] += 1
            self._used[node] = used
        return self._used[node]

    def _reasons(
        self,
        spec: dict[str, Any],
        need: Counter[str],
        node: dict[str, Any],
        affinity: Callable[[], InterPodAffinity],
        namespace: str = "",
        uid: str = "",
    ) -> tuple[list[str], bool]:
        name = (node.get("metadata") or {}).get("name", "")
        if self._nominated is None:
            self._nominated = Nominated(self.cluster)
        nominated = self._nominated.usage(name, int(spec.get("priority") or 0), uid)
        reasons, resolvable = fit_reasons(spec, need, node, lambda: self._usage_of(name) + nominated)
        if not reasons and self._volumes_exceed(spec, node):
            return ["node(s) exceed max volume count"], True  # csi.go: framework.Unschedulable
        if not reasons and (unbound := binding_reasons(self.cluster, spec, node, namespace)):
            return unbound, False  # volume_binding.go Filter: UnschedulableAndUnresolvable, every reason
        if not reasons and zone_rejects(self.cluster, spec, node, namespace):
            # upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/volumezone/volume_zone.go Filter
            return ["node(s) had no available volume zone"], False
        if not reasons and (failed := affinity().reason((node.get("metadata") or {}).get("labels") or {})):
            return [failed[0]], failed[1]
        return reasons, resolvable

    def _inter_pod_affinity(self, pod: dict[str, Any]) -> InterPodAffinity:
        """InterPodAffinity's PreFilter for the new pod. Only pods with required anti-affinity are
        decoded, unless the new pod has required (anti-)affinity of its own (then every placed pod
        is read, as the scheduler reads its whole cache)."""
        every = bool(required_terms(pod, "podAffinity") or required_terms(pod, "podAntiAffinity"))

        def placed() -> list[tuple[dict[str, Any], dict[str, str]]]:
            if every:
                out = [
                    (json.loads(entry.raw), node) for node, entries in self._pods_by_node().items() for entry in entries
                ]
                return [(p, self._labels_of(n)) for p, n in out + self._placed]
            if self._bound_anti is None:
                self._bound_anti = [
                    (json.loads(entry.raw), node)
                    for node, entries in self._pods_by_node().items()
                    for entry in entries
                    if b"podAntiAffinity" in entry.raw
                ]
            return [(p, self._labels_of(n)) for p, n in self._bound_anti + self._placed_anti]

        if self._namespaces is None:
            self._namespaces = {
                ns["metadata"]["name"]: ns["metadata"].get("labels") or {}
                for ns in self.cluster.list("v1", "Namespace")
            }
        return InterPodAffinity(pod, placed, self._namespaces)

    def _record(self, pod: dict[str, Any], node: str) -> None:
        """A pod placed during this reconcile, counted by the next placements' filters."""
        if self._nominated is not None:
            self._nominated.placed(str(pod["metadata"].get("uid") or ""))
        self._placed.append((pod, node))
        if required_terms(pod, "podAntiAffinity"):
            self._placed_anti.append((pod, node))

    def _labels_of(self, node: str) -> dict[str, str]:
        if node not in self._node_labels:
            found = self.cluster.get("v1", "Node", None, node) or {}
            self._node_labels[node] = dict((found.get("metadata") or {}).get("labels") or {})
        return self._node_labels[node]

    def _volume_drivers(
        self, namespace: str, pod_name: str, spec: dict[str, Any], new: bool, has_csinode: bool, owner_uid: str = ""
    ) -> dict[str, str]:
        """driver/volumeHandle -> CSI driver of each volume the pod mounts (csi.go
        filterAttachableVolumes). A new pod's ephemeral claim does not exist yet (the ephemeral
        controller makes it when the pod is made): its template's class names its driver."""
        found: dict[str, str] = {}
        for vol in spec.get("volumes") or []:
            driver: tuple[str, str] | None = None
            if vol.get("azureDisk"):
                # checkAttachableInlineVolume; csi-translation-lib plugins/azure_disk.go.
                driver = ("disk.csi.azure.com", str(vol["azureDisk"].get("diskURI") or "")) if has_csinode else None
            elif vol.get("persistentVolumeClaim") or vol.get("ephemeral"):
                claim = vol["persistentVolumeClaim"].get("claimName", "") if vol.get("persistentVolumeClaim") else ""
                if vol.get("ephemeral"):
                    claim = f"{pod_name}-{vol.get('name')}"  # ephemeral.VolumeClaimName
                pvc = self.cluster.get("v1", "PersistentVolumeClaim", namespace, claim) if namespace else None
                if pvc is None and new and vol.get("ephemeral"):
                    pvc = {"spec": (vol["ephemeral"].get("volumeClaimTemplate") or {}).get("spec") or {}}
                if pvc is None:
                    continue  # a claim of a bound pod that cannot be read is not counted
                if vol.get("ephemeral") and not new and not _controlled_by(pvc, owner_uid):
                    # component-helpers storage/ephemeral VolumeIsForPod; framework.go
                    # RunFilterPlugins wraps the plugin's error.
                    raise FilterError(
                        f'running "NodeVolumeLimits" filter plugin: PVC {namespace}/{claim} was not created '
                        f"for pod {namespace}/{pod_name} (pod is not owner)"
                    )
                driver = self._claim_driver(f"{namespace}/{claim}", pvc, has_csinode)
            if driver and driver[0] and driver[1]:
                found[f"{driver[0]}/{driver[1]}"] = driver[0]
        return found

    def _claim_driver(self, key: str, pvc: dict[str, Any], has_csinode: bool) -> tuple[str, str] | None:
        """csi.go getCSIDriverInfo: a bound claim's PV (spec.csi, or in-tree azureDisk translated
        where CSI migration is on: utils.go isCSIMigrationOn, on for Azure Disk with a CSINode);
        an unbound claim, or one whose PV is not found, through its class (getCSIDriverInfoFromSC,
        the class by GetPersistentVolumeClaimClass: beta annotation first)."""
        bound = (pvc.get("spec") or {}).get("volumeName")
        pv = self.cluster.get("v1", "PersistentVolume", None, bound) if bound else None
        if pv is not None:
            source = pv.get("spec") or {}
            if source.get("csi"):
                return str(source["csi"].get("driver") or ""), str(source["csi"].get("volumeHandle") or "")
            if source.get("azureDisk") and has_csinode:
                return "disk.csi.azure.com", str(source["azureDisk"].get("diskURI") or "")
            return None
        annotations = (pvc.get("metadata") or {}).get("annotations") or {}
        cls = annotations.get(
            "volume.beta.kubernetes.io/storage-class", (pvc.get("spec") or {}).get("storageClassName")
        )
        sc = self.cluster.get("storage.k8s.io/v1", "StorageClass", None, cls) if cls else None
        provisioner = str((sc or {}).get("provisioner") or "")
        if provisioner == "kubernetes.io/azure-disk":
            provisioner = "disk.csi.azure.com" if has_csinode else ""
        return (provisioner, f"unbound:{key}") if provisioner else None

    def _volumes_exceed(self, spec: dict[str, Any], node: dict[str, Any]) -> bool:
        node_name = (node.get("metadata") or {}).get("name", "")
        found = self.cluster.get("storage.k8s.io/v1", "CSINode", None, node_name)
        new = self._volume_drivers("", "", spec, new=True, has_csinode=found is not None)
        if not new:
            return False
        # csi.go getVolumeLimits: the node's allocatable attachable-volumes-*, each overridden by
        # the CSINode driver's count under its key (pkg/volume/util attach_limit.go
        # GetCSIAttachLimitKey; the test drivers' names are short, so no hashed key). A node with
        # no limit passes before its pods' volumes are read.
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        limits = {k: int(quantity(v)) for k, v in allocatable.items() if k.startswith("attachable-volumes-")}
        for d in ((found or {}).get("spec") or {}).get("drivers") or []:
            if (d.get("allocatable") or {}).get("count") is not None:
                limits[f"attachable-volumes-csi-{d['name']}"] = int(d["allocatable"]["count"])
        if not limits:
            return False
        attached: dict[str, str] = {}
        for entry in self._pods_by_node().get(node_name, []):
            pod = json.loads(entry.raw)
            md = pod.get("metadata") or {}
            attached.update(
                self._volume_drivers(
                    md.get("namespace", ""),
                    md.get("name", ""),
                    pod.get("spec") or {},
                    new=False,
                    has_csinode=found is not None,
                    owner_uid=md.get("uid", ""),
                )
            )
        count = Counter(f"attachable-volumes-csi-{d}" for d in attached.values())
        adding = Counter(f"attachable-volumes-csi-{d}" for unique, d in new.items() if unique not in attached)
        return any(k in limits and count[k] + n > limits[k] for k, n in adding.items())

    def _place_on_named(
        self,
        spec: dict[str, Any],
        need: Counter[str],
        names: set[str],
        affinity: Callable[[], InterPodAffinity],
        pod: dict[str, Any],
    ) -> Placement:
        """The filters on the nodes NodeAffinity's PreFilter named, and no others: the rest count
        as "node(s) didn't satisfy plugin(s) [NodeAffinity]", UnschedulableAndUnresolvable
        (upstream: kubernetes/kubernetes pkg/scheduler/schedule_one.go findNodesThatFitPod,
        SetAbsentNodesStatus; pkg/scheduler/framework/types.go FitError.Error adds the absent
        nodes' reason NumAllNodes - NodeToStatus.Len() times)."""
        namespace, uid = str(pod["metadata"].get("namespace") or ""), str(pod["metadata"].get("uid") or "")
        total = self.cluster.api.store.count("/nodes")
        if total == 0:
            return Placement(None)
        failures: Counter[str] = Counter()
        checked = victims = not_helpful = 0
        for name in sorted(names):
            node = self.cluster.get("v1", "Node", None, name)
            if node is None:
                continue  # PreRes may name a node that does not exist: not in the snapshot
            checked += 1
            try:
                reasons, resolvable = self._reasons(spec, need, node, affinity, namespace, uid)
            except FilterError as error:
                return Placement(None, str(error))
            if not reasons:
                placed = Counter(need)
                placed["pods"] = Decimal(1)
                self._usage_of(name).update(placed)
                self._record(pod, name)
                return Placement(name, claims=self._prebind(spec, pod))
            failures.update(reasons)
            victims += resolvable
            not_helpful += not resolvable
        if total > checked:
            failures[f"node(s) didn't satisfy plugin(s) [{NODE_AFFINITY}]"] += total - checked
            not_helpful += total - checked
        return Placement(None, _fit_error(total, failures, not_helpful, victims))

    def _prebind(self, spec: dict[str, Any], pod: dict[str, Any]) -> tuple[str, ...]:
        namespace = str(pod["metadata"].get("namespace") or "")
        return tuple(prebind_claims(self.cluster, spec, namespace, pod["metadata"]))

    def place(self, spec: dict[str, Any], owner_uid: str = "", meta: dict[str, Any] | None = None) -> Placement:
        """The node for a new pod with ``spec`` (and ``meta``, its namespace and labels, which
        InterPodAffinity reads), or None and the FailedScheduling message; with the attempt's cycle."""
        placement = self._place(spec, owner_uid, meta)
        placement.cycle = self.cycle
        return placement

    def _place(self, spec: dict[str, Any], owner_uid: str, meta: dict[str, Any] | None) -> Placement:
        need = pod_requests(spec)
        pod = {"metadata": dict(meta or {}), "spec": spec}
        prefiltered: list[InterPodAffinity] = []

        def affinity() -> InterPodAffinity:
            if not prefiltered:
                prefiltered.append(self._inter_pod_affinity(pod))
            return prefiltered[0]

        if held := prefilter(self.cluster, spec, str(pod["metadata"].get("namespace") or ""), pod["metadata"]):
            # schedule_one.go findNodesThatFitPod: a PreFilter's rejection holds the pod on every
            # node; every node is then UnschedulableAndUnresolvable for preemption.
            total, cursor = 0, None
            while True:  # counted from the store's index, no node decoded
                entries, cursor, _ = self.cluster.api.store.page("/nodes", "", cursor, PAGE, None)
                total += len(entries)
                if cursor is None:
                    break
            if total:
                return Placement(
                    None,
                    f"0/{total} nodes are available: {held}. preemption: 0/{total} nodes are available: "
                    f"{total} Preemption is not helpful for scheduling.",
                )
        uid = str(pod["metadata"].get("uid") or "")
        names = node_names(spec)
        if names:  # after every PreFilter passed (framework.go RunPreFilterPlugins merges their results)
            return self._place_on_named(spec, need, names, affinity, pod)
        feasible: list[str] = []
        failures: Counter[str] = Counter()
        not_helpful = victims = total = 0
        after: str | None = None
        while True:
            entries, after, _ = self.cluster.api.store.page("/nodes", "", after, PAGE, None)
            for entry in entries:
                node = json.loads(entry.raw)
                total += 1
                try:
                    reasons, resolvable = self._reasons(
                        spec, need, node, affinity, str(pod["metadata"].get("namespace") or ""), uid
                    )
                except FilterError as error:
                    # schedule_one.go findNodesThatPassFilters: a filter's error ends the attempt
                    # (SendErrorWithCancel), whatever the other nodes say; the event is its text.
                    return Placement(None, str(error))
                if not reasons:
                    feasible.append(node["metadata"]["name"])
                    continue
                failures.update(reasons)
                if resolvable:
                    victims += 1
                else:
                    not_helpful += 1
            # minFeasibleNodesToFind (pkg/scheduler/schedule_one.go): a large cluster is searched
            # until 100 fitting nodes are found, not to its end.
            if after is None or len(feasible) >= 100:
                break
        if total == 0:
            return Placement(None)
        if feasible:
            name = min(feasible, key=lambda n: self._owned[f"{owner_uid}/{n}"])
            self._owned[f"{owner_uid}/{name}"] += 1
            placed = Counter(need)
            placed["pods"] = Decimal(1)
            self._usage_of(name).update(placed)
            self._record(pod, name)
            return Placement(name, claims=self._prebind(spec, pod))
        return Placement(None, _fit_error(total, failures, not_helpful, victims))


def _fit_error(total: int, failures: Counter[str], not_helpful: int, victims: int) -> str:
    """FitError.Error with the preemption PostFilter's words (see the module docstring)."""
    histogram = ", ".join(sorted(f"{count} {reason}" for reason, count in failures.items()))
    post = []
    if not_helpful:
        post.append(f"{not_helpful} Preemption is not helpful for scheduling")
    if victims:
        post.append(f"{victims} No preemption victims found for incoming pod")
    return (
        f"0/{total} nodes are available: {histogram}. preemption: 0/{total} nodes are available: "
        f"{', '.join(sorted(post))}."
    )


NODE_AFFINITY = "NodeAffinity"
