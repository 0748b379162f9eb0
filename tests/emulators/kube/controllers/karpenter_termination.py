"""Karpenter's termination in the kube emulator: the karpenter.sh/termination finalizer on the
NodeClaims and Nodes it launches holds a deleted one (deletionTimestamp set, `kubectl get` shows it)
while its node drains, and is removed in upstream's order: node drained, volumes detached, instance
terminated, the Node's finalizer removed, then the NodeClaim's. A NodePool's deletion (the garbage
collector deleting its NodeClaims), `kubectl delete nodeclaim` and `kubectl delete node` all take
this one path.

Upstream: kubernetes-sigs/karpenter 2266468
- pkg/apis/v1/labels.go TerminationFinalizer, NodeClaimTerminationTimestampAnnotationKey;
  pkg/apis/v1/nodeclaim_status.go the Drained, VolumesDetached and InstanceTerminating conditions.
- Only what this Karpenter manages (``_managed``; kubernetes-sigs/karpenter):
  pkg/utils/nodeclaim/nodeclaim.go IsManaged (the
  nodeClassRef's group and kind a supported node class's) and pkg/utils/node/node.go IsManaged (the
  node labelled NodeClassLabelKey, karpenter.azure.com/aksnodeclass), the controllers'
  IsManagedPredicateFuncs; KAITO's gpu-provisioner NodeClaims and nodes are left to it.
- pkg/controllers/nodeclaim/lifecycle/controller.go Reconcile adds the finalizer before the launch
  (here the NodeClaim is created with it); registration.go syncNode gives the Node the finalizer and
  an owner reference to its NodeClaim (pkg/utils/nodeclaim/nodeclaim.go UpdateNodeOwnerReferences).
- lifecycle/controller.go finalize: the terminationGracePeriod annotation
  (ensureTerminationGracePeriodTerminationTimeAnnotation: deletionTimestamp + the claim's
  spec.terminationGracePeriod, RFC 3339, with a Warning TerminationGracePeriodExpiring "All pods
  will be deleted by T"); a Registered NodeClaim's nodes (spec.providerID equal to its
  status.providerID: nodeclaim.go AllNodesForNodeClaim) deleted and waited for (the controller
  watches Nodes: a node's removal requeues its NodeClaim); then, with a providerID, the instance
  deleted (cloudProvider.Delete), InstanceTerminating True and a requeue after 5 s
  (``instance_requeue``) until the cloud answers NotFound; then the finalizer removed.
- pkg/controllers/node/termination/controller.go finalize: the node's NodeClaim (by providerID,
  none where two claim it: NodeClaimForNode) deleted; a node not Ready whose instance is gone loses
  the finalizer at once; taint (terminator.Taint); awaitDrain (Drained Unknown "Draining" first,
  the drain of karpenter_drain.py, then MinDrainTime, 5 s, ``min_drain``, since that condition's
  lastTransitionTime, then Drained True); awaitVolumeDetachment (VolumesDetached True: the emulator
  has no VolumeAttachments, so nothing is awaited); awaitInstanceTermination (cloudProvider.Delete,
  InstanceTerminating True, RequeueAfter 5 s until NotFound); the NodeClaim's conditions patched
  after the steps, also when one of them requeues; removeFinalizer; a TerminationGracePeriodExpiring
  event on the node while the claim has the annotation (nodeTerminationTime;
  terminator/events/events.go NodeTerminationGracePeriodExpiring).
- awslabs/operatorpkg 7a13865 status/condition_set.go Set, SetTrue, SetUnknownWithReason: the
  lastTransitionTime kept while the status stays; SetTrue's reason is the condition's type.
- Azure/karpenter-provider-azure 352646f pkg/cloudprovider/cloudprovider.go Delete and
  pkg/providers/instance/vminstance.go Delete: the first call begins the VM's deletion (nil), a
  later one's Get finds it gone (NodeClaimNotFoundError). Here the deletion is done by the next look.

- nodeTerminationTime (kubernetes-sigs/karpenter v1.14.0 1b4b3e8c8, unchanged at 2266468): the
  claim's annotation parsed as RFC 3339 (after the event; unparsable: the reconcile fails, here a
  requeue) and handed to the drain (karpenter_drain.py: the forced deletes past it).

Not modelled: VolumeAttachments (so awaitVolumeDetachment's TerminationGracePeriodElapsed never
shows), observedGeneration on the conditions.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.karpenter_common import NODECLAIM, NODECLASS_LABEL, DueQueue, _unless_deleted
from tests.emulators.kube.controllers.karpenter_drain import Drain
from tests.emulators.kube.status import ApiError

FINALIZER = "karpenter.sh/termination"  # pkg/apis/v1/labels.go TerminationFinalizer
# pkg/apis/v1/labels.go NodeClaimTerminationTimestampAnnotationKey
TERMINATION_TIME = "karpenter.sh/nodeclaim-termination-timestamp"
# Requeue: true after a conflict: controller-runtime's rate limiter starts at 5 ms (kubernetes/kubernetes
# staging/src/k8s.io/client-go/util/workqueue/default_rate_limiters.go DefaultTypedControllerRateLimiter).
CONFLICT_REQUEUE = 0.005


def _conditions(obj: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [dict(c) for c in ((obj or {}).get("status") or {}).get("conditions") or []]


def _get(conditions: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((c for c in conditions if c.get("type") == kind), None)


def _set(conditions: list[dict[str, Any]], kind: str, status: str, reason: str = "", message: str = "") -> None:
    """operatorpkg status/condition_set.go Set: lastTransitionTime kept while the status stays."""
    old = _get(conditions, kind)
    when = old["lastTransitionTime"] if old is not None and old.get("status") == status else now_iso()
    new = {"type": kind, "status": status, "lastTransitionTime": when, "reason": reason or kind, "message": message}
    if old is None:
        conditions.append(new)
    else:
        conditions[conditions.index(old)] = new


def _deleting(obj: dict[str, Any]) -> bool:
    md = obj["metadata"]
    return bool(md.get("deletionTimestamp")) and FINALIZER in (md.get("finalizers") or [])


def _epoch(stamp: str) -> float:
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC).timestamp()


# Go's time.RFC3339 layout "2006-01-02T15:04:05Z07:00" as time.Parse reads it (golang/go 1e0d7318
# src/time/format_rfc3339.go parseRFC3339, its fast path; the layout parse it falls back to refuses
# these too): seconds required, an optional fraction, then Z or an offset with its colon. Python's
# fromisoformat alone also takes "+0200", "T10:00Z" and "20261206T100000Z", which Go refuses.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def termination_time(text: str) -> datetime.datetime | None:
    """controller.go nodeTerminationTime: time.Parse(time.RFC3339, the annotation); None where it
    does not parse (upstream's "parsing annotation" error)."""
    if not _RFC3339.fullmatch(text):
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:  # a field out of range (month 13)
        return None


def _seconds(duration: str) -> float:
    """A metav1.Duration's Go text (time.ParseDuration: h, m, s units, as the CRD's pattern allows)."""
    total, number = 0.0, ""
    for ch in duration:
        if ch.isdigit() or ch == ".":
            number += ch
            continue
        total += float(number or 0) * {"h": 3600, "m": 60, "s": 1}[ch]
        number = ""
    return total


def _managed(kind: str, obj: dict[str, Any]) -> bool:
    """Whether this Karpenter (NAP, the AKSNodeClass provider) manages the object: a NodeClaim whose
    nodeClassRef is an AKSNodeClass (pkg/utils/nodeclaim/nodeclaim.go IsManaged), a Node labelled
    karpenter.azure.com/aksnodeclass (pkg/utils/node/node.go IsManaged, NodeClassLabelKey; the
    controllers' IsManagedPredicateFuncs). KAITO's gpu-provisioner NodeClaims (nodeClassRef
    kaito.sh/KaitoNodeClass) and their nodes are another Karpenter's (kaito_gpu_provisioner.py)."""
    if kind == "Node":
        return NODECLASS_LABEL in ((obj.get("metadata") or {}).get("labels") or {})
    ref = (obj.get("spec") or {}).get("nodeClassRef") or {}
    return ref.get("group", "karpenter.azure.com") == "karpenter.azure.com"


class NodeTermination(Drain):
    """The NodeClaim lifecycle controller's and the node termination controller's finalize."""

    def __init__(self, controller: Any) -> None:
        super().__init__(controller)
        self.min_drain = 5.0  # node/termination/controller.go MinDrainTime (tests shorten it)
        self.instance_requeue = 5.0  # awaitInstanceTermination's and finalize's RequeueAfter (tests shorten it)
        self.deleted_instances: set[str] = set()  # provider IDs the cloud was told to delete
        # (kind, name) reconciles, each due once (upstream: kubernetes/kubernetes
        # staging/src/k8s.io/client-go/util/workqueue/delaying_queue.go AddAfter; see DueQueue)
        self._queue = DueQueue(controller, self._run)

    # ---- the watches ---------------------------------------------------------------------

    def on_event(self, typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
        """An API event (called under the store's lock: only queues). Both controllers reconcile an
        object whose deletion the finalizer holds; the lifecycle controller also watches Nodes
        (nodeclaimutils.NodeEventHandler), so a node's removal requeues the NodeClaim that owns it."""
        del ctx
        if rt.kind not in ("Node", "NodeClaim") or (rt.kind == "NodeClaim" and rt.group != "karpenter.sh"):
            return  # every API event passes here: the kind first
        if not _managed(rt.kind, obj):
            return
        if typ != "DELETED" and _deleting(obj):
            self.queue(rt.kind, obj["metadata"]["name"], 0.0)
        elif rt.kind == "Node" and typ == "DELETED":
            for ref in obj["metadata"].get("ownerReferences") or []:
                if ref.get("kind") == "NodeClaim":
                    self.queue("NodeClaim", str(ref.get("name")), 0.0)

    def queue(self, kind: str, name: str, after: float) -> None:
        """One reconcile of the object at the earliest time asked for (a workqueue's AddAfter)."""
        self._queue.add((kind, name), after)

    def _run(self, cluster: ClusterState, key: tuple[str, str]) -> None:
        work = self.finalize_claim if key[0] == "NodeClaim" else self.finalize_node
        _unless_deleted(lambda: work(cluster, key[1]))

    # ---- the cloud ------------------------------------------------------------------------

    def _cloud_delete(self, provider_id: str) -> bool:
        """cloudProvider.Delete: whether the instance is gone (NodeClaimNotFoundError)."""
        if provider_id in self.deleted_instances:
            return True
        self.deleted_instances.add(provider_id)
        return False

    # ---- the NodeClaim lifecycle controller's finalize -------------------------------------

    def finalize_claim(self, cluster: ClusterState, name: str) -> None:
        """lifecycle/controller.go finalize."""
        claim = cluster.get(*NODECLAIM, None, name)
        if claim is None or not _deleting(claim):
            return
        self._annotate_termination_time(cluster, claim)
        status = claim.get("status") or {}
        provider_id = str(status.get("providerID") or "")
        if (_get(_conditions(claim), "Registered") or {}).get("status") == "True" and provider_id:
            nodes = [n for n in cluster.list("v1", "Node") if (n.get("spec") or {}).get("providerID") == provider_id]
            for node in nodes:
                if not node["metadata"].get("deletionTimestamp"):
                    _unless_deleted(lambda n=node: cluster.delete("v1", "Node", None, n["metadata"]["name"]))
            if nodes:
                return  # the node's removal requeues it (on_event)
        if provider_id:
            gone = self._cloud_delete(provider_id)
            conditions = _conditions(claim)
            _set(conditions, "InstanceTerminating", "True")
            if conditions != _conditions(claim) and not self._patch_claim(
                cluster, claim, conditions, "NodeClaim", name
            ):
                return
            if not gone:
                self.queue("NodeClaim", name, self.instance_requeue)
                return
        self._remove_finalizer(cluster, NODECLAIM, name)

    def _patch_claim(
        self, cluster: ClusterState, claim: dict[str, Any], conditions: list[dict[str, Any]], kind: str, name: str
    ) -> bool:
        """The NodeClaim's conditions as Status().Patch with MergeFromWithOptimisticLock of the claim
        as this reconcile read it; False (the ``kind`` ``name`` requeued, Requeue: true) on a 409,
        True once written or where the claim is gone (IgnoreNotFound). Upstream:
        kubernetes-sigs/karpenter pkg/controllers/node/termination/controller.go finalize,
        pkg/controllers/nodeclaim/lifecycle/controller.go finalize."""
        try:
            cluster.patch_status_locked(claim, {"conditions": conditions})
        except ApiError as exc:
            if exc.code == 404:
                return True
            if exc.reason != "Conflict":
                raise
            self.queue(kind, name, CONFLICT_REQUEUE)
            return False
        return True

    def _annotate_termination_time(self, cluster: ClusterState, claim: dict[str, Any]) -> None:
        """lifecycle/controller.go ensureTerminationGracePeriodTerminationTimeAnnotation."""
        md = claim["metadata"]
        grace = (claim.get("spec") or {}).get("terminationGracePeriod")
        if TERMINATION_TIME in (md.get("annotations") or {}) or not grace:
            return
        deleted = datetime.datetime.strptime(md["deletionTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
        when = (deleted + datetime.timedelta(seconds=_seconds(str(grace)))).strftime("%Y-%m-%dT%H:%M:%SZ")
        patch = {"metadata": {"annotations": {TERMINATION_TIME: when}}}
        claim.update(cluster.patch(*NODECLAIM, None, md["name"], patch, manager="karpenter"))
        # terminator/events/events.go NodeClaimTerminationGracePeriodExpiring
        self._publish(cluster, claim, "TerminationGracePeriodExpiring", f"All pods will be deleted by {when}")

    # ---- the node termination controller's finalize ----------------------------------------

    def finalize_node(self, cluster: ClusterState, name: str) -> None:
        """node/termination/controller.go finalize."""
        node = cluster.get("v1", "Node", None, name)
        if node is None or not _deleting(node):
            return
        provider_id = str((node.get("spec") or {}).get("providerID") or "")
        claims = [c for c in cluster.list(*NODECLAIM) if (c.get("status") or {}).get("providerID") == provider_id]
        claim = claims[0] if len(claims) == 1 and provider_id else None  # NodeClaimForNode
        if claim is not None and not claim["metadata"].get("deletionTimestamp"):
            claim_name = claim["metadata"]["name"]
            _unless_deleted(lambda: cluster.delete(*NODECLAIM, None, claim_name))  # client.IgnoreNotFound
        ready = _get(_conditions(node), "Ready") or {}
        if ready.get("status") != "True" and provider_id in self.deleted_instances:
            self._remove_finalizer(cluster, ("v1", "Node"), name)  # cloudProvider.Get: NodeClaimNotFoundError
            return
        when = ((claim or {}).get("metadata", {}).get("annotations") or {}).get(TERMINATION_TIME)
        deadline = None
        if when is not None:  # nodeTerminationTime: the event, then the parse
            self._publish(cluster, node, "TerminationGracePeriodExpiring", f"All pods will be deleted by {when}")
            deadline = termination_time(str(when))
            if deadline is None:  # "parsing annotation": the reconcile's error, tried again
                self.queue("Node", name, self.requeue)
                return
        self.taint(cluster, node)
        conditions = _conditions(claim)
        after = self._await_drain(cluster, node, claim, conditions, deadline)
        if after is None and claim is not None:
            _set(conditions, "VolumesDetached", "True")  # awaitVolumeDetachment: no VolumeAttachments here
            if not self._cloud_delete(str((claim.get("status") or {}).get("providerID") or "")):
                after = self.instance_requeue  # awaitInstanceTermination
            _set(conditions, "InstanceTerminating", "True")
        # the claim as NodeClaimForNode listed it: one this pass deleted has moved on since, so the
        # write is 409 and the Node is requeued (kubernetes-sigs/karpenter pkg/controllers/node/termination/
        # controller.go finalize deletes the claim, and kubernetes-sigs/controller-runtime
        # pkg/client/typed_client.go Delete ends in .Error(): the object stays as read)
        written = claim is None or conditions == _conditions(claim)
        if not written and not self._patch_claim(cluster, claim or {}, conditions, "Node", name):
            return
        if after is not None:
            self.queue("Node", name, after)
            return
        self._remove_finalizer(cluster, ("v1", "Node"), name)

    def _await_drain(
        self,
        cluster: ClusterState,
        node: dict[str, Any],
        claim: dict[str, Any] | None,
        conditions: list[dict[str, Any]],
        deadline: datetime.datetime | None = None,
    ) -> float | None:
        """controller.go awaitDrain: the seconds to the next look, None once drained."""
        if claim is not None and _get(conditions, "Drained") is None:
            _set(conditions, "Drained", "Unknown", "Draining", "Draining")
        if not self.drain(cluster, node, deadline):
            return self.requeue
        if claim is not None:
            drained = _get(conditions, "Drained") or {}
            unknown = drained.get("status") == "Unknown"
            if unknown and self.now() - _epoch(drained["lastTransitionTime"]) < self.min_drain:  # c.clock.Since
                return self.requeue  # MinDrainTime
            _set(conditions, "Drained", "True")
        return None

    def _remove_finalizer(self, cluster: ClusterState, kind: tuple[str, str], name: str) -> None:
        """controllerutil.RemoveFinalizer and the patch (the object goes with its last finalizer)."""
        obj = cluster.get(*kind, None, name)
        if obj is None:
            return
        keep = [f for f in obj["metadata"].get("finalizers") or [] if f != FINALIZER]
        try:
            cluster.patch(*kind, None, name, {"metadata": {"finalizers": keep or None}}, manager="karpenter")
        except ApiError as err:
            if err.code != 404:
                raise
