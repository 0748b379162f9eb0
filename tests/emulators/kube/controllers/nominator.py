"""The scheduler's nominator: a pod that preempted others waits for its node with
status.nominatedNodeName, and the filters count it there against every pod of lower (or equal)
priority, so a replacement of a victim cannot take the room its eviction made.

upstream: kubernetes/kubernetes
- pkg/scheduler/framework/runtime/framework.go RunFilterPluginsWithNominatedPods and
  addGENominatedPods: the nominated pods of the node with a priority >= the pod's (and not the pod
  itself) are added to the node's info before the filters run.
- pkg/scheduler/backend/queue/nominator.go: the nominated pods by node, from each pending pod's
  status.nominatedNodeName.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.pod_resources import pod_requests


class Nominated:
    """The pending pods nominated to each node, read once per Scheduler (the pending pods are few:
    the rescheduler's index of unschedulable pods holds them)."""

    def __init__(self, cluster: ClusterState) -> None:
        from tests.emulators.kube.controllers.rescheduling import is_unschedulable, unschedulable_pods

        self.by_node: dict[str, list[tuple[int, str, Counter[str]]]] = {}
        for key in sorted(unschedulable_pods(cluster.api).snapshot()):
            ns, _, name = key.partition("/")
            pod = cluster.get("v1", "Pod", ns, name)
            if pod is None or not is_unschedulable(pod) or pod["metadata"].get("deletionTimestamp"):
                continue
            node = (pod.get("status") or {}).get("nominatedNodeName")
            if not node:
                continue
            need = pod_requests(pod.get("spec") or {})
            need["pods"] = Decimal(1)
            rank = int((pod.get("spec") or {}).get("priority") or 0)
            self.by_node.setdefault(str(node), []).append((rank, str(pod["metadata"].get("uid", "")), need))

    def usage(self, node: str, rank: int, uid: str) -> Counter[str]:
        """What the pods nominated to ``node`` that outrank or equal ``rank`` request (addGENominatedPods)."""
        out: Counter[str] = Counter()
        for other_rank, other_uid, need in self.by_node.get(node, []):
            if other_rank >= rank and other_uid != uid:
                out.update(need)
        return out

    def placed(self, uid: str) -> None:
        """A nominated pod bound during this reconcile now counts as placed, not as nominated."""
        for node, pods in list(self.by_node.items()):
            self.by_node[node] = [p for p in pods if p[1] != uid]
