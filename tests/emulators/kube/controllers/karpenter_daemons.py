"""The DaemonSet overhead Karpenter adds to a pod's requests for a new node: the requests of the
DaemonSets whose pods would run on it (upstream: kubernetes-sigs/karpenter 2266468
pkg/controllers/provisioning/provisioner.go getDaemonSetPods: every DaemonSet, its newest pod where
one exists (cluster.GetDaemonSetPod, which carries the DaemonSet controller's tolerations), else
daemonset.PodForDaemonSet; scheduler.go buildDaemonOverheadGroups: for each instance type of the
NodeClaim template, the daemon pods isDaemonPodCompatible admits, their RequestsForPods, pods
included; nodeclaim.go filterInstanceTypesByRequirements: the pod's requests merged with its
group's overhead, within the instance type's allocatable).

Here a daemon pod is the DaemonSet's template, with the DaemonSet controller's tolerations
(scheduling.daemon_pod_spec; kubernetes/kubernetes 05c351a9 pkg/controller/daemon/util/
daemonset_util.go AddOrUpdateDaemonPodTolerations) only where the DaemonSet has a pod (a live pod
carries them; PodForDaemonSet, pkg/utils/daemonset/daemonset.go, adds none; getDaemonSetPods puts
the template's required node affinity on either), compatible with a template node
(karpenter._candidates: the instance type's labels with the pool's) where the DaemonSet
controller would run it there (scheduling.should_run_daemon_pod: its nodeSelector and required
node affinity match the labels, every NoSchedule and NoExecute taint tolerated). Not modelled: a
PreferNoSchedule taint (Karpenter ignores it for daemons, the controller too), a live pod whose
requests admission changed, host ports, DRA.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.controllers.scheduling import daemon_pod_spec, pod_requests, should_run_daemon_pod

if TYPE_CHECKING:
    from tests.emulators.kube.cluster import ClusterState


def daemon_pods(cluster: ClusterState, node: dict[str, Any]) -> list[dict[str, Any]]:
    """The pod specs of the DaemonSets that would run on the template node, in list order."""
    out = []
    for daemonset in cluster.list("apps/v1", "DaemonSet"):
        spec = dict(((daemonset.get("spec") or {}).get("template") or {}).get("spec") or {})
        if _has_pod(cluster, daemonset):  # cluster.go GetDaemonSetPod: its newest pod
            spec = daemon_pod_spec(spec)
        if should_run_daemon_pod(spec, node):
            out.append(spec)
    return out


def overhead(cluster: ClusterState, node: dict[str, Any]) -> Counter[str]:
    """RequestsForPods of the daemon pods: their requests summed, and ``pods`` their number."""
    total: Counter[str] = Counter()
    pods = daemon_pods(cluster, node)
    for spec in pods:
        total.update(pod_requests(spec))
    total["pods"] = len(pods)
    return total


def _has_pod(cluster: ClusterState, daemonset: dict[str, Any]) -> bool:
    """Whether a pod the DaemonSet controls exists (upstream: kubernetes-sigs/karpenter 2266468
    pkg/controllers/state/cluster.go UpdateDaemonSet: the pods of its namespace it controls)."""
    uid = daemonset["metadata"].get("uid", "")
    return any(bucket == "/pods" for bucket, _ in cluster.api.store.dependents_of(uid))
