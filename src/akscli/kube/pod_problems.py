"""Why a workload's pods are not running, in the words of the component that knows: the
scheduler's PodScheduled condition, the kubelet's container states. A wait that times out
quotes it, so "16 of 17 replicas available" comes with "0/3 nodes are available: 3 Insufficient
nvidia.com/gpu" instead of a hint to go and run kubectl describe."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any, Literal

from akscli import redact
from akscli.kube import label_selector
from akscli.kube.selectors import SelectorError

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# Waiting reasons that are a pod on its way up, not a problem (kubelet: pkg/kubelet/kubelet_pods.go
# and kuberuntime's "ContainerCreating"/"PodInitializing").
_STARTING = ("ContainerCreating", "PodInitializing")
_PAGE = 50

# The kubelet's waiting reasons for an image it cannot pull (upstream: kubernetes/kubernetes v1.32.0
# pkg/kubelet/images/types.go: ImagePullBackOff, ImageInspectError, ErrImagePull, ErrImageNeverPull,
# InvalidImageName; RegistryUnavailable and SignatureValidationFailed are the PullImage RPC's,
# pkg/kubelet/container/sync_result.go on current kubelets, images/types.go before v1.20).
IMAGE_PULL_REASONS = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ErrImageNeverPull",
        "ImageInspectError",
        "RegistryUnavailable",
        "SignatureValidationFailed",
    }
)
# The kubelet could not build the container's configuration: an env/envFrom Secret, ConfigMap
# or key that does not exist, a runAsNonRoot it cannot verify (upstream: kubernetes/kubernetes
# v1.32.0 pkg/kubelet/kuberuntime/kuberuntime_container.go, startContainer: ErrCreateContainerConfig
# for an error of generateContainerConfig).
CREATE_CONFIG = "CreateContainerConfigError"
# A container that keeps exiting (upstream: kubernetes/kubernetes v1.32.0
# pkg/kubelet/container/sync_result.go, ErrCrashLoopBackOff).
CRASH_LOOP = "CrashLoopBackOff"

# What keeps a pod from running: the scheduler placed it nowhere (PodScheduled False), a
# container waits for something that will not come by itself (a pull, a config, a back-off), or a
# container ended with a non-zero exit code.
Kind = Literal["unschedulable", "waiting", "terminated"]
UNSCHEDULABLE: Kind = "unschedulable"
WAITING: Kind = "waiting"
TERMINATED: Kind = "terminated"


@dataclass(frozen=True)
class Problem:
    """One pod's problem in the words of the component that reported it: kube-scheduler's
    PodScheduled condition or the kubelet's container state (upstream: kubernetes/kubernetes
    v1.32.0 staging/src/k8s.io/api/core/v1/types.go, PodCondition, ContainerStateWaiting,
    ContainerStateTerminated)."""

    kind: Kind
    pod: str
    reason: str  # PodScheduled's reason ("Unschedulable"), or the container state's reason
    message: str  # the scheduler's or the kubelet's message, "" where it wrote none
    namespace: str = ""
    container: str = ""
    last_exit: str = ""  # a waiting container's lastState.terminated.reason
    exit_code: int | None = None  # a terminated container's, or a waiting one's last exit code
    # a waiting container's lastState.terminated.message, its last line: the kubelet writes it from
    # the container's message file or, with terminationMessagePolicy FallbackToLogsOnError, its
    # log's tail (kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go
    # convertToKubeContainerStatus, getTerminationMessage, readLastStringFromContainerLogs)
    last_message: str = ""
    # The Secrets and ConfigMaps the container's env and envFrom read, from the pod's spec: only
    # for CreateContainerConfigError, whose hint names the one that is missing.
    refs: tuple[EnvRef, ...] = ()
    node: str = ""  # spec.nodeName, where the kubelet that reports it runs
    # The pod as it was read (an unschedulable one's): what the autoscaler's note reads for the
    # pool the pod asks for (scale_up.read_note), so the pod is not read again by name.
    source: Mapping[str, Any] | None = dc_field(default=None, compare=False, repr=False)

    @property
    def image_pull(self) -> bool:
        return self.kind == WAITING and self.reason in IMAGE_PULL_REASONS

    @property
    def crash_loop(self) -> bool:
        return self.kind == WAITING and self.reason == CRASH_LOOP

    @property
    def text(self) -> str:
        """The problem without the pod: ``not scheduled: 0/3 nodes are available: ...`` or
        ``container main: ImagePullBackOff: Back-off pulling image "x:1"``."""
        if self.kind == UNSCHEDULABLE:
            return f"not scheduled: {self.message or self.reason or 'no node chosen yet'}"
        text = f"container {self.container}: {self.reason}"
        if self.kind == TERMINATED:
            text += f" (exit code {self.exit_code})"
        elif self.last_exit:
            code = f", exit code {self.exit_code}" if self.exit_code is not None else ""
            text += f" (last exit: {self.last_exit}{code})"
        said = f"{text}: {self.message}" if self.message else text
        return f"{said}; its last message: {self.last_message}" if self.last_message else said

    def __str__(self) -> str:
        return f"pod {self.pod} {self.text}"

    @property
    def qualified(self) -> str:
        """``pod NAMESPACE/NAME <problem>``, for a report that spans namespaces."""
        return f"pod {self.namespace}/{self.pod} {self.text}"


@dataclass(frozen=True)
class EnvRef:
    """One Secret or ConfigMap a container's environment reads (core/v1 EnvVarSource's
    secretKeyRef/configMapKeyRef, EnvFromSource's secretRef/configMapRef)."""

    kind: Literal["Secret", "ConfigMap"]
    name: str
    key: str = ""  # the key a secretKeyRef/configMapKeyRef reads; "" for envFrom (every key)
    env: str = ""  # the variable it sets; "" for envFrom
    optional: bool = False

    @property
    def where(self) -> str:
        return f"env {self.env}" if self.env else "envFrom"


def env_refs(container: Mapping[str, Any]) -> tuple[EnvRef, ...]:
    """The Secrets and ConfigMaps one container spec's env and envFrom name, envFrom first (the
    order the kubelet resolves them in: kubernetes/kubernetes v1.32.0 pkg/kubelet/kubelet_pods.go,
    makeEnvironmentVariables)."""
    refs: list[EnvRef] = []
    for source in container.get("envFrom") or []:
        for field, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
            ref = source.get(field)
            if isinstance(ref, Mapping) and ref.get("name"):
                refs.append(EnvRef(kind, str(ref["name"]), optional=bool(ref.get("optional"))))  # type: ignore[arg-type]
    for var in container.get("env") or []:
        source = var.get("valueFrom") or {}
        for field, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
            ref = source.get(field)
            if isinstance(ref, Mapping) and ref.get("name"):
                refs.append(
                    EnvRef(
                        kind,  # type: ignore[arg-type]
                        str(ref["name"]),
                        key=str(ref.get("key") or ""),
                        env=str(var.get("name") or ""),
                        optional=bool(ref.get("optional")),
                    )
                )
    return tuple(refs)


def _container_spec(pod: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    spec = pod.get("spec") or {}
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        if container.get("name") == name:
            return container  # type: ignore[no-any-return]
    return {}


def after(trouble: Problem | None) -> str:
    """``; pod NAMESPACE/NAME <problem>`` to follow a verdict such as "none ready", or nothing."""
    return f"; {trouble.qualified}" if trouble else ""


def selector_string(selector: Mapping[str, Any] | None) -> str | None:
    """A LabelSelector as the `labelSelector` query parameter: metav1.LabelSelectorAsSelector's
    String() (akscli.kube.label_selector; requirements sorted by key, values sorted). None for a
    missing or empty one (which selects everything) and for one upstream cannot read (the API
    server stores no workload with one)."""
    try:
        return label_selector.selector_string(selector) or None
    except SelectorError:
        return None


def problem(pod: Mapping[str, Any]) -> Problem | None:
    """What keeps one pod from running, or None when nothing does (yet)."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded",):
        return None
    meta = pod.get("metadata") or {}
    name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
    node = str((pod.get("spec") or {}).get("nodeName") or "")
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
            return Problem(
                UNSCHEDULABLE,
                name,
                str(cond.get("reason") or ""),
                str(cond.get("message") or ""),
                namespace,
                source=pod,
            )
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        state = cs.get("state") or {}
        waiting = state.get("waiting") or {}
        reason = waiting.get("reason")
        if reason and reason not in _STARTING:
            last = (cs.get("lastState") or {}).get("terminated") or {}
            container = str(cs.get("name"))
            refs = env_refs(_container_spec(pod, container)) if reason == CREATE_CONFIG else ()
            return Problem(
                WAITING,
                name,
                str(reason),
                str(waiting.get("message") or ""),
                namespace,
                container=container,
                last_exit=str(last.get("reason") or ""),
                exit_code=last["exitCode"] if isinstance(last.get("exitCode"), int) else None,
                last_message=_last_line(redact.scrub(str(last.get("message") or "")))[:300],
                refs=refs,
                node=node,
            )
        ended = state.get("terminated") or {}
        code = ended.get("exitCode")
        if ended and code not in (None, 0) and not _killed_by_deletion(meta, ended):
            return Problem(
                TERMINATED,
                name,
                str(ended.get("reason") or "Error"),
                _last_line(redact.hide_tokens(str(ended.get("message") or ""))),
                namespace,
                container=str(cs.get("name")),
                exit_code=int(code),
                node=node,
            )
    return None


# A deleted pod's containers are stopped by its kubelet: SIGTERM, then SIGKILL once the grace period
# is over (kubernetes/kubernetes v1.32.0 pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer),
# so a process without a handler ends 128 + 15 or 128 + 9; a container the runtime no longer reports
# is ContainerStatusUnknown, 137 (pkg/kubelet/status/status_manager.go TerminatePod). Whoever deleted
# the pod stopped it (a Job past its activeDeadlineSeconds deletes its active pods:
# pkg/controller/job/job_controller.go), so that exit says nothing of why it was not running.
# A process that traps SIGTERM exits with a code of its own, and the runtime's reason is then only
# "Error" or "Completed" (the kubelet gives none of its own for a kill), so the time tells it apart:
# the API server sets deletionTimestamp to the time of the delete plus the grace period and keeps that
# period in deletionGracePeriodSeconds (kubernetes/apiserver 24a394e51 pkg/registry/rest/delete.go
# BeforeDelete), and a container that finished at or after the delete was stopped by it.
_KILLED_EXIT_CODES = (128 + 15, 128 + 9)


def _killed_by_deletion(meta: Mapping[str, Any], ended: Mapping[str, Any]) -> bool:
    if not meta.get("deletionTimestamp") or ended.get("reason") == "OOMKilled":
        return False
    if ended.get("exitCode") in _KILLED_EXIT_CODES:
        return True
    from datetime import timedelta

    from akscli import timestamps

    deleted = timestamps.parse(meta.get("deletionTimestamp"))
    finished = timestamps.parse(ended.get("finishedAt"))
    grace = meta.get("deletionGracePeriodSeconds")
    if deleted is None or finished is None or not isinstance(grace, int):
        return False
    return finished >= deleted - timedelta(seconds=grace)


def _last_line(text: str) -> str:
    """A termination message's last line: the kubelet writes the container's message file or,
    with FallbackToLogsOnError, its log's tail, where the error (a traceback's) comes last."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def first_problem(kube: Kube, namespace: str | None, selector: Mapping[str, Any] | None) -> Problem | None:
    """The problem of the first of the selected pods that has one (one page read); its ``str``
    is ``pod NAME <problem>``."""
    from akscli import errors

    labels = selector_string(selector)
    if labels is None:
        return None
    try:
        page = next(iter(kube.list_pages("v1", "Pod", namespace=namespace, label_selector=labels, page_size=_PAGE)))
    except (errors.AkscliError, StopIteration):
        return None
    for pod in page.get("items") or []:
        found = problem(pod)
        if found:
            return found
    return None
