"""Karpenter's eviction queue in the kube emulator: the one queue of a Karpenter that the drain of
every terminating node hands its pods to (karpenter_drain.py), kept between the drain's passes.

Upstream: kubernetes-sigs/karpenter v1.14.0 (1b4b3e8c829d, the release Azure/karpenter-provider-azure
352646f's go.mod pins) pkg/controllers/node/termination/terminator/eviction.go:
- Queue.Add: a set of QueueKey (namespace, name and UID); a pod already in it is not added again,
  so a drain pass while its eviction is pending or refused asks for nothing more. Only a success
  removes the key (Reconcile's last lines): a pod refused once stays queued, and is evicted later
  even after it started terminating (v1.14.0's Reconcile checks neither IsActive nor IsEvictable).
- Reconcile (reconcile.AsReconciler: the pod read by namespace and name, a missing one ignored): a
  pod whose UID is not in the set is left (Has); the eviction with the UID as precondition (here the
  code the HTTP route runs, tests/emulators/kube/eviction.py); 404 and 409 end it; 429 or the
  multiple-budgets 500 publish NodeFailedToDrain on the pod's node (podutils.NodeForPod: by
  spec.nodeName), "evicting pod violates a PDB (Pod=NAMESPACE/NAME)", and requeue; another error
  requeues; success publishes EvictPod "Evicted pod: REASON" (evictionReason: NodeForPod,
  nodeutils.NodeClaimForNode by providerID, its DisruptionReason condition, else "Forceful
  Termination"; no node or no single NodeClaim: "").
- Register: the requeue's delay is workqueue's ItemExponentialFailureRateLimiter per pod,
  evictionQueueBaseDelay 100 ms doubled on each failure up to evictionQueueMaxDelay 10 s
  (kubernetes/client-go util/workqueue/default_rate_limiters.go When: base * 2^failures, capped;
  Forget on a result with no requeue, sigs.k8s.io/controller-runtime pkg/internal/controller/
  controller.go reconcileHandler).

Not modelled: the bucket limiter that Register combines with it (100 qps and more: no test evicts
that many), concurrent reconciles (one thread runs them in order).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.apiserver_common import Ctx
from tests.emulators.kube.cluster import ClusterState, current_origin
from tests.emulators.kube.controllers.karpenter_common import NODECLAIM
from tests.emulators.kube.eviction import MULTIPLE, evict
from tests.emulators.kube.status import ApiError

if TYPE_CHECKING:
    from tests.emulators.kube.controllers.karpenter_drain import Drain

Key = tuple[str, str, str]  # eviction.go QueueKey: namespace, name, UID
Request = tuple[str, str]  # reconcile.Request: namespace, name


def key_of(pod: dict[str, Any]) -> Key:
    md = pod["metadata"]
    return str(md["namespace"]), str(md["name"]), str(md.get("uid") or "")


# kubernetes-sigs/karpenter pkg/controllers/node/termination/terminator/eviction.go
def evict_pod(cluster: ClusterState, pod: dict[str, Any]) -> None:
    """eviction.go Queue.Reconcile's eviction: the pod's UID as precondition, as "karpenter" (raises the
    ApiError)."""
    md = pod["metadata"]
    body = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": md["name"], "namespace": md["namespace"]},
        "deleteOptions": {"preconditions": {"uid": md["uid"]}},
    }
    evict(cluster, md["namespace"], md["name"], body, Ctx(field_manager="karpenter", origin=current_origin()))


class EvictionQueue:
    """terminator/eviction.go Queue, with the rate limiter eviction.go Register gives it."""

    def __init__(self, drain: Drain) -> None:
        self.drain = drain  # its controller (the manager) and its recorder (_publish)
        self.base = 0.1  # eviction.go evictionQueueBaseDelay (tests may shorten it)
        self.cap = 10.0  # eviction.go evictionQueueMaxDelay
        self.keys: set[Key] = set()
        self.failures: dict[Request, int] = {}  # the rate limiter's per-item count
        self.retries: list[tuple[Request, float]] = []  # requeues asked for where no manager runs them
        self._due: dict[Request, float] = {}
        self._lock = threading.Lock()

    def add(self, cluster: ClusterState, pods: list[dict[str, Any]]) -> None:
        """eviction.go Queue.Add: each pod not yet in the set is inserted and reconciled."""
        for pod in pods:
            key = key_of(pod)
            with self._lock:
                if key in self.keys:
                    continue
                self.keys.add(key)
            self._schedule(cluster, key[:2], 0.0)

    def _schedule(self, cluster: ClusterState, req: Request, after: float) -> None:
        """The workqueue's Add (after 0) or AddAfter; one entry per request, at its earliest time.
        Without a manager (a unit test's Drain) a new pod is reconciled at once, a requeue kept in
        ``retries``."""
        manager = getattr(self.drain.controller, "_manager", None)
        if manager is None:
            if after:
                self.retries.append((req, after))
            else:
                self._reconcile_and_requeue(cluster, req)
            return
        when = time.monotonic() + after
        with self._lock:
            if req in self._due and self._due[req] <= when:
                return
            self._due[req] = when
        manager.call_later(self.drain.controller, lambda c: self._run(c, req, when), after)

    def _run(self, cluster: ClusterState, req: Request, when: float) -> None:
        with self._lock:
            if self._due.get(req) != when:
                return  # an earlier reconcile of it took its place
            del self._due[req]
        self._reconcile_and_requeue(cluster, req)

    def _reconcile_and_requeue(self, cluster: ClusterState, req: Request) -> None:
        after = self.reconcile(cluster, req)
        if after is not None:
            self._schedule(cluster, req, after)

    def reconcile(self, cluster: ClusterState, req: Request) -> float | None:
        """eviction.go Queue.Reconcile: the seconds to the rate-limited requeue, or None (Forget)."""
        pod = cluster.get("v1", "Pod", req[0], req[1])
        if pod is None or key_of(pod) not in self.keys:  # AsReconciler's NotFound; not q.Has(pod)
            return self._forget(req)
        md = pod["metadata"]
        try:
            evict_pod(cluster, pod)
        except ApiError as err:
            if err.code in (404, 409):
                return self._forget(req)
            if err.code == 429 or err.message == MULTIPLE:
                node = self._node(cluster, pod)
                if node is None:  # NodeForPod's error: returned, so rate-limited like the requeue
                    return self._backoff(req)
                why = "evicting pod violates a PDB"
                if err.message == MULTIPLE:
                    why = "eviction does not support multiple PDBs"
                # serrors.Wrap(..., "Pod", klog.KRef(ns, name)): awslabs/operatorpkg 7a13865 serrors/serrors.go
                # Error() "%s (%s)" of key=value (unchanged since 2025-04, before the 2026-07 pin)
                self.drain._publish(cluster, node, "FailedDraining", f"{why} (Pod={md['namespace']}/{md['name']})")
            return self._backoff(req)
        self.drain._publish(cluster, pod, "Evicted", f"Evicted pod: {self._reason(cluster, pod)}", "Normal")
        with self._lock:
            self.keys.discard(key_of(pod))
        return self._forget(req)

    def _backoff(self, req: Request) -> float:
        """workqueue ItemExponentialFailureRateLimiter.When."""
        with self._lock:
            failures = self.failures.get(req, 0)
            self.failures[req] = failures + 1
        return float(min(self.base * 2**failures, self.cap))

    def _forget(self, req: Request) -> None:
        with self._lock:
            self.failures.pop(req, None)

    @staticmethod
    def _node(cluster: ClusterState, pod: dict[str, Any]) -> dict[str, Any] | None:
        """pkg/utils/pod NodeForPod: the node the pod is bound to."""
        name = (pod.get("spec") or {}).get("nodeName")
        return cluster.get("v1", "Node", None, name) if name else None

    def _reason(self, cluster: ClusterState, pod: dict[str, Any]) -> str:
        """eviction.go evictionReason."""
        node = self._node(cluster, pod)
        provider_id = ((node or {}).get("spec") or {}).get("providerID")
        if not provider_id:
            return ""
        claims = [c for c in cluster.list(*NODECLAIM) if (c.get("status") or {}).get("providerID") == provider_id]
        if len(claims) != 1:  # NodeClaimForNode: not found, or duplicates
            return ""
        for c in (claims[0].get("status") or {}).get("conditions") or []:
            if c.get("type") == "DisruptionReason" and c.get("status") == "True":
                return str(c.get("reason"))
        return "Forceful Termination"
