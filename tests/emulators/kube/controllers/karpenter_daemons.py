"""The DaemonSet overhead Karpenter adds to a pod's requests for a new node: the requests of the
DaemonSets whose pods would run on it (upstream: kubernetes-sigs/karpenter 2266468
pkg/controllers/provisioning/provisioner.go getDaemonSetPods: every DaemonSet, its newest pod where
one exists (cluster.GetDaemonSetPod, which carries the DaemonSet controller's tolerations), else
daemonset.PodForDaemonSet; scheduler.go buildDaemonOverheadGroups: for each instance type of the
NodeClaim template, the daemon pods isDaemonPodCompatible admits, their RequestsForPods, pods
included; nodeclaim.go filterInstanceTypesByRequirements: the pod's requests merged with its
group's overhead, within the instance type's allocatable).

Here a daemon pod is the DaemonSet's newest live pod where it has one, as the kube emulator's
DaemonSet controller made it (its tolerations: kubernetes/kubernetes 05c351a9 pkg/controller/daemon/
util/daemonset_util.go AddOrUpdateDaemonPodTolerations, written by controllers/builtin.py; its
requests as admission left them), else its template alone (PodForDaemonSet,
pkg/utils/daemonset/daemonset.go, adds no toleration). getDaemonSetPods puts the template's required
node affinity on either; where the template has none the live pod keeps the controller's term,
matchFields metadata.name only, which Karpenter does not read (pkg/scheduling/requirements.go
newPodRequirements: the first term's matchExpressions), so here it is dropped. The pod counts where
it is compatible with a template node (karpenter._candidates: the instance type's labels with the
pool's) and the DaemonSet controller would run it there (scheduling.should_run_daemon_pod: its
nodeSelector and required node affinity match the labels, every NoSchedule and NoExecute taint
tolerated). Not modelled: a PreferNoSchedule taint (Karpenter ignores it for daemons, the
controller too), host ports, DRA.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.controllers.node_filters import should_run_daemon_pod
from tests.emulators.kube.controllers.scheduling import pod_requests

if TYPE_CHECKING:
    from tests.emulators.kube.cluster import ClusterState


def daemon_pods(cluster: ClusterState, node: dict[str, Any]) -> list[dict[str, Any]]:
    """The pod specs of the DaemonSets that would run on the template node, in list order."""
    out = []
    for daemonset in cluster.list("apps/v1", "DaemonSet"):
        template = ((daemonset.get("spec") or {}).get("template") or {}).get("spec") or {}
        live = _newest_pod(cluster, daemonset)  # cluster.go GetDaemonSetPod
        spec = dict((live or {}).get("spec") or template)
        required = ((template.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
        affinity = dict(spec.get("affinity") or {})
        node_affinity = {
            k: v
            for k, v in (affinity.get("nodeAffinity") or {}).items()
            if k != "requiredDuringSchedulingIgnoredDuringExecution"
        }
        if required:
            node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = required
        spec["affinity"] = {**affinity, "nodeAffinity": node_affinity}
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


def _newest_pod(cluster: ClusterState, daemonset: dict[str, Any]) -> dict[str, Any] | None:
    """The newest pod the DaemonSet controls (upstream: kubernetes-sigs/karpenter 2266468
    pkg/controllers/state/cluster.go UpdateDaemonSet: the pods of its namespace IsControlledBy it,
    the latest creationTimestamp)."""
    uid = daemonset["metadata"].get("uid", "")
    newest: dict[str, Any] | None = None
    for bucket, key in cluster.api.store.dependents_of(uid):
        namespace, _, name = key.rpartition("/")
        pod = cluster.get("v1", "Pod", namespace, name) if bucket == "/pods" else None
        owners = ((pod or {}).get("metadata") or {}).get("ownerReferences") or []
        if pod is None or not any(o.get("uid") == uid and o.get("controller") for o in owners):
            continue
        stamp = pod["metadata"].get("creationTimestamp") or ""
        if newest is None or stamp > (newest["metadata"].get("creationTimestamp") or ""):
            newest = pod
    return newest
