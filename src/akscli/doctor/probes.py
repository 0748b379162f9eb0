"""What ``akscli doctor`` reads of the cluster, one probe per kind of thing: a CRD and the versions
it serves, an operator's pods (ready or why not, and the Deployments and DaemonSets that own them),
the backends of admission webhooks, APIServices, GatewayClasses and GPU nodes. Each answers a status
(ok, missing, not-ready, unknown) and a detail line; ``akscli.doctor.checks`` turns them into checks.
``controller_running`` and ``controller_args`` are what ``model deploy``'s preflight asks of them.

Every read is a get by name or a label-selected, paginated list that stops at the first hit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from akscli.doctor import rollout as doctor_rollout
from akscli.doctor.checklist import APISERVICE_FIXES, components
from akscli.errors import NotInstalledError
from akscli.kube import pod_problems
from akscli.kube.client import Kube

OK, MISSING, NOT_READY, UNKNOWN = "ok", "missing", "not-ready", "unknown"
CRD_API = "apiextensions.k8s.io/v1"
WEBHOOK_API = "admissionregistration.k8s.io/v1"


def _get(kube: Kube, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
    """A get that treats an unserved kind like an absent object."""
    try:
        return kube.get(api_version, kind, name, namespace)
    except NotInstalledError:
        return None


def _condition(obj: dict[str, Any], kind: str) -> str | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return str(cond.get("status"))
    return None


def crd(kube: Kube, name: str, version: str) -> tuple[str, str]:
    crd = _get(kube, CRD_API, "CustomResourceDefinition", name)
    if crd is None:
        return MISSING, f"CRD {name} is not installed"
    served = [v.get("name") for v in (crd.get("spec") or {}).get("versions") or [] if v.get("served")]
    if version not in served:
        return NOT_READY, (
            f"CRD {name} serves {', '.join(map(str, served)) or 'no version'}, "
            f"akscli needs {version}: upgrade the operator"
        )
    if _condition(crd, "Established") == "False":
        return NOT_READY, f"CRD {name} is not established yet"
    return OK, f"{name} serves {version}"


def controller_running(kube: Kube, key: str) -> tuple[bool, str]:
    """Whether a ready pod of the component's controller runs, and what was found."""
    comp = next(c for c in components() if c.id == key)
    return pods_running(kube, comp.pods)


def pods_running(kube: Kube, selectors: Sequence[str]) -> tuple[bool, str]:
    """Whether a ready pod that one of ``selectors`` finds runs (any namespace), and what was found."""
    state, detail = _pods(kube, selectors)
    return state == OK, detail


def controller_args(kube: Kube, key: str) -> list[str] | None:
    """The container arguments of the component's controller: its first pod found (ready or
    not; every replica runs the same template), None where no pod is found."""
    comp = next(c for c in components() if c.id == key)
    return pod_args(kube, comp.pods)


def pod_args(kube: Kube, selectors: Sequence[str]) -> list[str] | None:
    """The container arguments of the first pod (any namespace) a selector finds, None where none does."""
    for selector in selectors:
        for pod in _list(kube, "v1", "Pod", label_selector=selector, page_size=1):
            containers = (pod.get("spec") or {}).get("containers") or []
            return [str(a) for c in containers for a in (c.get("args") or [])]
    return None


def pod_ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and _condition(pod, "Ready") == "True"


def _pods(kube: Kube, selectors: Sequence[str], namespace: str | None = None) -> tuple[str, str]:
    status, detail, _, _ = operator_pods(kube, selectors, namespace)
    return status, detail


def operator_pods(
    kube: Kube, selectors: Sequence[str], namespace: str | None = None
) -> tuple[str, str, list[tuple[str, str]], list[tuple[str, str]]]:
    """The pod verdict, and the Deployments and the DaemonSets (namespace, name) that own the pods
    read for it."""
    # A pod that more than one selector finds (the Helm chart's KubeRay pod has both labels) is
    # one pod.
    seen: set[tuple[str, str]] = set()
    owners: list[tuple[str, str]] = []
    daemons: list[tuple[str, str]] = []
    trouble: pod_problems.Problem | None = None
    for selector in selectors:
        for pod in _list(kube, "v1", "Pod", namespace=namespace, label_selector=selector, page_size=50):
            meta = pod.get("metadata") or {}
            if (made_by := doctor_rollout.owner(pod)) and made_by not in owners:
                owners.append(made_by)
            if (daemon := doctor_rollout.daemon_owner(pod)) and daemon not in daemons:
                daemons.append(daemon)
            if pod_ready(pod):
                return OK, f"pod {meta.get('namespace')}/{meta.get('name')} is ready", owners, daemons
            seen.add((str(meta.get("namespace")), str(meta.get("name"))))
            trouble = trouble or pod_problems.problem(pod)
    if seen:
        none_ready = f"{len(seen)} operator pod(s) found, none ready{pod_problems.after(trouble)}"
        return NOT_READY, none_ready, owners, daemons
    return MISSING, f"no operator pod ({' or '.join(selectors)})", owners, daemons


def _list(
    kube: Kube,
    api_version: str,
    kind: str,
    *,
    namespace: str | None = None,
    label_selector: str | None = None,
    page_size: int = 500,
) -> Iterator[dict[str, Any]]:
    return kube.list(
        api_version,
        kind,
        namespace=namespace,
        all_namespaces=namespace is None,
        label_selector=label_selector,
        page_size=page_size,
    )


def labelled_node(kube: Kube, selectors: Sequence[str]) -> str | None:
    """The name of the first node one of ``selectors`` finds (one node read per selector)."""
    for selector in selectors:
        for node in _list(kube, "v1", "Node", label_selector=selector, page_size=1):
            return str((node.get("metadata") or {}).get("name"))
    return None


def webhooks(kube: Kube, tokens: Sequence[str]) -> Iterator[tuple[str, str, str]]:
    for kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
        try:
            configs = [
                c
                for c in kube.list(WEBHOOK_API, kind, page_size=200)
                if any(t in str((c.get("metadata") or {}).get("name", "")) for t in tokens)
            ]
        except NotInstalledError:
            return  # the API server does not serve admission webhooks at all: nothing to break
        for config in configs:
            name = (config.get("metadata") or {}).get("name")
            for hook in config.get("webhooks") or []:
                service = (hook.get("clientConfig") or {}).get("service")
                if not service:
                    continue  # a URL webhook: outside the cluster, not checkable from here
                status, detail = _webhook_backend(kube, service)
                if status != OK and hook.get("failurePolicy") == "Ignore":
                    detail += " (failurePolicy Ignore: requests pass unchecked)"
                yield f"webhook {name}/{hook.get('name')}", status, detail


def _webhook_backend(kube: Kube, service: dict[str, Any]) -> tuple[str, str]:
    ns, name = service.get("namespace", "default"), service.get("name", "")
    svc = _get(kube, "v1", "Service", name, ns)
    if svc is None:
        return MISSING, f"its service {ns}/{name} does not exist: every request it checks fails"
    selector = (svc.get("spec") or {}).get("selector") or {}
    if not selector:
        return OK, f"service {ns}/{name} exists (no selector to check)"
    text = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    trouble: pod_problems.Problem | None = None
    for pod in _list(kube, "v1", "Pod", namespace=ns, label_selector=text, page_size=50):
        if pod_ready(pod):
            return OK, f"service {ns}/{name} has a ready pod"
        trouble = trouble or pod_problems.problem(pod)
    return (
        NOT_READY,
        f"service {ns}/{name} has no ready pod: every request it checks fails{pod_problems.after(trouble)}",
    )


def apiservice(kube: Kube, name: str) -> tuple[str, str]:
    try:
        svc = kube.get("apiregistration.k8s.io/v1", "APIService", name)
    except NotInstalledError:
        return UNKNOWN, "the API server does not list aggregated APIs"
    if svc is None:
        return MISSING, f"APIService {name} is not registered"
    if _condition(svc, "Available") != "True":
        return NOT_READY, f"APIService {name} is not Available"
    return OK, f"APIService {name} is Available"


def apiservice_fix(name: str, status: str) -> str:
    """The fix of an APIService check: its own server's, where doctor knows which serves it."""
    if status == UNKNOWN:
        return f"kubectl get apiservice {name} shows whether the API server serves it"
    unavailable, unregistered = APISERVICE_FIXES.get(name, ("", ""))
    return unregistered if status == MISSING else unavailable


def gateway_class(kube: Kube) -> tuple[str, str]:
    names = []
    for gc in _list(kube, "gateway.networking.k8s.io/v1", "GatewayClass", page_size=50):
        name = (gc.get("metadata") or {}).get("name")
        if _condition(gc, "Accepted") == "True":
            return (
                OK,
                f"GatewayClass {name} is accepted by {gc.get('spec', {}).get('controllerName')}",
            )
        names.append(str(name))
    if names:
        return NOT_READY, f"no controller accepted GatewayClass {', '.join(names)}"
    return MISSING, "the Gateway API CRDs are installed but no GatewayClass exists (no Gateway controller)"


def gpu_nodes(kube: Kube) -> tuple[str, str]:
    from akscli.gpu import devices as gpus

    # The GPU device plugin and AKS both label GPU nodes; the label keeps this list short.
    for selector in (
        "nvidia.com/gpu.present=true",
        "kubernetes.azure.com/accelerator",
        "nvidia.com/gpu.product",
        "accelerator=nvidia",
    ):
        for node in _list(kube, "v1", "Node", label_selector=selector, page_size=50):
            facts = gpus.read(node)
            if facts.allocatable:
                name = (node.get("metadata") or {}).get("name")
                what = "GPU(s)" if facts.sharing == gpus.WHOLE else f"GPU slice(s) ({facts.sharing})"
                return OK, f"node {name} advertises {facts.allocatable} {what}"
    from akscli.gpu import dra as gpu_dra

    # A DRA driver's GPUs are no node resource: they are devices in its ResourceSlices.
    if dra := gpu_dra.published(kube):
        return OK, f"node {dra[0]} has {dra[1]} GPU(s) published by the DRA driver (ResourceSlices)"
    return MISSING, "no node advertises GPUs (no GPU pool, or no device plugin or DRA driver)"
