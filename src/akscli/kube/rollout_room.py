"""Whether a Deployment's old pod holds what its new pod waits for: a rolling update that cannot go on.

A Deployment's RollingUpdate strategy (the default; kubernetes/kubernetes pkg/apis/apps/v1/defaults.go
SetDefaults_Deployment: maxUnavailable 25%, maxSurge 25%) starts the new pod before it stops an old
one: with one replica maxUnavailable rounds down to 0 and maxSurge up to 1 (pkg/controller/deployment/util
deployment_util.go ResolveFenceposts), so the old pod runs until the new one is available
(rolling.go reconcileOldReplicaSets). Where the old pod holds the GPU the new one needs and no other
node of the pool has one free, the new pod stays Pending and the rollout never ends. AI Runway's
vllm and llmd providers set no strategy (ai-runway/airunway b0d3fb77 providers/vllm/transformer.go
and providers/llmd/transformer.go buildDeployment: replicas, selector, template); akscli's vLLM
Deployment uses Recreate for this reason (templates/model/vllm.yaml.j2), so its new pod never
waits on an old one. The hint says so and names the two ways out: a rollback, or room for both.
A terminating old pod (a rollout's new pod started while the previous rollout's pod still stops, or a
rollback's while the pod it replaced stops) is not that: it goes by itself, and the hint says to wait.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from akscli import errors
from akscli.kube import pod_problems
from akscli.kube.scale_up import POOL_LABELS
from akscli.model.kinds import MODEL_LABEL

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# The label the Deployment controller adds to each ReplicaSet's pods (kubernetes/api apps/v1
# types.go DefaultDeploymentUniqueLabelKey): pods of one Deployment with another value are older.
TEMPLATE_HASH = "pod-template-hash"
# The old pods' nodes read by name at most, each once: a Deployment of hundreds of replicas whose new
# template selects other nodes (another size) would otherwise cost a GET per old pod.
NODE_READS = 10


def short_resources(message: str) -> set[str]:
    """The resources the scheduler found no node with enough of: its NodeResourcesFit filter's
    "Insufficient <name>" (kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/fit.go
    ``Insufficient``), before the preemption part of the message."""
    fit = message.split(". preemption:")[0]
    return {part.split()[0].rstrip(".,") for part in fit.split("Insufficient ")[1:] if part.split()}


def _asks(pod: Mapping[str, Any], resource: str) -> bool:
    """Whether a container of the pod asks for some of ``resource`` (an extended resource's request
    defaults to its limit: pkg/apis/core/v1/defaults.go SetDefaults_ResourceList via limits)."""
    for container in (pod.get("spec") or {}).get("containers") or []:
        resources = container.get("resources") or {}
        amount = (resources.get("requests") or {}).get(resource) or (resources.get("limits") or {}).get(resource)
        if amount not in (None, "", "0", 0):
            return True
    return False


def held_by_old_pod(
    kube: Kube, trouble: pod_problems.Problem, owner: Mapping[str, Any] | None
) -> tuple[str, str] | None:
    """``("; the old pod ... holds ...", hint)`` where an older pod of the unschedulable pod's
    Deployment runs on a node the new pod could use and holds a resource the scheduler found short;
    None otherwise, or where the pods or the node cannot be read (one list, and a read of each old pod's
    node until one the new pod could use: NODE_READS nodes at most)."""
    pod = trouble.source or {}
    meta = pod.get("metadata") or {}
    labels = meta.get("labels") or {}
    new_hash = labels.get(TEMPLATE_HASH)
    replica_set = next(
        (o.get("name") for o in meta.get("ownerReferences") or [] if o.get("kind") == "ReplicaSet"), None
    )
    needed = {r for r in short_resources(trouble.message) if _asks(pod, r)}
    if trouble.kind != pod_problems.UNSCHEDULABLE or not new_hash or not replica_set or not needed:
        return None
    namespace = str(meta.get("namespace") or trouble.namespace or kube.namespace)
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != TEMPLATE_HASH)
    wanted = (pod.get("spec") or {}).get("nodeSelector") or {}
    read: set[str] = set()  # nodes read already: one GET each, NODE_READS at most
    found: tuple[str, str] | None = None  # the first running old pod that holds what the new one needs
    try:
        for other in kube.list("v1", "Pod", namespace=namespace, label_selector=selector or None):
            other_meta = other.get("metadata") or {}
            other_hash = (other_meta.get("labels") or {}).get(TEMPLATE_HASH)
            # A deleted pod of any template, the new one's included (a rollback's ReplicaSet), goes by itself.
            going = bool(other_meta.get("deletionTimestamp"))
            node_name = (other.get("spec") or {}).get("nodeName")
            done = (other.get("status") or {}).get("phase") in ("Succeeded", "Failed")
            held = sorted(r for r in needed if _asks(other, r))
            old = going or other_hash not in (None, new_hash)
            if not old or not node_name or done or not held or node_name in read or (found and not going):
                continue
            if len(read) == NODE_READS:
                return found  # the old pods' nodes read so far are not for the new pod: not judged further
            read.add(str(node_name))
            node = kube.get("v1", "Node", str(node_name))
            node_labels = ((node or {}).get("metadata") or {}).get("labels") or {}
            if node is None or any(node_labels.get(k) != v for k, v in wanted.items()):
                continue  # freeing that node would not help the new pod
            if going:
                return _going(other_meta, str(node_name), held)
            pool = next((node_labels[k] for k in POOL_LABELS if node_labels.get(k)), None)
            deployment = str(replica_set).removesuffix(f"-{new_hash}")
            found = _said(other_meta["name"], str(node_name), held, pool, deployment, namespace, owner)
    except errors.AkscliError:
        return None
    return found


def _going(meta: Mapping[str, Any], node: str, held: list[str]) -> tuple[str, str]:
    """A terminating pod holds what the new pod needs: it goes by itself. The scheduler counts a
    deleted pod's requests until the kubelet confirms its deletion, and tries the waiting pod again
    when it is gone (kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/fit.go
    isSchedulableAfterPodEvent: "any deletion event to a scheduled pod could make the unscheduled pod
    schedulable"); the kubelet stops it by its deletionTimestamp, the delete's time plus its grace period
    (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go BeforeDelete). So the rollout goes on
    then: nothing is to be undone or added."""
    by = meta.get("deletionTimestamp")
    grace = meta.get("deletionGracePeriodSeconds")
    period = f", grace period {grace}s" if grace is not None else ""
    clause = (
        f"; the old pod {meta.get('name')} is terminating and holds the {' and '.join(held)} it needs on node "
        f"{node} until it stops (by {by}{period}); the scheduler places the new pod once it is gone"
    )
    return clause, f"wait for it: raise --timeout to reach past {by}"


def _said(
    old: str, node: str, held: list[str], pool: str | None, deployment: str, namespace: str, owner: Any
) -> tuple[str, str]:
    model = ((owner or {}).get("metadata") or {}).get("labels", {}).get(MODEL_LABEL)
    back = (
        f"akscli model rollback {model} -n {namespace}"
        if model
        else f"kubectl rollout undo deployment/{deployment} -n {namespace}"
    )
    room = (
        f"add a node to pool {pool} for the new pod ('akscli nodepool scale {pool} --cluster CLUSTER -g GROUP "
        "--count N', N one more than now)"
        if pool
        else "add a node the new pod's selector picks"
    )
    clause = (
        f"; the old pod {old} (the previous configuration) holds the {' and '.join(held)} it needs on node {node}, "
        "and the rolling update stops the old pod only once the new one is ready"
    )
    fix = f"roll back with '{back}' (the old pod keeps serving), or {room}"
    return clause, fix
