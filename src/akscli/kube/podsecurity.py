"""PodSecurity preflight: refuse, before anything is sent, the pod templates that the target
namespace's Pod Security level would refuse, and warn for those its warn level flags.

kube-apiserver's PodSecurity admission (upstream: kubernetes/kubernetes plugin/pkg/admission/
security/podsecurity/admission.go, over kubernetes/pod-security-admission 8f84a87c
admission/admission.go) refuses a Pod its namespace's ``enforce`` level forbids, but only warns
for a Deployment, Job, DaemonSet (ValidatePodController evaluates workloads at the ``warn`` level
alone). So a server dry run of a Deployment passes, its ReplicaSet's Pods are then refused
(FailedCreate) and a ``--wait`` runs to its timeout. This check evaluates every pod template akscli
is about to send, as the plugin evaluates a Pod, and says so at once.

- Labels (api/helpers.go PolicyToEvaluate, ParseLevel, ParseVersion):
  ``pod-security.kubernetes.io/enforce`` and ``-version``, ``warn`` and ``-version``; an unset
  warn level takes a stricter enforce level (and its version); an invalid enforce level is
  ``restricted`` (fail closed), an invalid warn level ``privileged``, an invalid version
  ``latest``. ``audit`` only annotates the API server's audit log: nothing for a user here.
- Not known here: the API server's exemptions (usernames, runtimeClasses, namespaces in its
  AdmissionConfiguration). AKS configures none; a cluster that does can pass ``--dry-run=server``
  to see its answer for the Pods' owners, but the Pods themselves are checked here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import errors
from akscli.kube import namespaces, safeguards
from akscli.kube.podsecurity_checks import LEVELS, evaluate
from akscli.output import object_ref

if TYPE_CHECKING:
    from akscli.kube.client import Kube, KubeTarget

PREFIX = "pod-security.kubernetes.io/"
_VERSION = re.compile(r"^v1\.([0-9]|[1-9][0-9]*)$")
# where each workload kind keeps its pod template (admission/admission.go PodSpecExtractor)
TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "ReplicationController"): ("spec", "template"),
    ("", "PodTemplate"): ("template",),
    ("apps", "ReplicaSet"): ("spec", "template"),
    ("apps", "Deployment"): ("spec", "template"),
    ("apps", "StatefulSet"): ("spec", "template"),
    ("apps", "DaemonSet"): ("spec", "template"),
    ("batch", "Job"): ("spec", "template"),
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template"),
}


# kuberay common/job.go GetDefaultSubmitterContainer: no securityContext
SUBMITTER: dict[str, Any] = {"name": "ray-job-submitter"}


@dataclass(frozen=True)
class Level:
    level: str
    version: str  # "latest" or "v1.N"

    @property
    def minor(self) -> int | None:
        match = _VERSION.match(self.version)
        return int(match.group(1)) if match else None

    def __str__(self) -> str:
        return f"{self.level}:{self.version}"


def _version(labels: Mapping[str, str], mode: str, default: str) -> str:
    value = labels.get(f"{PREFIX}{mode}-version")
    if value is None:
        return default
    return value if _VERSION.match(value) else "latest"


def policy(labels: Mapping[str, str]) -> tuple[Level, Level]:
    """(enforce, warn) from a namespace's labels, as PolicyToEvaluate makes them."""
    enforce_label = labels.get(PREFIX + "enforce")
    enforce_level = "privileged" if enforce_label is None else enforce_label
    if enforce_level not in LEVELS:
        enforce_level = "restricted"
    enforce = Level(enforce_level, _version(labels, "enforce", "latest"))
    warn_label = labels.get(PREFIX + "warn")
    warn_level = "privileged" if warn_label is None or warn_label not in LEVELS else warn_label
    warn = Level(warn_level, _version(labels, "warn", "latest"))
    valid_enforce = enforce_label in LEVELS
    if warn_label is None and valid_enforce and LEVELS.index(enforce.level) > LEVELS.index(warn.level):
        version = warn.version if PREFIX + "warn-version" in labels else enforce.version
        warn = Level(enforce.level, version)
    return enforce, warn


def pod_specs(obj: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The pod specs an object's pods are made from, each with where it is ("" for a Pod or a
    workload's one template); none for other objects."""
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.split("/")[0] if "/" in api_version else ""
    kind = str(obj.get("kind"))
    spec = _spec(obj)
    if (group, kind) == ("", "Pod"):
        return [("", spec)]
    if group == "ray.io":
        return _ray_specs(kind, spec)
    if group in ("kaito.sh", "airunway.ai"):
        from akscli.kube import podsecurity_operators

        return podsecurity_operators.pod_specs(group, kind, obj)
    path = TEMPLATES.get((group, kind))
    node: Any = obj
    for key in path or ():
        node = node.get(key) if isinstance(node, dict) else None
    if path is None or not isinstance(node, dict):
        return []
    return [("", _spec(node))]


def _spec(template: Any) -> dict[str, Any]:
    spec = template.get("spec") if isinstance(template, dict) else None
    return spec if isinstance(spec, dict) else {}


def _ray_specs(kind: str, spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """KubeRay makes Pods from a RayCluster's head and worker group templates (a RayJob's
    rayClusterSpec and submitterPodTemplate, a RayService's rayClusterConfig). With in-tree
    autoscaling the head Pod also gets the ``autoscaler`` container, whose securityContext is
    autoscalerOptions.securityContext (upstream: ray-project/kuberay feeaf72f ray-operator/
    controllers/ray/common/pod.go BuildAutoscalerContainer, mergeAutoscalerOverrides). Its init
    containers copy the Ray container's securityContext (same file), so they pass where it does.

    A RayJob's submitter (kuberay feeaf72f): in K8sJobMode (the default, apis/ray/v1/
    rayjob_types.go) a Job from submitterPodTemplate, else from common/job.go
    GetSubmitterTemplate's default, one container ``ray-job-submitter`` (utils/constant.go
    SubmitterContainerName) with no securityContext; in SidecarMode that container joins the head
    pod (rayjob_controller.go constructRayClusterForRayJob, getSubmitterContainer); HTTPMode and
    InteractiveMode make no submitter pod."""
    found: list[tuple[str, dict[str, Any]]] = []
    cluster = {"RayCluster": spec, "RayJob": spec.get("rayClusterSpec"), "RayService": spec.get("rayClusterConfig")}
    cluster_spec = cluster.get(kind)
    if isinstance(cluster_spec, dict):
        head = dict(_spec((cluster_spec.get("headGroupSpec") or {}).get("template")))
        if kind == "RayJob" and spec.get("submissionMode") == "SidecarMode":
            head["containers"] = [*(head.get("containers") or []), SUBMITTER]  # before BuildPod's autoscaler
        if cluster_spec.get("enableInTreeAutoscaling") is True:
            options = cluster_spec.get("autoscalerOptions") or {}
            sidecar: dict[str, Any] = {"name": "autoscaler"}
            if options.get("securityContext") is not None:
                sidecar["securityContext"] = options["securityContext"]
            head["containers"] = [*(head.get("containers") or []), sidecar]
        found.append(("head group", head))
        for group in cluster_spec.get("workerGroupSpecs") or []:
            if isinstance(group, dict):
                found.append((f"worker group {group.get('groupName')}", _spec(group.get("template"))))
    if kind == "RayJob" and (spec.get("submissionMode") or "K8sJobMode") == "K8sJobMode":
        template = spec.get("submitterPodTemplate")
        found.append(("submitter", _spec(template) if isinstance(template, dict) else {"containers": [SUBMITTER]}))
    return found


def _ref(obj: Mapping[str, Any], where: str) -> str:
    ref = object_ref(obj)  # kind.group/name, as akscli's plans and confirmations name objects
    return f"{ref} ({where})" if where else ref


def _allowed_level(spec: dict[str, Any], minor: int | None) -> str:
    """The strictest level the spec meets."""
    if evaluate("restricted", minor, spec) is None:
        return "restricted"
    return "baseline" if evaluate("baseline", minor, spec) is None else "privileged"


def check(kube: Kube, objects: Iterable[Mapping[str, Any]]) -> list[str]:
    """Refuse (CheckFailedError) the first pod template its namespace's enforce level forbids;
    the warnings its warn level gives. One GET per namespace the templates go to, none for a
    Namespace among ``objects`` (its labels are those about to be applied). Then AKS Deployment
    Safeguards' probes constraint on the same templates (akscli.kube.safeguards: one list, only
    where a template lacks a probe)."""
    sent: dict[str, Mapping[str, str]] = {}
    templates: list[tuple[Mapping[str, Any], str, str, dict[str, Any]]] = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        if obj.get("apiVersion") == "v1" and obj.get("kind") == "Namespace":
            sent[str(meta.get("name"))] = meta.get("labels") or {}
            continue
        for where, spec in pod_specs(obj):
            templates.append((obj, where, str(meta.get("namespace") or kube.namespace), spec))
    labels: dict[str, Mapping[str, str] | None] = {}  # None: this user may not read the namespace
    warnings: list[str] = []
    for obj, where, namespace, spec in templates:
        if namespace not in labels:
            labels[namespace] = sent[namespace] if namespace in sent else _labels(kube, namespace)
        enforce, warn = policy(labels[namespace] or {})
        detail = evaluate(enforce.level, enforce.minor, spec)
        if detail is not None:
            raise refusal(_ref(obj, where), namespace, enforce, detail, _allowed_level(spec, enforce.minor))
        detail = evaluate(warn.level, warn.minor, spec)
        if detail is not None:
            warnings.append(
                f'{_ref(obj, where)} in namespace {namespace}: its pods would violate PodSecurity "{warn}": {detail} '
                f"(the namespace's {PREFIX}warn level)"
            )
    return warnings + safeguards.check(kube, templates, labels)


def check_client_dry_run(target: KubeTarget, objects: Iterable[Mapping[str, Any]]) -> list[str]:
    """--dry-run=client: the same check where the namespace can be read, else a warning that it
    was not made. kubectl's own client dry run of ``apply`` reads the cluster too (discovery and
    each live object: kubernetes/kubectl dee3483a pkg/cmd/apply/apply.go applyOneObject calls info.Get
    in every dry-run mode), so a read here is what its users
    expect; what it cannot do is admission, which only --dry-run=server asks for. Nothing is read
    where no object makes Pods. One try, no retries: an unreachable cluster must not hold up an
    offline render (a 5 s request timeout unless --request-timeout says otherwise)."""
    from akscli.kube.connecting import connect_once

    objects = list(objects)
    if not any(pod_specs(obj) for obj in objects):
        return []
    try:
        return check(connect_once(target), objects)
    except errors.CheckFailedError:
        raise
    except errors.AkscliError as exc:
        return [f"PodSecurity not checked: {exc.message} (the namespace's {PREFIX}enforce label could not be read)"]


def refusal(ref: str, namespace: str, enforce: Level, detail: str, allowed: str) -> errors.AkscliError:
    return errors.CheckFailedError(
        f'{ref}: namespace {namespace} would refuse its pods: violates PodSecurity "{enforce}": {detail}',
        hint=(
            f"use a namespace whose {PREFIX}enforce level is {allowed}"
            f"{'' if allowed == 'privileged' else ' or privileged'} (-n), or label this one: "
            f"kubectl label namespace {namespace} {PREFIX}enforce={allowed} --overwrite"
        ),
    )


def _labels(kube: Kube, namespace: str) -> Mapping[str, str] | None:
    """The namespace's labels; none where it does not exist yet (the apply creates it, or says
    it is missing); None where this user may not read it (the API server still checks the Pods:
    no PodSecurity level is known, and a safeguard's namespaceSelector is not known either)."""
    try:
        ns = namespaces.read(kube, namespace)
    except errors.AuthError:
        return None
    return ((ns or {}).get("metadata") or {}).get("labels") or {}
