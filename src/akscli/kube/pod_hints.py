"""What to do about a container the kubelet cannot run, by the reason it reports in the
container's waiting or terminated state and the message it writes beside it.

The reasons are the kubelet's own (upstream: kubernetes/kubernetes v1.32.0
pkg/kubelet/kuberuntime/kuberuntime_container.go: CreateContainerConfigError, PreCreateHookError,
CreateContainerError, PreStartHookError, PostStartHookError; pkg/kubelet/container/sync_result.go:
CrashLoopBackOff, RunContainerError; pkg/kubelet/images/types.go: ErrImagePull, ImagePullBackOff,
InvalidImageName, ErrImageNeverPull, ImageInspectError). A reason's message is the error the
kubelet met, so where a reason has several causes the message says which; a hint never guesses
past what the message and the pod's spec say."""

from __future__ import annotations

import re

from akscli.kube import pod_problems
from akscli.kube.pod_problems import EnvRef, Problem

# The errors a missing env source gives (upstream: kubernetes/kubernetes v1.32.0
# pkg/kubelet/kubelet_pods.go, makeEnvironmentVariables: the secret and configmap managers'
# apierrors.NewNotFound(corev1.Resource("secret"|"configmap"), name), which reads
# `secret "NAME" not found`, pkg/kubelet/secret/secret_manager.go and
# pkg/kubelet/util/manager/watch_based_manager.go; and "couldn't find key %v in Secret %v/%v").
_MISSING = re.compile(r'\b(secret|configmap) "([^"]+)" not found')
_MISSING_KEY = re.compile(r"couldn't find key (\S+) in (Secret|ConfigMap) ([^/\s]+)/(\S+)")
# verifyRunAsNonRoot's errors (upstream: kubernetes/kubernetes v1.32.0
# pkg/kubelet/kuberuntime/security_context_others.go).
_RUNS_AS_ROOT = "has runAsNonRoot and image will run as root"
_NON_NUMERIC_USER = "has runAsNonRoot and image has non-numeric user"

# What a registry's refusal and a missing image read as in the container runtime's pull error
# (containerd's "failed to resolve reference ...: not found" and "401 Unauthorized"). Docker
# Hub answers a missing repository and a refused one alike ("pull access denied, repository does
# not exist or may require authorization"), so that one is either.
_PULL_EITHER = "repository does not exist or may require authorization"
_PULL_DENIED = ("unauthorized", "403 forbidden", "authentication required", "authorization failed")
_PULL_NOT_FOUND = ("not found", "manifest unknown")

_REGISTRY = "check the image name and tag, and that the cluster can pull from its registry (az aks update --attach-acr)"


def fix(problem: Problem) -> str | None:
    """The hint for a kubelet's problem, or None (an unschedulable pod's hint depends on who asks)."""
    if problem.kind == pod_problems.UNSCHEDULABLE:
        return None
    if problem.kind == pod_problems.TERMINATED:
        return _terminated(problem)
    hint = _WAITING.get(problem.reason)
    if hint is not None:
        return hint(problem)
    if problem.image_pull:
        return _image_pull(problem)
    return None


def _where(problem: Problem) -> str:
    return f" -n {problem.namespace}" if problem.namespace else ""


def _describe(problem: Problem) -> str:
    return f"kubectl describe pod {problem.pod}{_where(problem)}"


def _logs(problem: Problem, previous: bool) -> str:
    return f"kubectl logs {problem.pod}{_where(problem)} -c {problem.container}" + (" --previous" if previous else "")


def _terminated(problem: Problem) -> str:
    if problem.reason == "OOMKilled":
        return (
            f"container {problem.container} ran out of memory: raise its resources.limits.memory; "
            f"its logs: {_logs(problem, previous=False)}"
        )
    return f"see its logs: {_logs(problem, previous=False)}"


def _crash_loop(problem: Problem) -> str:
    if problem.last_exit == "OOMKilled":
        return (
            f"container {problem.container} keeps running out of memory (OOMKilled): raise its "
            f"resources.limits.memory; its last logs: {_logs(problem, previous=True)}"
        )
    return f"see its logs: {_logs(problem, previous=True)}"


def _image_pull(problem: Problem) -> str:
    text = problem.message.lower()
    if _PULL_EITHER in text:
        return (
            "the registry has no such repository, or refuses the node's credentials: check the image "
            "name, and that the cluster can pull from it (az aks update --attach-acr ACR, or an imagePullSecret)"
        )
    if any(word in text for word in _PULL_DENIED):
        return (
            "the registry refused the node's credentials: let the cluster pull from it "
            "(az aks update --attach-acr ACR), or give the pod an imagePullSecret"
        )
    if any(word in text for word in _PULL_NOT_FOUND):
        return "the registry has no such image or tag: check the container's image name and tag"
    return _REGISTRY


def _invalid_image(problem: Problem) -> str:
    return (
        f"container {problem.container}'s image is not a valid reference: write it as "
        "[REGISTRY/]REPOSITORY[:TAG|@DIGEST], the repository in lower case"
    )


def _never_pull(problem: Problem) -> str:
    return (
        f"container {problem.container} has imagePullPolicy: Never and its image is not on the node: "
        "set imagePullPolicy: IfNotPresent, or load the image onto the node"
    )


def _inspect(problem: Problem) -> str:
    return f"the container runtime on the node could not read the image: {_node_hint(problem)}"


def _registry_unavailable(problem: Problem) -> str:
    return (
        "the node cannot reach the image's registry: check the cluster's outbound network "
        "(firewall, egress rules, private DNS) for that registry"
    )


def _signature(problem: Problem) -> str:
    return "the image's signature did not pass the node's image policy: use a signed image the policy accepts"


def _create_config(problem: Problem) -> str:
    """CreateContainerConfigError: the message names the missing Secret, ConfigMap or key, or
    the runAsNonRoot check; the pod's spec says which variable reads it."""
    found = _MISSING.search(problem.message)
    if found:
        kind = "Secret" if found.group(1) == "secret" else "ConfigMap"
        return _missing_source(problem, kind, found.group(2))
    found = _MISSING_KEY.search(problem.message)
    if found:
        key, kind, name = found.group(1), found.group(2), found.group(4)
        readers = [r for r in problem.refs if r.kind == kind and r.name == name and r.key == key]
        by = f" ({_readers(readers)} of container {problem.container} reads it)" if readers else ""
        return (
            f"{kind} {name} has no key {key}{by}: add the key, or fix the reference; "
            f"its keys: kubectl describe {kind.lower()} {name}{_where(problem)}"
        )
    if _RUNS_AS_ROOT in problem.message:
        return (
            f"the pod requires runAsNonRoot but container {problem.container}'s image runs as root: "
            "set securityContext.runAsUser to a non-zero UID, or use an image with a non-root USER"
        )
    if _NON_NUMERIC_USER in problem.message:
        return (
            f"the pod requires runAsNonRoot but container {problem.container}'s image names its user, "
            "which the kubelet cannot check: set securityContext.runAsUser to that user's numeric UID"
        )
    required = [r for r in problem.refs if not r.optional]
    if required:
        listed = ", ".join(f"{r.kind} {r.name}" for r in _unique(required))
        return (
            f"container {problem.container} reads {listed}: check that each exists with the keys it "
            f"reads (kubectl get secret,configmap{_where(problem)}); the kubelet's event says which: "
            f"{_describe(problem)}"
        )
    return f"the kubelet could not build the container's configuration; its event says why: {_describe(problem)}"


def _missing_source(problem: Problem, kind: str, name: str) -> str:
    readers = [r for r in problem.refs if r.kind == kind and r.name == name]
    by = f", which {_readers(readers)} of container {problem.container} reads," if readers else ""
    namespace = f" in namespace {problem.namespace}" if problem.namespace else ""
    return (
        f"{kind} {name}{by} does not exist{namespace}: create it, or fix the reference (or mark it "
        f"optional: true); check with: kubectl get {kind.lower()} {name}{_where(problem)}"
    )


def _readers(refs: list[EnvRef]) -> str:
    names = [r.where for r in refs]
    return ", ".join(dict.fromkeys(names))


def _unique(refs: list[EnvRef]) -> list[EnvRef]:
    seen: dict[tuple[str, str], EnvRef] = {}
    for ref in refs:
        seen.setdefault((ref.kind, ref.name), ref)
    return list(seen.values())


def _create_container(problem: Problem) -> str:
    text = problem.message.lower()
    if "no command specified" in text:
        return (
            f"container {problem.container}'s image has no entrypoint and the pod gives no command: "
            "set the container's command"
        )
    if "failed to reserve container name" in text or "deadline exceeded" in text:
        return (
            f"the container runtime on the node is slow and the kubelet retries by itself; if it "
            f"lasts: {_node_hint(problem)}"
        )
    return f"the container runtime could not create the container; its event says why: {_describe(problem)}"


def _run_container(problem: Problem) -> str:
    text = problem.message.lower()
    if "executable file not found" in text or "no such file or directory" in text:
        return (
            f"container {problem.container}'s command is not in its image: fix the container's command "
            "and args, or the image's entrypoint"
        )
    if "permission denied" in text:
        return (
            f"container {problem.container}'s command cannot be run in its image (permission denied): "
            "fix its command, or the file's mode in the image"
        )
    return f"the container runtime could not start the container; its event says why: {_describe(problem)}"


def _internal_hook(problem: Problem) -> str:
    # The kubelet's internal lifecycle: its CPU, memory and topology managers
    # (pkg/kubelet/cm/internal_container_lifecycle.go), so a fault of the node, not the pod.
    return "the kubelet's CPU, memory or topology manager on the node refused the container: " + _node_hint(problem)


def _post_start(problem: Problem) -> str:
    return (
        f"container {problem.container}'s lifecycle.postStart hook failed and the kubelet killed the "
        f"container: fix the hook; the message is its output, and the events: {_describe(problem)}"
    )


def _node_hint(problem: Problem) -> str:
    node = f" {problem.node}" if problem.node else ""
    return (
        f"see kubectl describe node{node}; delete the pod so that its controller recreates it, possibly on another node"
    )


_WAITING = {
    "CrashLoopBackOff": _crash_loop,
    "InvalidImageName": _invalid_image,
    "ErrImageNeverPull": _never_pull,
    "ImageInspectError": _inspect,
    "RegistryUnavailable": _registry_unavailable,
    "SignatureValidationFailed": _signature,
    "CreateContainerConfigError": _create_config,
    "CreateContainerError": _create_container,
    "RunContainerError": _run_container,
    "PreCreateHookError": _internal_hook,
    "PreStartHookError": _internal_hook,
    "PostStartHookError": _post_start,
}
