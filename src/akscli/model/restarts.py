"""What `model status` warns of for a model whose server pod the kubelet keeps retrying: a container
in CrashLoopBackOff, with how often it restarted, or an image it cannot pull.

Neither ends anything by itself. The kubelet restarts a crashed container with a back-off that
doubles from 10 s to at most 5 minutes, for ever while the pod's restartPolicy is Always, and pulls an
image again with its own back-off capped at 300 s (kubernetes/kubernetes pkg/kubelet/kubelet.go
initialCrashLoopBackOff, MaxContainerBackOff, MaxImageBackOff; pkg/kubelet/kuberuntime/
kuberuntime_manager.go doBackOff); the container's restartCount counts the restarts
(staging/src/k8s.io/api/core/v1/types.go ContainerStatus). A Deployment gives its rollout up only
once no replica progressed for progressDeadlineSeconds (kubernetes/kubernetes
pkg/controller/deployment/progress.go syncRolloutStatus: Progressing False
ProgressDeadlineExceeded; 600 s by default, pkg/apis/apps/v1/defaults.go), so a crash-looping vLLM
pod is a warning with its cause, and `--wait` goes on until that deadline or its own --timeout."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from akscli.errors import AkscliError
from akscli.kube import pod_problems
from akscli.kube.pod_problems import Problem
from akscli.kube.readiness.kaito import model_deployment_members
from akscli.kube.readiness.kuberay import app_troubles, service_failure
from akscli.output import dig, object_ref

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# Pods read for the warning: one page, as pod_problems.first_problem reads.
_PAGE = 50
# AI Runway's vllm and llmd providers set no progressDeadlineSeconds on their Deployments
# (ai-runway/airunway b0d3fb77 providers/vllm/transformer.go, providers/llmd/transformer.go
# buildDeployment), so the API server's default holds; KAITO reports its own pods' crash loop on
# InferenceReady (readiness/kaito.py _WORKSPACE), so its models are not read here.
_DEPLOYMENT_PROVIDERS = ("vllm", "llmd")


def restarts(pod: Mapping[str, Any], container: str) -> int:
    """The named container's restartCount (init containers included), 0 where it has none."""
    status = pod.get("status") or {}
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        if cs.get("name") == container and isinstance(cs.get("restartCount"), int):
            return int(cs["restartCount"])
    return 0


def retried(pods: Iterable[Mapping[str, Any]]) -> tuple[Problem, int] | None:
    """The first pod (by name) whose container the kubelet is retrying, and its restart count."""
    for pod in sorted(pods, key=lambda p: str((p.get("metadata") or {}).get("name") or "")):
        found = pod_problems.problem(pod)
        if found is not None and (found.crash_loop or found.image_pull):
            return found, restarts(pod, found.container)
    return None


def line(ref: str, found: Problem, count: int, deadline: int | None) -> str:
    """``REF: pod P container C: CrashLoopBackOff ...; restarted N times; the kubelet retries it ...``;
    ``deadline``: the Deployment's progressDeadlineSeconds, None where no Deployment rolls it."""
    what = "restarts the container" if found.crash_loop else "pulls the image again"
    said = f"{ref}: {found}"
    if found.crash_loop:
        said += f"; restarted {count} time{'' if count == 1 else 's'}"
    said += f"; the kubelet {what} with back-off (at most every 5 minutes)"
    if deadline is not None:
        said += f", and the Deployment gives the rollout up only after {deadline}s without progress"
    return said


def deadline_of(deployment: Mapping[str, Any]) -> int:
    """progressDeadlineSeconds, as the API server defaults it (600)."""
    value = (deployment.get("spec") or {}).get("progressDeadlineSeconds")
    return int(value) if isinstance(value, int) else 600


def serve_retries(kube: Kube, obj: Mapping[str, Any]) -> str | None:
    """The warning for an AI Runway kuberay model not Running whose RayService has a Serve
    application Ray Serve is retrying (UNHEALTHY, or DEPLOY_FAILED with deployments: readiness/
    kuberay.py). Its message carries Ray's count ("The deployment failed to start N times in a row
    ... Retrying after S seconds": ray-project/ray python/ray/serve/_private/deployment_state.py
    check_curr_status). AI Runway reports it Deploying while KubeRay keeps the app in
    pendingServiceStatus (ai-runway/airunway b0d3fb77 providers/kuberay/status.go reads
    activeServiceStatus only), so the phase alone says nothing of it."""
    source = model_deployment_members(obj)
    if source is None or source[1] != "RayService" or dig(obj, "status.phase") == "Running":
        return None
    try:
        found = list(
            kube.list(source[0], source[1], namespace=dig(obj, "metadata.namespace"), label_selector=source[2])
        )
    except AkscliError:
        return None
    for service in found:
        troubles = app_troubles(service.get("status") or {})
        if troubles and service_failure(service) is None:  # one KubeRay or Ray gave up on is no retry
            return f"{object_ref(obj)}: {object_ref(service)}: {'; '.join(troubles)}; Ray Serve retries it"
    return None


def warning(kube: Kube, obj: Mapping[str, Any], selector: str, provider: str) -> str | None:
    """The warning for akscli's vLLM Deployment or an AI Runway model (``provider``: not kaito) whose
    pods (``selector``) the kubelet keeps retrying, or (kuberay) whose Serve app Ray Serve retries;
    None where none is, or what it reads cannot be read."""
    kind = obj.get("kind")
    if kind not in ("Deployment", "ModelDeployment") or provider == "kaito":
        return None
    if provider == "kuberay" and (said := serve_retries(kube, obj)) is not None:
        return said
    namespace = (obj.get("metadata") or {}).get("namespace")
    try:
        pods = list(itertools.islice(kube.list("v1", "Pod", namespace=namespace, label_selector=selector), _PAGE))
    except AkscliError:
        return None  # the rest of the report says what it can
    found = retried(pods)
    if found is None:
        return None
    deadline = deadline_of(obj) if kind == "Deployment" else (600 if provider in _DEPLOYMENT_PROVIDERS else None)
    return line(object_ref(obj), found[0], found[1], deadline)
