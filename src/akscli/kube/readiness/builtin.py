"""Readiness of Kubernetes' own kinds, as ``kubectl rollout status`` and ``kubectl wait`` judge them.

The workload rules follow kubernetes/kubectl ``pkg/polymorphichelpers/rollout_status.go``
(DeploymentStatusViewer, DaemonSetStatusViewer, StatefulSetStatusViewer): nothing counts until
``status.observedGeneration`` has reached ``metadata.generation``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.kube.readiness.core import (
    READY,
    ConditionRule,
    Generation,
    Readiness,
    Rule,
    Terminal,
    conditions,
    describe,
    stale,
    status_of,
)

ROLLOUT_STATUS = "kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go"


def _replicas(obj: Mapping[str, Any]) -> int:
    value = (obj.get("spec") or {}).get("replicas", 1)
    return int(value) if isinstance(value, int) else 1


def replica_failure(deployment: Mapping[str, Any]) -> str:
    """Why the Deployment's ReplicaSet creates no pod, as "ReplicaSet cannot create pods (REASON):
    MESSAGE", "" where it can. The ReplicaSet controller sets ReplicaFailure with reason FailedCreate
    and the API server's refusal as the message (a quota: 'pods "NAME" is forbidden: exceeded quota:
    ...'; an admission webhook's denial) when a pod create fails (kubernetes/kubernetes
    pkg/controller/replicaset/replica_set_utils.go calculateStatus), and the Deployment controller
    copies it onto the Deployment (pkg/controller/deployment/progress.go syncRolloutStatus,
    getReplicaFailures), so the Deployment read says it with no other request."""
    # staging/src/k8s.io/api/apps/v1/types.go DeploymentReplicaFailure
    cond = conditions(deployment).get("ReplicaFailure")
    if cond is None or cond.get("status") != "True":
        return ""
    return f"ReplicaSet cannot create pods ({cond.get('reason') or 'FailedCreate'}): {cond.get('message') or ''}"


def deployment(obj: Mapping[str, Any]) -> Readiness:
    """DeploymentStatusViewer: ProgressDeadlineExceeded is final; then new, old and available replicas."""
    waiting = stale(obj, Generation.STATUS)
    if waiting is not None:
        return waiting
    status = status_of(obj)
    progressing = conditions(obj).get("Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        return Readiness(False, True, describe(progressing), "ProgressDeadlineExceeded")
    want = _replicas(obj)
    updated = int(status.get("updatedReplicas") or 0)
    total = int(status.get("replicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    if updated < want:
        message = f"{updated} of {want} new replicas updated"
        if (obj.get("spec") or {}).get("paused"):
            # A paused Deployment rolls out no new template until it is resumed (kubernetes/kubernetes
            # pkg/controller/deployment/deployment_controller.go syncDeployment: paused -> sync, no
            # rollout); kubectl's viewer keeps waiting, so the wait says why and how to go on.
            md = obj.get("metadata") or {}
            fix = f"resume it: kubectl rollout resume deployment/{md.get('name')} -n {md.get('namespace')}"
            return Readiness(False, message=f"{message}: the Deployment is paused", fix=fix)
        # kubectl's viewer keeps waiting (a quota can be raised, a webhook fixed; the ReplicaSet
        # controller retries), so the wait goes on and says what refuses the pods.
        refused = replica_failure(obj)
        return Readiness(False, message=f"{message}: {refused}" if refused else message)
    if total > updated:
        return Readiness(False, message=f"{total - updated} old replicas pending termination")
    if available < updated:
        return Readiness(False, message=f"{available} of {updated} updated replicas available")
    return READY


def statefulset(obj: Mapping[str, Any]) -> Readiness:
    """StatefulSetStatusViewer: ready replicas; then, where ``spec.updateStrategy.rollingUpdate``
    is set (the API server defaults it, with ``partition: 0``, for every RollingUpdate set:
    kubernetes/kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet), the pods from the
    partition up updated (``updatedReplicas >= replicas - partition``), the revisions aside;
    without it, the update revision current. OnDelete (which kubectl's viewer refuses) is ready
    once its pods are: its pods change only when deleted."""
    waiting = stale(obj, Generation.STATUS)
    if waiting is not None:
        return waiting
    status = status_of(obj)
    want = _replicas(obj)
    ready = int(status.get("readyReplicas") or 0)
    if ready < want:
        return Readiness(False, message=f"{ready}/{want} replicas ready")
    update = (obj.get("spec") or {}).get("updateStrategy") or {}
    if update.get("type", "RollingUpdate") != "RollingUpdate":
        return READY
    rolling = update.get("rollingUpdate")
    if isinstance(rolling, Mapping):
        partition = rolling.get("partition")
        updated = int(status.get("updatedReplicas") or 0)
        if isinstance(partition, int) and updated < want - partition:
            return Readiness(False, message=f"{updated} of {want - partition} new pods updated (partition {partition})")
        return READY
    revision = status.get("updateRevision")
    if revision != status.get("currentRevision"):
        return Readiness(False, message=f"rolling update to revision {revision} in progress")
    return READY


def daemonset(obj: Mapping[str, Any]) -> Readiness:
    """DaemonSetStatusViewer: every scheduled pod updated and available."""
    waiting = stale(obj, Generation.STATUS)
    if waiting is not None:
        return waiting
    status = status_of(obj)
    want = status.get("desiredNumberScheduled")
    if want is None:
        return Readiness(False, message="0/? pods ready")
    updated = int(status.get("updatedNumberScheduled") or 0)
    available = int(status.get("numberAvailable") or status.get("numberReady") or 0)
    if updated < want:
        return Readiness(False, message=f"{updated} of {want} updated pods scheduled")
    if available < want:
        return Readiness(False, message=f"{available}/{want} pods ready")
    return READY


def job(obj: Mapping[str, Any]) -> Readiness:
    """``kubectl wait --for=condition=Complete``; Failed is final, and so is FailureTarget, which
    the Job controller writes first (upstream: kubernetes/kubernetes 6ae037f1
    pkg/controller/job/job_controller.go syncJob, newFailureCondition: with JobManagedBy or
    JobPodReplacementPolicy on (on by default on the versions AKS supports), a backoff limit, deadline or
    podFailurePolicy FailJob sets FailureTarget and deletes the active pods; enactJobFinished adds
    Failed only once none is terminating, a grace period later). FailureTarget is never withdrawn
    (syncJob turns it into Failed), so the wait ends on it with its reason. SuccessCriteriaMet is
    not Complete: the pods a successPolicy leaves are still being stopped. A Job's spec is
    immutable but for suspend and parallelism, so its status carries no observed generation
    (Generation.NONE)."""
    conds = conditions(obj)
    if conds.get("Complete", {}).get("status") == "True":
        return READY
    for kind in ("Failed", "FailureTarget"):
        failed = conds.get(kind)
        if failed is not None and failed.get("status") == "True":
            return Readiness(False, True, describe(failed), str(failed.get("reason") or ""))
    status = status_of(obj)
    return Readiness(False, message=f"{status.get('succeeded') or 0} succeeded, {status.get('active') or 0} active")


def pod(obj: Mapping[str, Any]) -> Readiness:
    """Ready condition or phase Succeeded; phase Failed is final (kubernetes/kubernetes
    pkg/kubelet/status/status_manager.go). Generation.NONE: the kubelet's status names no generation
    on the API versions akscli supports."""
    status = status_of(obj)
    phase = status.get("phase")
    if phase == "Succeeded" or conditions(obj).get("Ready", {}).get("status") == "True":
        return READY
    if phase == "Failed":
        return Readiness(False, True, f"pod failed: {status.get('message', '')}", str(status.get("reason") or ""))
    return Readiness(False, message=f"pod is {phase or 'Pending'}")


def namespace(obj: Mapping[str, Any]) -> Readiness:
    """phase Active (kubernetes/kubernetes pkg/controller/namespace); Generation.NONE."""
    phase = status_of(obj).get("phase")
    return READY if phase in (None, "Active") else Readiness(False, message=f"phase={phase}")


def cluster_policy(obj: Mapping[str, Any]) -> Readiness:
    """The GPU Operator's ClusterPolicy (NVIDIA/gpu-operator a22dbf67; Generation.NONE: the status
    carries no observed generation). ``api/nvidia/v1/clusterpolicy_types.go`` allows
    ignored|ready|notReady, and ``controllers/clusterpolicy_controller.go`` Reconcile writes only two
    (updateCRState): ``ready`` and ``notReady``. ``ignored`` is set on the in-memory copy of a policy
    that is not the oldest and never written (controllers/clusterpolicy_controller_test.go
    TestClusterPolicyReconcileSkipsNonSingleton:
    "no state is persisted"), so such a policy keeps no state. No state is final: a not-ready operand
    is requeued after 5 s and a failed reconcile is retried, so the wait goes on, with the message of
    the Error condition the operator sets beside it (internal/conditions/clusterpolicy.go
    updateConditions: OperandNotReady "ClusterPolicy is not ready; states not ready: [...]", or
    ReconcileFailed)."""
    state = str(status_of(obj).get("state") or "")
    if state == "ready":
        return READY
    error = conditions(obj).get("Error") or {}
    said = f": {error['message']}" if error.get("status") == "True" and error.get("message") else ""
    if not state:
        return Readiness(
            False,
            message="status.state=<unset>: the GPU Operator has not reconciled it (it acts "
            "only on the oldest ClusterPolicy)",
        )
    return Readiness(False, message=f"status.state={state}{said}", reason=str(error.get("reason") or ""))


RULES: dict[tuple[str, str], Rule] = {
    ("apps", "Deployment"): deployment,
    ("apps", "StatefulSet"): statefulset,
    ("apps", "DaemonSet"): daemonset,
    ("batch", "Job"): job,
    ("", "Pod"): pod,
    ("", "Namespace"): namespace,
    # kubernetes/apiextensions-apiserver pkg/controller/establish: no observedGeneration on CRDs.
    ("apiextensions.k8s.io", "CustomResourceDefinition"): ConditionRule(
        upstream="kubernetes/apiextensions-apiserver pkg/controller/establish/establishing_controller.go",
        generation=Generation.NONE,
        ready=("Established",),
        terminal=(Terminal("NamesAccepted", reasons=("MultipleNamesNotAllowed", "ListKindConflict")),),
    ),
    ("nvidia.com", "ClusterPolicy"): cluster_policy,
    # kedacore/keda controllers/keda/scaledobject_controller.go: Ready condition, no observedGeneration.
    ("keda.sh", "ScaledObject"): ConditionRule(
        upstream="kedacore/keda controllers/keda/scaledobject_controller.go",
        generation=Generation.NONE,
        ready=("Ready",),
    ),
}
