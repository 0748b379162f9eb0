"""Why a Ray object is not ready, read through a cluster connection: what KubeRay wrote on the
object, its warning events, whether an operator runs, and the stuck pods of its clusters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from akscli.errors import AkscliError, AuthError
from akscli.output import kind_ref
from akscli.ray.job import interactive_hint, job_finished, job_phase
from akscli.ray.live import cluster_pods, gpu_nodes_exist, pod_events
from akscli.ray.operator_gates import OPERATOR_SELECTOR, pods_gates
from akscli.ray.pod_state import pod_gpus, pod_ready
from akscli.ray.spec import NODE_TYPE_LABEL, RAY_API
from akscli.ray.status import (
    Finding,
    HeadPods,
    cluster_findings,
    diagnose_pods,
    extra_heads_finding,
    spec_accepted,
    stuck_pods,
)

if TYPE_CHECKING:
    from akscli.kube.client import Kube


def operator_finding(kube: Kube, ref: str) -> Finding | None:
    """A finding when no KubeRay operator pod is ready anywhere, or every one exits at start: a
    --feature-gates its release refuses, or a start-up check of its main.go that fails
    (operator_gates.pods_gates: it crash-loops, whatever a Ready condition read a moment before
    says). None when one runs, or when the pods cannot be listed: then nothing is claimed."""
    try:
        pods = list(kube.list("v1", "Pod", all_namespaces=True, label_selector=OPERATOR_SELECTOR, page_size=10))
    except AkscliError:
        return None
    found = pods_gates(kube, pods)
    refused = [g.problem for g in found]
    if pods and all(refused):
        return Finding(
            ref,
            "NoOperator",
            f"KubeRay has not picked it up: the KubeRay operator is not running: {refused[0]}",
            f"{found[0].fix}; its log: {logs_command(pods[0])}",
        )
    if any(pod_ready(p) for p, problem in zip(pods, refused, strict=True) if not problem):
        return None
    if pods:  # there, but its process is not running (it crash-loops, waits for its image, ...)
        return Finding(
            ref,
            "NoOperator",
            f"KubeRay has not picked it up: the KubeRay operator is not running ({_pod_state(pods[0])}), "
            "so nothing is reconciled",
            f"see why in its log: {logs_command(pods[0])}",
        )
    return Finding(
        ref,
        "NoOperator",
        f"KubeRay has not picked it up: no KubeRay operator is running (no pod labelled {OPERATOR_SELECTOR})",
        "install or repair it: helm install kuberay-operator kuberay/kuberay-operator "
        "(https://ray-project.github.io/kuberay-helm/)",
    )


def unpicked_finding(kube: Kube, obj: Mapping[str, Any], ref: str) -> Finding | None:
    """Why a Ray object has no status: spec.managedBy names another controller, so KubeRay skips
    it (upstream: ray-project/kuberay v1.7.0 utils/util.go ManagedByExternalController; the
    readiness rule's words, kuberay.not_picked), else what ``operator_finding`` finds."""
    from akscli.kube.readiness.kuberay import NOT_PICKED, not_picked

    said = not_picked(obj)
    if said is NOT_PICKED:
        return operator_finding(kube, ref)
    return Finding(ref, "ManagedElsewhere", said.message.removeprefix("no status yet: "), said.fix)


def explain_unpicked(error: AkscliError, kube: Kube) -> None:
    """A wait that timed out on an object KubeRay never picked up (its hint is the readiness rule's
    question, akscli.kube.readiness.kuberay NO_OPERATOR_FIX): the hint becomes what
    ``operator_finding`` finds where the operator's pods are there but do not run: why, and how to
    read its log; else (no operator pod at all) it is left as it is."""
    from akscli.kube.readiness.kuberay import NO_OPERATOR_FIX

    if NO_OPERATOR_FIX not in (error.hint or ""):
        return
    finding = operator_finding(kube, "")
    said = (finding.message if finding is not None else "").removeprefix("KubeRay has not picked it up: ")
    if finding is not None and said.startswith("the KubeRay operator is not running"):  # its pods are there
        error.hint = f"{said}; {finding.hint}; nothing was rolled back"


def logs_command(pod: Mapping[str, Any]) -> str:
    """``kubectl logs`` of an operator pod: ``deploy/NAME`` for a Deployment's pod (its ReplicaSet
    is the Deployment's name and the pod-template-hash label, upstream: kubernetes/kubernetes
    pkg/controller/deployment/sync.go getNewReplicaSet), else the pod itself."""
    md = pod.get("metadata") or {}
    target = str(md.get("name") or "")
    suffix = "-" + str((md.get("labels") or {}).get("pod-template-hash") or "")
    for owner in md.get("ownerReferences") or []:
        name = str(owner.get("name") or "")
        if owner.get("controller") and owner.get("kind") == "ReplicaSet" and len(suffix) > 1 and name.endswith(suffix):
            target = "deploy/" + name.removesuffix(suffix)
    return f"kubectl logs -n {md.get('namespace')} {target}"


def _pod_state(pod: Mapping[str, Any]) -> str:
    """``pod NS/NAME container C: REASON (last exit: Error, exit code N): ...``, what keeps it from
    running as akscli.kube.pod_problems reads it (a crash loop's last exit code and the kubelet's
    termination message, where it has one), else ``pod NS/NAME: REASON``: its first container's
    waiting or terminated reason, or its phase."""
    from akscli.kube import pod_problems

    trouble = pod_problems.problem(pod)
    if trouble is not None:
        return trouble.qualified
    md, status = pod.get("metadata") or {}, pod.get("status") or {}
    state = ((status.get("containerStatuses") or [{}])[0].get("state")) or {}
    reason = next((v.get("reason") for v in state.values() if isinstance(v, dict) and v.get("reason")), None)
    return f"pod {md.get('namespace')}/{md.get('name')}: {reason or status.get('phase') or 'Pending'}"


def gateway_api_finding(kube: Kube, service: Mapping[str, Any]) -> Finding | None:
    """A finding when a RayService asks for NewClusterWithIncrementalUpgrade on a cluster that
    serves no Gateway API: KubeRay reads the service's Gateway before it writes any status
    (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayservice_controller.go Reconcile,
    reconcileGateway; its RayServiceIncrementalUpgrade gate is on by default, pkg/features/
    features.go), so the Get fails on every reconcile and the service never gets a status."""
    from akscli.ray.service import INCREMENTAL_UPGRADE

    if ((service.get("spec") or {}).get("upgradeStrategy") or {}).get("type") != INCREMENTAL_UPGRADE:
        return None
    try:
        if kube.has_api("gateway.networking.k8s.io/v1", "Gateway"):
            return None
    except AkscliError:
        return None
    return Finding(
        kind_ref(RAY_API, "RayService", service["metadata"]["name"]),
        "NoGatewayAPI",
        "KubeRay cannot reconcile it: upgradeStrategy NewClusterWithIncrementalUpgrade routes traffic through "
        "a Gateway API Gateway and HTTPRoute (gateway.networking.k8s.io/v1), which this cluster does not serve",
        "install the Gateway API and a Gateway controller for clusterUpgradeOptions.gatewayClassName, "
        "or set upgradeStrategy.type to NewCluster",
    )


def diagnose_cluster(
    kube: Kube,
    namespace: str,
    cluster: str,
    gpu_nodes: bool | None = None,
    *,
    read: tuple[Mapping[str, Any], Iterable[Mapping[str, Any]], HeadPods] | None = None,
) -> list[Finding]:
    """Why a RayCluster is not all there: what the RayCluster says (ReplicaFailure, a refused
    name or spec, suspension), more than one head pod (extra_heads_finding), then at most 20 stuck
    pods and their events. ``read``: the RayCluster, its stuck pods and its head pods where the
    caller has read them already (each is read once).

    KubeRay's ``state: ready`` is sticky (raycluster_controller.go calculateStatus never sets it
    back), so this runs whatever the state is: a worker lost after a scale-up is only seen here.
    """
    findings: list[Finding] = []
    obj, pods, heads = read or (kube.get(RAY_API, "RayCluster", cluster, namespace=namespace), None, HeadPods())
    if obj is not None and heads.owner_uid is None:
        heads.owner_uid = (obj.get("metadata") or {}).get("uid")
    if obj is not None:
        events = [] if spec_accepted(obj) else _events(kube, obj)
        findings.extend(cluster_findings(obj, events))
        if not obj.get("status") and not events:
            findings.extend(f for f in [unpicked_finding(kube, obj, kind_ref(RAY_API, "RayCluster", cluster))] if f)
    stuck = stuck_pods(_noting_heads(cluster_pods(kube, namespace, cluster), heads) if pods is None else pods)
    findings.extend(f for f in [extra_heads_finding(cluster, namespace, heads)] if f)
    if not stuck:
        return findings
    events_by_pod = {str(p["metadata"]["name"]): pod_events(kube, namespace, str(p["metadata"]["name"])) for p in stuck}
    if gpu_nodes is None and any(pod_gpus(p) for p in stuck):
        try:
            gpu_nodes = gpu_nodes_exist(kube)
        except AuthError:
            gpu_nodes = None
    return findings + diagnose_pods(stuck, events_by_pod, gpu_nodes)


def _noting_heads(pods: Iterable[Mapping[str, Any]], heads: HeadPods) -> Iterator[Mapping[str, Any]]:
    for pod in pods:
        if ((pod.get("metadata") or {}).get("labels") or {}).get(NODE_TYPE_LABEL) == "head":
            heads.add(pod)
        yield pod


def _events(kube: Kube, obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    meta = obj["metadata"]
    return pod_events(kube, str(meta["namespace"]), str(meta["name"]), str(obj.get("kind")))


# Warning events KubeRay records on a RayJob that waits or was refused
# (ray-project/kuberay ray-operator/controllers/ray/utils/constant.go, rayjob_controller.go).
_JOB_WARNINGS = frozenset({"RayClusterNotFound", "InvalidRayJobSpec", "InvalidRayJobMetadata", "InvalidRayJobStatus"})


def diagnose_job(kube: Kube, job: Mapping[str, Any]) -> list[Finding]:
    """Why a job is not done: its reason and message, KubeRay's warnings about it (a
    clusterSelector naming a missing cluster keeps it Initializing), then its cluster."""
    status = job.get("status") or {}
    ref = kind_ref(RAY_API, "RayJob", job["metadata"]["name"])
    findings: list[Finding] = []
    if status.get("reason") or status.get("message"):
        deployment, _ = job_phase(job)
        findings.append(Finding(ref, str(status.get("reason") or deployment), str(status.get("message") or "")))
    if not status.get("jobDeploymentStatus"):
        findings.extend(f for f in [unpicked_finding(kube, job, ref)] if f)
    if status.get("jobDeploymentStatus") == "Waiting":  # rayjob_controller.go, the Waiting case
        message = "KubeRay waits for the ID of a job submitted to its cluster (InteractiveMode) and submits nothing"
        how = interactive_hint(job["metadata"]["name"], job["metadata"]["namespace"])
        findings.append(Finding(ref, "Waiting", message, how))
    if not job_finished(job):
        said: set[str] = set()
        for event in _events(kube, {**job, "kind": "RayJob"}):
            reason = str(event.get("reason"))
            if event.get("type") == "Warning" and reason in _JOB_WARNINGS and reason not in said:
                said.add(reason)
                hint = "create that cluster, or submit without --cluster" if reason == "RayClusterNotFound" else None
                findings.append(Finding(ref, reason, str(event.get("message") or ""), hint))
    cluster = status.get("rayClusterName")
    if cluster:
        findings.extend(diagnose_cluster(kube, job["metadata"]["namespace"], str(cluster)))
    return findings


def diagnose_service(kube: Kube, service: Mapping[str, Any]) -> list[Finding]:
    """Why a RayService is not ready: a terminal failure, then its clusters' stuck pods."""
    from akscli.ray.service import service_clusters, service_failure, service_ready

    if service_ready(service) == "True":
        return []
    ns, name = service["metadata"]["namespace"], service["metadata"]["name"]
    failure = service_failure(service)
    ref = kind_ref(RAY_API, "RayService", name)
    findings = [Finding(ref, "Failed", failure)] if failure else []
    if not service.get("status"):
        found = gateway_api_finding(kube, service) or unpicked_finding(kube, service, ref)
        findings.extend(f for f in [found] if f)
    for cluster in service_clusters(service):
        findings.extend(diagnose_cluster(kube, ns, cluster))
    return findings
