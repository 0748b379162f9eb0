"""The kubelets' node Leases, which the node lifecycle controller reads for their heartbeat.

upstream: kubernetes/kubernetes staging/src/k8s.io/component-helpers/apimachinery/lease/
controller.go (newLease: namespace kube-node-lease, name and holderIdentity the node's name,
leaseDurationSeconds, renewTime now; ensureLease creates it once, retryUpdateLease renews
renewTime every renewInterval); pkg/kubelet/kubelet.go (leaseDurationSeconds from
--node-lease-duration-seconds, default 40; renewInterval NodeLeaseRenewIntervalFraction 0.25 of
it, 10 s; newLeasePostProcessFunc setNodeOwnerFunc: an ownerReference to the Node, so the
garbage collector removes the Lease with its Node); pkg/controller/nodelifecycle/
node_lifecycle_controller.go tryUpdateNodeHealth (a Lease whose renewTime moved on is a
heartbeat, as is a new Ready lastHeartbeatTime).

What the emulator does: a node created through the API gets its Lease at once. A running
kubelet renews it every renew interval of wall time, and when the simulator's clock moves on by a
renew interval or more (``advance``); above ``wall_clock_renewals_max`` running kubelets, only on
``advance`` (node_lifecycle.py). A stopped kubelet renews it one last time and then never again.
Nodes a test loads in bulk (``generate_cluster``) after the controller started get no Lease until
the controller syncs them or a test stops their kubelet (which then makes it): their kubelets
count as alive until stopped, so a 75,000-node cluster stores no 75,000 Leases. A controller
added after the load (``python -m tests.emulators.kube``) syncs every node as it starts, and so
makes every Lease (upstream: kubernetes/component-helpers 1961876b apimachinery/lease/controller.go
renewInterval, ensureLease; kubernetes/kubernetes pkg/controller/nodelifecycle/
node_lifecycle_controller.go tryUpdateNodeHealth).
"""

from __future__ import annotations

import datetime
from typing import Any

from tests.emulators.kube.cluster import KUBELET, ClusterState

NAMESPACE = "kube-node-lease"
API = "coordination.k8s.io/v1"
DURATION_S = 40
RENEW_INTERVAL_S = DURATION_S * 0.25


def micro_time(wall: float) -> str:
    """metav1.MicroTime as JSON: RFC 3339 with microseconds."""
    return datetime.datetime.fromtimestamp(wall, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: Any) -> float | None:
    """A MicroTime or Time (lastHeartbeatTime) as seconds since the epoch; None if it is not one."""
    if not isinstance(text, str) or not text:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.UTC).timestamp()
        except ValueError:
            continue
    return None


def lease(node: dict[str, Any], wall: float) -> dict[str, Any]:
    """newLease with setNodeOwnerFunc's ownerReference."""
    md = node["metadata"]
    owner = {"apiVersion": "v1", "kind": "Node", "name": md["name"], "uid": md["uid"]}
    return {
        "apiVersion": API,
        "kind": "Lease",
        "metadata": {"name": md["name"], "namespace": NAMESPACE, "ownerReferences": [owner]},
        "spec": {"holderIdentity": md["name"], "leaseDurationSeconds": DURATION_S, "renewTime": micro_time(wall)},
    }


def get(cluster: ClusterState, name: str) -> dict[str, Any] | None:
    return cluster.get(API, "Lease", NAMESPACE, name)


def renew(cluster: ClusterState, name: str, wall: float) -> None:
    """retryUpdateLease: the kubelet's renewal of its node's Lease (kubernetes/kubernetes
    staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go, run by the kubelet)."""
    cluster.patch(API, "Lease", NAMESPACE, name, {"spec": {"renewTime": micro_time(wall)}}, manager=KUBELET)
